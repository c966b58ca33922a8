"""A NetSuite REST record-service stand-in: customers by internal id and by external id.

Written from the NetSuite help center (Using the Upsert Operation; Error Handling in REST Web
Services; concurrency governance): ``PUT .../customer/eid:{externalId}`` creates or updates and
answers 204 with ``Location``; errors are ``{"type", "title", "status", "o:errorDetails":
[{"detail", "o:errorCode", "o:errorPath"}]}``; a reference to a record that does not exist
(``parent: {"externalId": ...}``) is 400 ``INVALID_KEY_OR_REF``; more concurrent requests than
the account's limit are refused with 429 ``CONCURRENCY_LIMIT_EXCEEDED``. Sublists are merged
into (a new address is added) unless the request says ``replace=addressBook``.
"""

from __future__ import annotations

import itertools
from typing import Any

from starlette.responses import Response

from tests.standins.common import Fault, Req, StandIn, json_response
from tests.standins.netsuite_catalog import NetSuiteCatalog

__all__ = ["NetSuiteStandIn"]

_BASE = r"/services/rest/record/v1/customer"
_FIELDS = frozenset(
    {
        "companyName",
        "isPerson",
        "firstName",
        "lastName",
        "email",
        "phone",
        "url",
        "parent",
        "addressBook",
        "isInactive",
        "subsidiary",
        "externalId",
        "entityId",
        "comments",
        "altPhone",
        "category",
    }
)
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_CODES = {
    500: "UNEXPECTED_ERROR",
    503: "SERVICE_UNAVAILABLE",
    429: "CONCURRENCY_LIMIT_EXCEEDED",
    401: "INVALID_LOGIN",
}


def _error(status: int, code: str, detail: str, path: str | None = None) -> Response:
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path:
        item["o:errorPath"] = path
    return json_response(
        {
            "type": "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html",
            "title": _TITLES.get(status, "Error"),
            "status": status,
            "o:errorDetails": [item],
        },
        status,
    )


