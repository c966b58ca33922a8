"""The Salesforce stand-in's Product2, Pricebook2 and PricebookEntry, written from the object
reference (sforce_api_objects_pricebookentry, _product2, _pricebook2) and the REST guide
(dome-upsert, dome-query).

Products are upserted by the external-id field like Accounts (one, or sObject Collections).
A PricebookEntry is unique per price book, product and currency (``DUPLICATE_VALUE`` "This
price definition already exists in this price book"); a custom price book's entry is refused
with ``STANDARD_PRICE_NOT_DEFINED`` while the product has no standard price in that currency;
``Pricebook2Id``, ``Product2Id`` and ``CurrencyIsoCode`` cannot be written on an existing entry
(``INVALID_FIELD_FOR_INSERT_UPDATE``); an upsert that has to create an entry without them is
``REQUIRED_FIELD_MISSING``; ``CurrencyIsoCode`` exists only where the org has multi-currency
(``multi_currency``). ``GET .../query?q=`` answers the few SOQL statements the connector sends.
The org has a standard price book and the custom ones given (by Name).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from starlette.responses import Response

from tests.standins.common import Req, json_response

__all__ = ["SalesforceCatalog"]

_V = r"/services/data/v(?P<version>\d+\.\d)"
_PRODUCT_FIELDS = frozenset(
    {"Name", "ProductCode", "Description", "Family", "IsActive", "QuantityUnitOfMeasure"}
)
_ENTRY_FIELDS = frozenset({"UnitPrice", "IsActive", "UseStandardPrice"})
_ENTRY_FIXED = ("Pricebook2Id", "Product2Id", "Product2", "CurrencyIsoCode")
STANDARD_BOOK = "01s000000000001AAA"
_QUERIES = (
    (re.compile(r"^SELECT Id FROM Pricebook2 WHERE IsStandard = true$"), "standard"),
    (re.compile(r"^SELECT Id FROM Pricebook2 WHERE Name = '(?P<name>(?:[^'\\]|\\.)*)'$"), "name"),
    (
        re.compile(
            r"^SELECT Id FROM PricebookEntry WHERE Pricebook2Id = '(?P<book>[^']*)' AND "
            r"Product2\.(?P<field>\w+) = '(?P<product>[^']*)'"
            r"(?: AND CurrencyIsoCode = '(?P<currency>[A-Z]{3})')?$"
        ),
        "entry",
    ),
)


class _Refused(Exception):
    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.body = {"statusCode": code, "message": message, "fields": fields or []}

    def response(self, status: int = 400) -> Response:
        b = self.body
        error = {"message": b["message"], "errorCode": b["statusCode"], "fields": b["fields"]}
        return json_response([error], status)


class SalesforceCatalog:
    """Mixed into :class:`tests.standins.salesforce.SalesforceStandIn` (its lock, its
    external-id field, its per-record faults)."""

    lock: Any
    external_id_field: str

    record_fault: Any  # StandIn's

    def catalog_routes(self, route: Any, *, multi_currency: bool, pricebooks: tuple[str, ...]):
        self.multi_currency = multi_currency
        self.sf_products: dict[str, dict[str, Any]] = {}
        self.sf_entries: dict[str, dict[str, Any]] = {}
        self.pricebooks = {STANDARD_BOOK: {"Name": "Standard Price Book", "IsStandard": True}}
        for n, name in enumerate(pricebooks, start=2):
            self.pricebooks[f"01s{n:012d}AAA"] = {"Name": name, "IsStandard": False}
        self._catalog_ids = itertools.count(1)
        by_key = r"/(?P<field>[^/]+)/(?P<value>[^/]+)"
        route("PATCH", rf"{_V}/sobjects/Product2{by_key}", self._upsert_product)
        route("GET", rf"{_V}/sobjects/Product2{by_key}", self._get_product)
        route("PATCH", rf"{_V}/composite/sobjects/Product2/(?P<field>[^/]+)", self._products)
        route("PATCH", rf"{_V}/sobjects/PricebookEntry{by_key}", self._upsert_entry)
        route("PATCH", rf"{_V}/sobjects/PricebookEntry/(?P<id>01u\w+)", self._update_entry)
        route("POST", rf"{_V}/sobjects/PricebookEntry", self._create_entry)
        route("GET", rf"{_V}/query", self._query)

    # reading, for tests ---------------------------------------------------------------------
    def catalog_ids(self) -> list[str]:
        field = self.external_id_field
        records = [*self.sf_products.values(), *self.sf_entries.values()]
        return [r[field] for r in records if r.get(field)]

    def product2(self, golden_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self._by_key(self.sf_products, golden_id)

    def entries(self, *, product: str | None = None) -> list[dict[str, Any]]:
        """Entries (of ``product``'s golden id), each with its price book's Name."""
        with self.lock:
            found = self._by_key(self.sf_products, product) if product else None
            return [
                {**e, "Pricebook": self.pricebooks[e["Pricebook2Id"]]["Name"]}
                for e in self.sf_entries.values()
                if product is None or (found and e["Product2Id"] == found["Id"])
            ]

    # storage -----------------------------------------------------------------------------------
    def _by_key(self, store: dict[str, dict[str, Any]], key: str) -> dict[str, Any] | None:
        return next((r for r in store.values() if r.get(self.external_id_field) == key), None)

    def _catalog_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._catalog_ids):015d}"

    def _unknown(self, values: dict[str, Any], allowed: frozenset[str], sobject: str) -> None:
        for name in values:
            if name not in allowed and name not in ("attributes", self.external_id_field):
                raise _Refused(
                    "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject}"
                )

    # products ----------------------------------------------------------------------------------
    def _apply_product(self, key: str, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        fault = self.record_fault(key)
        if fault is not None:
            raise _Refused(fault.code or "UNABLE_TO_LOCK_ROW", fault.message or "locked")
        self._unknown(values, _PRODUCT_FIELDS, "Product2")
        values = {
            k: v for k, v in values.items() if k not in ("attributes", self.external_id_field)
        }
        product = self._by_key(self.sf_products, key)
        if product is None:
            if not values.get("Name"):
                raise _Refused("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]")
            product = {
                "Id": self._catalog_id("01t"),
                self.external_id_field: key,
                "IsActive": False,
            }
            product.update(values)
            self.sf_products[product["Id"]] = product
            return product, True
        product.update(values)
        return product, False

    async def _upsert_product(self, req: Req) -> Response:
        with self.lock:
            try:
                product, created = self._apply_product(req.groups["value"], req.json())
            except _Refused as exc:
                return exc.response()
        result = {"id": product["Id"], "success": True, "errors": [], "created": created}
        return json_response(result, 201 if created else 200)

    async def _get_product(self, req: Req) -> Response:
        product = self.product2(req.groups["value"])
        if product is None:
            return json_response([{"errorCode": "NOT_FOUND", "message": "not found"}], 404)
        return json_response({"attributes": {"type": "Product2"}, **product})

    async def _products(self, req: Req) -> Response:
        records = (req.json() or {}).get("records") or []
        out = []
        with self.lock:
            for record in records:
                try:
                    key = record.get(self.external_id_field)
                    product, created = self._apply_product(key, record)
                except _Refused as exc:
                    out.append({"success": False, "errors": [exc.body]})
                    continue
                out.append({"id": product["Id"], "success": True, "errors": [], "created": created})
        return json_response(out)

    # price book entries ------------------------------------------------------------------------
    def _new_entry(self, key: str | None, values: dict[str, Any]) -> dict[str, Any]:
        self._unknown(values, _ENTRY_FIELDS | set(_ENTRY_FIXED), "PricebookEntry")
        if "CurrencyIsoCode" in values and not self.multi_currency:
            raise _Refused(
                "INVALID_FIELD",
                "No such column 'CurrencyIsoCode' on sobject of type PricebookEntry",
            )
        product_id = values.get("Product2Id")
        if isinstance(values.get("Product2"), dict):
            ref = values["Product2"].get(self.external_id_field)
            found = self._by_key(self.sf_products, ref)
            if found is None:
                raise _Refused(
                    "INVALID_FIELD",
                    f"Foreign key external ID: {ref} not found for field "
                    f"{self.external_id_field} in entity Product2",
                )
            product_id = found["Id"]
        missing = [
            n
            for n in ("Product2Id", "Pricebook2Id", "UnitPrice")
            if not values.get(n) and not (n == "Product2Id" and product_id)
        ]
        if missing:
            raise _Refused(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        book = values["Pricebook2Id"]
        if book not in self.pricebooks:
            raise _Refused("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
        currency = values.get("CurrencyIsoCode") or "USD"
        same = [
            e
            for e in self.sf_entries.values()
            if (e["Product2Id"], e["CurrencyIsoCode"]) == (product_id, currency)
        ]
        if any(e["Pricebook2Id"] == book for e in same):
            raise _Refused(
                "DUPLICATE_VALUE", "This price definition already exists in this price book"
            )
        if book != STANDARD_BOOK and not any(e["Pricebook2Id"] == STANDARD_BOOK for e in same):
            raise _Refused(
                "STANDARD_PRICE_NOT_DEFINED", "No standard price defined for this product"
            )
        entry = {
            "Id": self._catalog_id("01u"),
            "Pricebook2Id": book,
            "Product2Id": product_id,
            "CurrencyIsoCode": currency,
            "UnitPrice": values["UnitPrice"],
            "IsActive": bool(values.get("IsActive", False)),
            "UseStandardPrice": bool(values.get("UseStandardPrice", False)),
            self.external_id_field: key,
        }
        self.sf_entries[entry["Id"]] = entry
        return entry

    def _change(self, entry: dict[str, Any], values: dict[str, Any]) -> None:
        fixed = [n for n in values if n in _ENTRY_FIXED]
        if fixed:
            raise _Refused(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(fixed)}. Please check the security "
                "settings of this field and verify that it is read/write for your profile or "
                "permission set.",
                fixed,
            )
        self._unknown(values, _ENTRY_FIELDS, "PricebookEntry")
        entry.update({k: v for k, v in values.items() if k != "attributes"})

    async def _upsert_entry(self, req: Req) -> Response:
        key, values = req.groups["value"], req.json()
        with self.lock:
            try:
                entry = self._by_key(self.sf_entries, key)
                if entry is not None:
                    self._change(entry, values)
                    return json_response(
                        {"id": entry["Id"], "success": True, "errors": [], "created": False}
                    )
                entry = self._new_entry(key, values)
            except _Refused as exc:
                return exc.response()
        return json_response(
            {"id": entry["Id"], "success": True, "errors": [], "created": True}, 201
        )

    async def _update_entry(self, req: Req) -> Response:
        with self.lock:
            entry = self.sf_entries.get(req.groups["id"])
            if entry is None:
                return json_response([{"errorCode": "NOT_FOUND", "message": "not found"}], 404)
            try:
                self._change(entry, req.json())
            except _Refused as exc:
                return exc.response()
        return Response(status_code=204)

    async def _create_entry(self, req: Req) -> Response:
        with self.lock:
            try:
                entry = self._new_entry(req.json().get(self.external_id_field), req.json())
            except _Refused as exc:
                return exc.response()
        return json_response({"id": entry["Id"], "success": True, "errors": []}, 201)

    async def _query(self, req: Req) -> Response:
        soql = req.query.get("q", "")
        found = next(((k, m) for p, k in _QUERIES if (m := p.match(soql))), None)
        if found is None:
            return json_response([{"errorCode": "MALFORMED_QUERY", "message": soql}], 400)
        kind, match = found
        with self.lock:
            if kind == "standard":
                ids = [i for i, b in self.pricebooks.items() if b["IsStandard"]]
            elif kind == "name":
                name = re.sub(r"\\(.)", r"\1", match["name"])
                ids = [i for i, b in self.pricebooks.items() if b["Name"] == name]
            else:
                product = self._by_key(self.sf_products, match["product"])
                ids = [
                    e["Id"]
                    for e in self.sf_entries.values()
                    if product is not None
                    and (e["Pricebook2Id"], e["Product2Id"]) == (match["book"], product["Id"])
                    and e["CurrencyIsoCode"] == (match["currency"] or "USD")
                ]
        records = [{"attributes": {"type": "sObject"}, "Id": i} for i in ids]
        return json_response({"totalSize": len(ids), "done": True, "records": records})
