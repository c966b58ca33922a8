"""Salesforce connector, catalog part: golden products as ``Product2``, golden prices as
``PricebookEntry``, both upserted by the target's external-id field (``MDM_Golden_Id__c`` on
each object, an option).

Products go through sObject Collections (``PATCH .../composite/sobjects/Product2/{field}``,
``allOrNone: false``) or one sObject Rows upsert, ``IsActive`` false once retired, inactive or
merged away (Salesforce keeps products on opportunities: they are never deleted).

A price is one ``PricebookEntry`` in the target's price book for the hub's (``price_books``).
An entry's ``Pricebook2Id``, ``Product2Id`` and ``CurrencyIsoCode`` are fixed at creation, so its
external id is the golden price's id with a digest of those three: a price moved to another
product (a merge), price book or currency is a new entry, and the old one is deactivated. The
first delivery upserts the whole entry (the product by its external id,
``Product2: {field: golden product id}``); later ones only ``UnitPrice`` and ``IsActive``, and
upsert the whole entry when Salesforce says it does not exist (``REQUIRED_FIELD_MISSING``).
Salesforce refuses a custom price book's entry while the product has no standard price
(``STANDARD_PRICE_NOT_DEFINED``): the connector then creates the standard price book's entry at
the same price first and upserts again. An entry that exists without our external id (a
standard price made that way, or by hand) is a ``DUPLICATE_VALUE``: the connector finds it by
price book, product and currency and takes it over. A price whose product Salesforce does not
know (``Foreign key external ID ... not found``) is retryable with ``depends_on`` = the product.
``CurrencyIsoCode`` is sent where the org has multi-currency on (``multi_currency``); without it
every price must be in ``corporate_currency``. Tiers have no place on a PricebookEntry and are
not sent; ``UnitPrice`` is the price's ``unit_amount``.

Relied on: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_pricebookentry.htm
("You must load the standard price for a product before you are permitted to load its custom
price(s)"; Pricebook2Id and Product2Id cannot be updated), sforce_api_objects_product2.htm,
https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html,
https://developer.salesforce.com/docs/platform/api-rest/guide/dome-query.html.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from contracts.targets import salesforce as wire
from sync.connectors.base import (
    DeliveryError,
    ErrorCode,
    OutboundRecord,
    PermanentError,
    PushResult,
    RetryableError,
)
from sync.connectors.catalog import amount, for_sale, product_of, target_price_book
from sync.connectors.http import HttpClient, json_body

__all__ = ["SalesforceCatalog", "entry_key"]

_PRODUCT = "Product2"
_ENTRY = "PricebookEntry"
_PRICEBOOK_ID = re.compile(r"^01s[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$")
_STANDARD = "standard"

Outcome = PushResult | DeliveryError
ErrorOf = Callable[[httpx.Response, OutboundRecord | None], DeliveryError]


def entry_key(golden_id: str, product: str, pricebook_id: str, currency: str) -> str:
    """The PricebookEntry's external id: the golden price and what the entry cannot change."""
    digest = hashlib.blake2b(f"{product}|{pricebook_id}|{currency}".encode(), digest_size=4)
    return f"{golden_id}-{digest.hexdigest()}"