class NetSuiteStandIn(NetSuiteCatalog, StandIn):
    """Customers here, items and their prices in :mod:`tests.standins.netsuite_catalog`."""

    kind = "netsuite"

    def __init__(self, *, concurrency_limit: int | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.concurrency_limit = None if self.instant else concurrency_limit
        self.customers: dict[str, dict[str, Any]] = {}
        self._by_external: dict[str, str] = {}
        self._ids = itertools.count(101)
        self.route("PUT", rf"{_BASE}/eid:(?P<eid>[^/]+)", self._upsert)
        self.route("PATCH", rf"{_BASE}/eid:(?P<eid>[^/]+)", self._patch)
        self.route("GET", rf"{_BASE}/eid:(?P<eid>[^/]+)", self._get)
        self.route("DELETE", rf"{_BASE}/eid:(?P<eid>[^/]+)", self._delete)
        self.route("GET", rf"{_BASE}/(?P<id>\d+)", self._get)
        self.route("DELETE", rf"{_BASE}/(?P<id>\d+)", self._delete)
        self.route("POST", _BASE, self._create)
        self._error_of, self._not_found = _error, self.not_found
        self.catalog_routes(self.route)

    # the StandIn hooks ----------------------------------------------------------------
    def unauthorized(self) -> Response:
        return _error(
            401,
            "INVALID_LOGIN",
            "Invalid login attempt. For more details, see the "
            "Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User "
            "Management > View Login Audit Trail.",
        )

    def error(self, fault: Fault) -> Response:
        code = fault.code or _CODES.get(fault.status, "UNEXPECTED_ERROR")
        return _error(fault.status, code, fault.message or f"{code} (injected)")

    def refuse(self, req: Req) -> Response | None:
        if self.concurrency_limit is None or req.path.startswith("/_standin"):
            return None
        with self.lock:
            over = self.in_flight > self.concurrency_limit
        if not over:
            return None
        return _error(
            429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked."
        )

    def not_found(self, req: Req) -> Response:
        return _error(
            404,
            "NONEXISTENT_ID",
            "The record instance does not exist. Provide a valid record instance ID.",
        )

    def external_ids(self) -> list[str]:
        customers = [c["externalId"] for c in self.customers.values() if c.get("externalId")]
        return customers + self.catalog_ids()

    def records(self) -> list[dict[str, Any]]:
        return [dict(c) for c in self.customers.values()]

    def clear(self) -> None:
        self.customers.clear()
        self._by_external.clear()
        self.items.clear()

    def customer(self, external_id: str) -> dict[str, Any] | None:
        with self.lock:
            found = self._find(external_id)
            return dict(found) if found else None

    # storage ------------------------------------------------------------------------------
    def _find(self, external_id: str) -> dict[str, Any] | None:
        internal_id = self._by_external.get(external_id)
        return None if internal_id is None else self.customers[internal_id]

    def _store(self, customer: dict[str, Any]) -> None:
        self.customers[customer["id"]] = customer
        if customer.get("externalId"):
            self._by_external.setdefault(customer["externalId"], customer["id"])

    def _lookup(self, req: Req) -> dict[str, Any] | None:
        if "id" in req.groups:
            return self.customers.get(req.groups["id"])
        return self._find(req.groups["eid"])

    def _check(self, body: Any, existing: dict[str, Any] | None) -> Response | None:
        if not isinstance(body, dict):
            return _error(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        for name in body:
            if name not in _FIELDS:
                return _error(
                    400,
                    "INVALID_CONTENT",
                    f"Invalid field: {name}. The field does not exist on record type customer.",
                    name,
                )
        parent = body.get("parent")
        if isinstance(parent, dict) and (
            ("externalId" in parent and self._find(str(parent["externalId"])) is None)
            or ("id" in parent and str(parent["id"]) not in self.customers)
        ):
            key = parent.get("externalId", parent.get("id"))
            return _error(
                400, "INVALID_KEY_OR_REF", f"Invalid parent reference key {key}.", "parent"
            )
        merged = {**(existing or {}), **body}
        if existing is None:
            if merged.get("isPerson") and not merged.get("lastName"):
                return _error(400, "USER_ERROR", "Please enter value(s) for: Last Name")
            if not merged.get("isPerson") and not merged.get("companyName"):
                return _error(400, "USER_ERROR", "Please enter value(s) for: Company Name")
        return None

    def _write(self, customer: dict[str, Any], body: dict[str, Any], *, replace: bool) -> None:
        for name, value in body.items():
            if value is None:
                customer.pop(name, None)
            elif name == "addressBook" and not replace and "addressBook" in customer:
                items = customer["addressBook"].get("items", []) + value.get("items", [])
                customer["addressBook"] = {"items": items}
            else:
                customer[name] = value

    def _location(self, req: Req, customer: dict[str, Any]) -> dict[str, str]:
        host = req.headers.get("host", "localhost")
        return {"Location": f"http://{host}/services/rest/record/v1/customer/{customer['id']}"}

    # routes -------------------------------------------------------------------------------
    async def _upsert(self, req: Req) -> Response:
        body = req.json()
        replace = "addressBook" in req.query.get("replace", "").split(",")
        with self.lock:
            customer = self._find(req.groups["eid"])
            refused = self._check(body, customer)
            if refused is not None:
                return refused
            if customer is None:
                customer = {"id": str(next(self._ids)), "externalId": req.groups["eid"]}
                self._store(customer)
            self._write(customer, body, replace=replace)
        return Response(status_code=204, headers=self._location(req, customer))

    async def _patch(self, req: Req) -> Response:
        body = req.json()
        with self.lock:
            customer = self._find(req.groups["eid"])
            if customer is None:
                return self.not_found(req)
            refused = self._check(body, customer)
            if refused is not None:
                return refused
            self._write(customer, body, replace="addressBook" in req.query.get("replace", ""))
        return Response(status_code=204, headers=self._location(req, customer))

    async def _create(self, req: Req) -> Response:
        body = req.json()
        with self.lock:
            refused = self._check(body, None)
            if refused is not None:
                return refused
            customer = {"id": str(next(self._ids))}
            self._write(customer, body, replace=True)
            self._store(customer)
        return Response(status_code=204, headers=self._location(req, customer))

    async def _get(self, req: Req) -> Response:
        with self.lock:
            customer = self._lookup(req)
            if customer is None:
                return self.not_found(req)
            return json_response(dict(customer))

    async def _delete(self, req: Req) -> Response:
        with self.lock:
            customer = self._lookup(req)
            if customer is None:
                return self.not_found(req)
            del self.customers[customer["id"]]
            if self._by_external.get(customer.get("externalId", "")) == customer["id"]:
                del self._by_external[customer["externalId"]]
        return Response(status_code=204)
