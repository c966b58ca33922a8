"""The NetSuite stand-in's items (non-inventory, service and other-charge sale items) and their
pricing sublist, from the help center (Non-Inventory Sale Item; Working with the Pricing
Sublist on Item Records; Using the Upsert Operation).

Items of every type share one external-id space: an external id held by an item of another
type is refused. ``PUT .../{type}/eid:X`` creates or updates (``itemId`` required on create);
``PATCH`` an item that does not exist is 404 ``NONEXISTENT_ID``. The ``price`` sublist holds
one value per (currency, price level, quantity); a PATCH sets the lines it names and keeps the
others unless ``replace=price``. A line naming a currency or price level the account does not
have is 400 ``INVALID_KEY_OR_REF`` at its path.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from tests.standins.common import Req, json_response

__all__ = ["NetSuiteCatalog"]

_ITEM = (
    r"/services/rest/record/v1/"
    r"(?P<type>(?i:nonInventorySaleItem|serviceSaleItem|otherChargeSaleItem))"
)
_ITEM_FIELDS = frozenset(
    {
        "itemId",
        "displayName",
        "salesDescription",
        "upcCode",
        "isInactive",
        "price",
        "externalId",
        "subsidiary",
        "includeChildren",
    }
)
CURRENCIES = frozenset({"1", "2", "3", "4"})
PRICE_LEVELS = frozenset({"1", "2", "3", "4", "5"})


class NetSuiteCatalog:
    """Mixed into :class:`tests.standins.netsuite.NetSuiteStandIn` (lock, ids, errors)."""

    lock: Any
    items: dict[str, dict[str, Any]]
    _ids: Any
    _error_of: Any  # the stand-in's error shape
    _not_found: Any

    def catalog_routes(self, route: Any) -> None:
        self.items = {}
        route("PUT", rf"{_ITEM}/eid:(?P<eid>[^/]+)", self._upsert_item)
        route("PATCH", rf"{_ITEM}/eid:(?P<eid>[^/]+)", self._patch_item)
        route("GET", rf"{_ITEM}/eid:(?P<eid>[^/]+)", self._get_item)

    # reading, for tests ---------------------------------------------------------------------
    def catalog_ids(self) -> list[str]:
        return [i["externalId"] for i in self.items.values()]

    def item(self, external_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self._item(external_id)
            return None if found is None else {**found, "prices": dict(found["prices"])}

    # storage -----------------------------------------------------------------------------------
    def _item(self, external_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items.values() if i["externalId"] == external_id), None)

    def _item_location(self, req: Req, item: dict[str, Any]) -> dict[str, str]:
        host = req.headers.get("host", "localhost")
        path = f"/services/rest/record/v1/{item['type']}/{item['id']}"
        return {"Location": f"http://{host}{path}"}

    def _check_item(self, body: Any) -> Response | None:
        if not isinstance(body, dict):
            return self._error_of(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        for name in body:
            if name not in _ITEM_FIELDS:
                return self._error_of(400, "INVALID_CONTENT", f"Invalid field: {name}.", name)
        lines = (body.get("price") or {}).get("items") or []
        for n, line in enumerate(lines):
            for field, known in (("currencyPage", CURRENCIES), ("priceLevel", PRICE_LEVELS)):
                key = str((line.get(field) or {}).get("id"))
                if key not in known:
                    return self._error_of(
                        400,
                        "INVALID_KEY_OR_REF",
                        f"Invalid {field} reference key {key}.",
                        f"price.items[{n}].{field}",
                    )
        return None

    def _write_item(self, item: dict[str, Any], body: dict[str, Any], *, replace: bool) -> None:
        for name, value in body.items():
            if name == "price":
                if replace:
                    item["prices"] = {}
                for line in value.get("items") or []:
                    key = (
                        str(line["currencyPage"]["id"]),
                        str(line["priceLevel"]["id"]),
                        int((line.get("quantity") or {}).get("value") or 0),
                    )
                    item["prices"][key] = line.get("price")
            elif value is None:
                item.pop(name, None)
            else:
                item[name] = value

    # routes -----------------------------------------------------------------------------------
    async def _upsert_item(self, req: Req) -> Response:
        body, kind = req.json(), req.groups["type"].lower()
        with self.lock:
            refused = self._check_item(body)
            if refused is not None:
                return refused
            item = self._item(req.groups["eid"])
            if item is not None and item["type"] != kind:
                return self._error_of(
                    400,
                    "USER_ERROR",
                    f"The external ID {req.groups['eid']} belongs to an item of another type.",
                )
            if item is None:
                if not body.get("itemId"):
                    return self._error_of(
                        400, "USER_ERROR", "Please enter value(s) for: Item Name/Number"
                    )
                item = {"id": str(next(self._ids)), "type": kind, "prices": {}}
                item["externalId"] = req.groups["eid"]
                self.items[item["id"]] = item
            self._write_item(item, body, replace="price" in req.query.get("replace", ""))
        return Response(status_code=204, headers=self._item_location(req, item))

    async def _patch_item(self, req: Req) -> Response:
        body, kind = req.json(), req.groups["type"].lower()
        with self.lock:
            item = self._item(req.groups["eid"])
            if item is None or item["type"] != kind:
                return self._not_found(req)
            refused = self._check_item(body)
            if refused is not None:
                return refused
            self._write_item(item, body, replace="price" in req.query.get("replace", ""))
        return Response(status_code=204, headers=self._item_location(req, item))

    async def _get_item(self, req: Req) -> Response:
        with self.lock:
            item = self._item(req.groups["eid"])
            if item is None or item["type"] != req.groups["type"].lower():
                return self._not_found(req)
            shown = {k: v for k, v in item.items() if k != "prices"}
        return json_response(shown)