def _soql(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _first_error(response: httpx.Response) -> tuple[str | None, str]:
    body = json_body(response)
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    return first.get("errorCode"), str(first.get("message") or "")


class SalesforceCatalog:
    """Products and prices for :class:`sync.connectors.salesforce.SalesforceConnector`."""

    def __init__(
        self, http: HttpClient, options: Mapping[str, Any], error: ErrorOf, collect: Any
    ) -> None:
        self._http = http
        self._field = str(options["external_id_field"])
        self._version = str(options["api_version"])
        self._books: Mapping[str, str] = options["price_books"]
        self._multi = bool(options["multi_currency"])
        self._corporate = str(options["corporate_currency"])
        self._error = error
        self._collect = collect  # the connector's sObject Collections upsert
        self._pricebooks: dict[str, str] = {}  # what a price book option names -> its Id

    def push(self, records: Sequence[OutboundRecord]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        products = [i for i, r in enumerate(records) if r.entity_type == "product"]
        if len(products) > 1:
            bodies = [self._product_body(records[i]) for i in products]
            try:
                found = self._collect([records[i] for i in products], _PRODUCT, bodies)
            except DeliveryError as exc:
                found = [exc] * len(products)
            outcomes.update(zip(products, found, strict=True))
        for i, record in enumerate(records):
            if i in outcomes:
                continue
            paused = next((o for o in outcomes.values() if _target_wide(o)), None)
            try:
                outcomes[i] = paused or (
                    self._product(record)
                    if record.entity_type == "product"
                    else self._price(record)
                )
            except DeliveryError as exc:
                outcomes[i] = exc
        return [outcomes[i] for i in range(len(records))]

    # requests ---------------------------------------------------------------------------------
    def _path(self, sobject: str, key: str | None = None, by_id: str | None = None) -> str:
        base = f"/services/data/{self._version}/sobjects/{sobject}"
        if by_id is not None:
            return f"{base}/{quote(by_id, safe='')}"
        return base if key is None else f"{base}/{self._field}/{quote(key, safe='')}"

    def _send(self, method: str, path: str, record: OutboundRecord, body: Any) -> httpx.Response:
        return self._http.send(method, path, records=[record], json=body)

    def _query(self, soql: str) -> list[dict[str, Any]]:
        path = f"/services/data/{self._version}/query"
        response = self._http.send("GET", path, params={"q": soql})
        if response.status_code != 200:
            raise self._error(response, None)
        records: list[dict[str, Any]] = response.json().get("records") or []
        return records

    # products --------------------------------------------------------------------------------
    def _product_body(self, record: OutboundRecord) -> dict[str, Any]:
        a = record.attributes
        name = str(a.get("name") or a.get("sku") or record.golden_id)[:255]
        return {
            "Name": name,
            "ProductCode": a.get("sku"),
            "Description": a.get("description"),
            "Family": a.get("family"),
            "IsActive": for_sale(record),
        }

    def _product(self, record: OutboundRecord) -> PushResult:
        path = self._path(_PRODUCT, record.golden_id)
        response = self._send("PATCH", path, record, self._product_body(record))
        if response.status_code not in (200, 201):
            raise self._error(response, record)
        result: wire.UpsertResult = response.json()
        return PushResult(record.golden_id, target_id=result.get("id"))

    # prices ----------------------------------------------------------------------------------
    def _pricebook_id(self, record: OutboundRecord, name: str | None = None) -> str:
        """The Id of the price book ``name`` (by default the price's, per ``price_books``):
        ``standard`` is the org's standard price book, else an Id or a Name."""
        name = name or target_price_book(record, self._books)
        if _PRICEBOOK_ID.match(name):
            return name
        if name not in self._pricebooks:
            where = "IsStandard = true" if name == _STANDARD else f"Name = {_soql(name)}"
            found = self._query(f"SELECT Id FROM Pricebook2 WHERE {where}")
            if not found:
                raise PermanentError(
                    ErrorCode.INVALID,
                    f"Salesforce has no price book {name!r}: map the hub's price book "
                    f"{record.attributes.get('price_book')!r} in options.price_books",
                )
            self._pricebooks[name] = str(found[0]["Id"])
        return self._pricebooks[name]

    def _currency(self, record: OutboundRecord) -> str:
        currency = str(record.attributes.get("currency") or "")
        if not self._multi and currency != self._corporate:
            raise PermanentError(
                ErrorCode.INVALID,
                f"price {record.golden_id} is in {currency}: without multi-currency "
                f"(options.multi_currency) Salesforce takes {self._corporate} only",
            )
        return currency

    def _price(self, record: OutboundRecord) -> PushResult:
        if not for_sale(record):
            self._deactivate(record, record.target_id)
            return PushResult(record.golden_id, target_id=record.target_id)
        product = product_of(record)
        book, currency = self._pricebook_id(record), self._currency(record)
        key = entry_key(record.golden_id, product, book, currency)
        unit = float(amount(record.attributes.get("unit_amount"), "unit_amount"))
        change = {"UnitPrice": unit, "IsActive": True, "UseStandardPrice": False}
        whole = {**change, "Pricebook2Id": book, "Product2": {self._field: product}}
        if self._multi:
            whole["CurrencyIsoCode"] = currency
        body = change if record.target_id else whole
        response = self._send("PATCH", self._path(_ENTRY, key), record, body)
        code, _ = _first_error(response)
        if code == "REQUIRED_FIELD_MISSING" and body is change:  # not there under this key
            response = self._send("PATCH", self._path(_ENTRY, key), record, whole)
        elif code == "INVALID_FIELD_FOR_INSERT_UPDATE" and body is whole:  # there already
            response = self._send("PATCH", self._path(_ENTRY, key), record, change)
        code, _ = _first_error(response)
        if code == "STANDARD_PRICE_NOT_DEFINED":
            self._standard_price(record, whole)
            response = self._send("PATCH", self._path(_ENTRY, key), record, whole)
            code, _ = _first_error(response)
        if code == "DUPLICATE_VALUE":
            response = self._adopt(record, key, whole, change)
        if response.status_code not in (200, 201):
            raise self._price_error(response, record, product)
        entry_id = str(response.json().get("id") or "")
        if record.target_id and record.target_id != entry_id:
            self._deactivate(record, record.target_id)
        return PushResult(record.golden_id, target_id=entry_id)

    def _standard_price(self, record: OutboundRecord, whole: Mapping[str, Any]) -> None:
        """The standard price book's entry a custom one needs, at the same price."""
        standard = {**whole, "Pricebook2Id": self._pricebook_id(record, _STANDARD)}
        response = self._send("POST", self._path(_ENTRY), record, standard)
        code, _ = _first_error(response)
        if response.status_code not in (200, 201) and code != "DUPLICATE_VALUE":
            raise self._price_error(response, record, product_of(record))

    def _adopt(
        self, record: OutboundRecord, key: str, whole: Mapping[str, Any], change: Mapping[str, Any]
    ) -> httpx.Response:
        """Take over the entry of this price book, product and currency that exists without
        our external id: set it, and the price."""
        where = [
            f"Pricebook2Id = {_soql(str(whole['Pricebook2Id']))}",
            f"Product2.{self._field} = {_soql(product_of(record))}",
        ]
        if self._multi:
            where.append(f"CurrencyIsoCode = {_soql(str(whole['CurrencyIsoCode']))}")
        found = self._query(f"SELECT Id FROM PricebookEntry WHERE {' AND '.join(where)}")
        if not found:
            raise RetryableError(
                ErrorCode.DUPLICATE_VALUE,
                f"Salesforce holds an entry for price {record.golden_id} it does not show yet",
                target_code="DUPLICATE_VALUE",
            )
        entry_id = str(found[0]["Id"])
        path = self._path(_ENTRY, by_id=entry_id)
        response = self._send("PATCH", path, record, {**change, self._field: key})
        if response.status_code not in (200, 204):
            raise self._error(response, record)
        return httpx.Response(200, json={"id": entry_id, "success": True, "errors": []})

    def _deactivate(self, record: OutboundRecord, entry_id: str | None) -> None:
        if not entry_id:
            return
        path = self._path(_ENTRY, by_id=entry_id)
        response = self._send("PATCH", path, record, {"IsActive": False})
        if response.status_code not in (200, 204, 404):
            raise self._error(response, record)

    def _price_error(
        self, response: httpx.Response, record: OutboundRecord, product: str
    ) -> DeliveryError:
        code, message = _first_error(response)
        if "Foreign key external ID" in message:
            return RetryableError(
                ErrorCode.PARENT_MISSING,
                f"Salesforce {code}: {message} (deliver product {product} first)",
                status=response.status_code,
                target_code=code,
                depends_on=product,
            )
        return self._error(response, record)


def _target_wide(outcome: Outcome) -> bool:
    return isinstance(outcome, DeliveryError) and outcome.scope == "target"
