"""A Salesforce REST stand-in: Accounts, upsert by external id, sObject Collections.

Written from the public docs (dome-upsert, resources-composite-sobjects-collections-upsert,
errorcodes): PATCH by external id answers 201 ``created: true`` or 200 ``created: false``;
collections answer 200 with one UpsertResult per record in order, per-record errors as
``{"statusCode", "message", "fields"}``; failed REST calls answer a JSON array of
``{"message", "errorCode"}``. A relationship by external id that matches nothing is
``INVALID_FIELD`` "Foreign key external ID: ... not found". Accounts are stored by Id and the
external id is only a field, so a client that created instead of upserting would show up as a
duplicate in ``counts()``.
"""

from __future__ import annotations

import itertools
from typing import Any

from starlette.responses import Response

from tests.standins.common import Fault, Req, StandIn, json_response
from tests.standins.salesforce_catalog import SalesforceCatalog

__all__ = ["SalesforceStandIn"]

_VERSION = r"/services/data/v(?P<version>\d+\.\d)"
_ACCOUNT_FIELDS = frozenset(
    {
        "Name",
        "BillingStreet",
        "BillingCity",
        "BillingState",
        "BillingPostalCode",
        "BillingCountry",
        "Phone",
        "Website",
        "ParentId",
        "Parent",
        "Description",
        "Industry",
        "Type",
        "AccountNumber",
        "BillingCountryCode",
        "BillingStateCode",
        "FirstName",
        "LastName",
        "MDM_Active__c",
        "MDM_Merged_Into__c",
        "MDM_Payment_Status__c",
    }
)
_ERRORS = {
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId."),
    503: ("SERVER_UNAVAILABLE", "Server is busy or down for maintenance"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    429: ("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded."),
}


class _RecordError(Exception):
    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.body = {"statusCode": code, "message": message, "fields": fields or []}


class SalesforceStandIn(SalesforceCatalog, StandIn):
    """Accounts here, products and price book entries in
    :mod:`tests.standins.salesforce_catalog`."""

    kind = "salesforce"

    def __init__(
        self,
        *,
        external_id_field: str = "MDM_Golden_Id__c",
        multi_currency: bool = False,
        pricebooks: tuple[str, ...] = ("Partner",),
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.external_id_field = external_id_field
        self.accounts: dict[str, dict[str, Any]] = {}
        self._by_external: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.route(
            "PATCH",
            rf"{_VERSION}/sobjects/Account/(?P<field>[^/]+)/(?P<value>[^/]+)",
            self._upsert_one,
        )
        self.route(
            "GET", rf"{_VERSION}/sobjects/Account/(?P<field>[^/]+)/(?P<value>[^/]+)", self._get
        )
        self.route(
            "DELETE",
            rf"{_VERSION}/sobjects/Account/(?P<field>[^/]+)/(?P<value>[^/]+)",
            self._delete,
        )
        self.route("POST", rf"{_VERSION}/sobjects/Account", self._create)
        self.route(
            "PATCH", rf"{_VERSION}/composite/sobjects/Account/(?P<field>[^/]+)", self._upsert_many
        )
        self.catalog_routes(self.route, multi_currency=multi_currency, pricebooks=pricebooks)

    # the StandIn hooks ----------------------------------------------------------------
    def unauthorized(self) -> Response:
        return json_response(
            [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}], 401
        )

    def error(self, fault: Fault) -> Response:
        code, message = _ERRORS.get(fault.status, ("UNKNOWN_EXCEPTION", "error"))
        return json_response(
            [{"message": fault.message or message, "errorCode": fault.code or code}], fault.status
        )

    def not_found(self, req: Req) -> Response:
        return json_response(
            [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}], 404
        )

    def external_ids(self) -> list[str]:
        return [
            a[self.external_id_field]
            for a in self.accounts.values()
            if a.get(self.external_id_field)
        ] + self.catalog_ids()

    def records(self) -> list[dict[str, Any]]:
        return [dict(a) for a in self.accounts.values()]

    def clear(self) -> None:
        self.accounts.clear()
        self._by_external.clear()
        self.sf_products.clear()
        self.sf_entries.clear()

    def account(self, external_id: str) -> dict[str, Any] | None:
        """The live Account carrying ``external_id``, for tests to read."""
        with self.lock:
            return self._find(external_id)

    # storage ------------------------------------------------------------------------------
    def _find(self, external_id: str) -> dict[str, Any] | None:
        account_id = self._by_external.get(external_id)
        return None if account_id is None else self.accounts[account_id]

    def _store(self, account: dict[str, Any]) -> None:
        self.accounts[account["Id"]] = account
        external_id = account.get(self.external_id_field)
        if external_id:
            self._by_external.setdefault(external_id, account["Id"])

    def _remove(self, account: dict[str, Any]) -> None:
        del self.accounts[account["Id"]]
        external_id = account.get(self.external_id_field)
        if external_id and self._by_external.get(external_id) == account["Id"]:
            del self._by_external[external_id]
            for other in self.accounts.values():
                if other.get(self.external_id_field) == external_id:
                    self._by_external[external_id] = other["Id"]
                    break

    def _new_id(self) -> str:
        return f"001{next(self._ids):015d}"

    def _resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in values.items():
            if name == "attributes":
                continue
            if name not in _ACCOUNT_FIELDS and name != self.external_id_field:
                raise _RecordError(
                    "INVALID_FIELD", f"No such column '{name}' on sobject of type Account"
                )
            if name == "Parent":
                if not isinstance(value, dict) or list(value) not in (
                    [self.external_id_field],
                    ["attributes", self.external_id_field],
                ):
                    raise _RecordError("INVALID_FIELD", "Parent must reference an external id")
                parent = self._find(value[self.external_id_field])
                if parent is None:
                    raise _RecordError(
                        "INVALID_FIELD",
                        f"Foreign key external ID: {value[self.external_id_field]} not found "
                        f"for field {self.external_id_field} in entity Account",
                    )
                out["ParentId"] = parent["Id"]
                continue
            out[name] = value
        return out

    def _apply(self, external_id: str, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        fault = self.record_fault(external_id)
        if fault is not None:
            raise _RecordError(
                fault.code or "UNABLE_TO_LOCK_ROW",
                fault.message or "unable to obtain exclusive access to this record",
            )
        resolved = self._resolve(values)
        account = self._find(external_id)
        if account is None:
            if not resolved.get("Name"):
                raise _RecordError(
                    "REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", ["Name"]
                )
            account = {"Id": self._new_id(), self.external_id_field: external_id}
            account.update(resolved)
            self._store(account)
            return account, True
        account.update(resolved)
        return account, False

    # routes -------------------------------------------------------------------------------
    def _wrong_field(self, req: Req) -> Response | None:
        if req.groups["field"] == self.external_id_field:
            return None
        return json_response(
            [
                {
                    "errorCode": "NOT_FOUND",
                    "message": "Provided external ID field "
                    f"does not exist or is not accessible: {req.groups['field']}",
                }
            ],
            404,
        )

    async def _upsert_one(self, req: Req) -> Response:
        wrong = self._wrong_field(req)
        if wrong is not None:
            return wrong
        body = req.json()
        if not isinstance(body, dict) or "Id" in body:
            return json_response(
                [{"errorCode": "INVALID_FIELD", "message": "Id not allowed in an upsert body"}], 400
            )
        with self.lock:
            try:
                account, created = self._apply(req.groups["value"], body)
            except _RecordError as exc:
                return json_response(
                    [
                        {
                            "message": exc.body["message"],
                            "errorCode": exc.body["statusCode"],
                            "fields": exc.body["fields"],
                        }
                    ],
                    400,
                )
        result = {"id": account["Id"], "success": True, "errors": [], "created": created}
        return json_response(result, 201 if created else 200)

    async def _upsert_many(self, req: Req) -> Response:
        wrong = self._wrong_field(req)
        if wrong is not None:
            return wrong
        body = req.json()
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list) or not records:
            return json_response(
                [{"errorCode": "JSON_PARSER_ERROR", "message": "records is required"}], 400
            )
        if len(records) > 200:
            return json_response(
                [
                    {
                        "errorCode": "EXCEEDED_ID_LIMIT",
                        "message": "Record limit reached. Cannot submit more than "
                        "200 records into this call",
                    }
                ],
                400,
            )
        with self.lock:
            return json_response([self._upsert_item(r, records) for r in records])

    def _upsert_item(self, record: Any, batch: list[Any]) -> dict[str, Any]:
        try:
            if (
                not isinstance(record, dict)
                or (record.get("attributes") or {}).get("type") != "Account"
            ):
                raise _RecordError("INVALID_TYPE", "attributes.type must be Account")
            external_id = record.get(self.external_id_field)
            if not external_id:
                raise _RecordError(
                    "MISSING_ARGUMENT",
                    f"{self.external_id_field} not specified",
                    [self.external_id_field],
                )
            if sum(1 for r in batch if r.get(self.external_id_field) == external_id) > 1:
                raise _RecordError(
                    "DUPLICATE_EXTERNAL_ID",
                    "A user-specified external ID matches more than one record",
                )
            values = {k: v for k, v in record.items() if k != self.external_id_field}
            account, created = self._apply(external_id, values)
        except _RecordError as exc:
            return {"success": False, "errors": [exc.body]}
        return {"id": account["Id"], "success": True, "errors": [], "created": created}

    async def _create(self, req: Req) -> Response:
        body = req.json()
        with self.lock:
            try:
                resolved = self._resolve(body)
            except _RecordError as exc:
                return json_response(
                    [{"message": exc.body["message"], "errorCode": exc.body["statusCode"]}], 400
                )
            account = {"Id": self._new_id(), **resolved}
            self._store(account)
        return json_response({"id": account["Id"], "success": True, "errors": []}, 201)

    async def _get(self, req: Req) -> Response:
        wrong = self._wrong_field(req)
        if wrong is not None:
            return wrong
        account = self.account(req.groups["value"])
        if account is None:
            return self.not_found(req)
        return json_response({"attributes": {"type": "Account"}, **account})

    async def _delete(self, req: Req) -> Response:
        wrong = self._wrong_field(req)
        if wrong is not None:
            return wrong
        with self.lock:
            account = self._find(req.groups["value"])
            if account is None:
                return self.not_found(req)
            self._remove(account)
        return Response(status_code=204)
