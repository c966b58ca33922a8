"""Salesforce connector: golden customers as Accounts, upserted by an external-id field
(products and prices: :mod:`sync.connectors.salesforce_catalog`).

One record goes through sObject Rows by External ID
(``PATCH /services/data/vXX.X/sobjects/Account/{field}/{golden_id}``), several through sObject
Collections (``PATCH .../composite/sobjects/Account/{field}``, ``allOrNone: false``, up to 200),
whose per-record results become per-record outcomes: UNABLE_TO_LOCK_ROW is retryable for that
record alone, other per-record codes are permanent. Upsert by external id is idempotent, so a
retried lost answer never makes a second Account. The parent goes by the parent's golden id
(``Parent: {MDM_Golden_Id__c: ...}``); a parent Salesforce does not know yet is retryable
(``parent_missing``, ``depends_on`` = the parent). Records are upserted in the order given, so a
parent earlier in the same batch resolves.

The default mapping writes the ISO country code into ``BillingCountry``; an org with state and
country picklists takes it in ``BillingCountryCode`` instead (mapping override
``{"BillingCountryCode": "address.country", "BillingCountry": null}``), and person accounts
take ``FirstName``/``LastName`` the same way.

Merges (``on_merge``): ``deactivate`` (default) upserts ``MDM_Active__c = false`` and
``MDM_Merged_Into__c = survivor`` (custom fields the org needs, names are options; the default
mapping also sends ``MDM_Payment_Status__c`` once a customer has a payment status) and every
active upsert sets them back, so an unmerge re-activates; ``delete`` deletes by external id
(Salesforce has no REST merge; a deleted Account goes to the recycle bin with its Contacts),
and an unmerge upserts a new Account, whose new Id the result carries.

Relied on (see also contracts/targets/salesforce.py):
https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html,
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-sobject-upsert-delete.html,
https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html,
http://www.salesforce.com/us/developer/docs/api_rest/Content/errorcodes.htm
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from canonical.states import GoldenStatus
from contracts.targets import salesforce as wire
from contracts.targets import target_mapping
from contracts.targets.mapping import nest
from sync.connectors.base import (
    DeliveryError,
    ErrorCode,
    OutboundRecord,
    PermanentError,
    PushResult,
    RetryableError,
    TargetConfig,
)
from sync.connectors.http import (
    HttpClient,
    default_error,
    json_body,
    retry_after,
    settle,
    target_error,
)
from sync.connectors.mapping import mapped
from sync.connectors.salesforce_catalog import SalesforceCatalog

__all__ = ["SalesforceConnector"]

_FOREIGN_KEY = "Foreign key external ID"


class SalesforceConnector:
    kind = "salesforce"

    def __init__(
        self,
        config: TargetConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        options = config.options
        self.max_batch = int(options["batch_size"])
        self._field = str(options["external_id_field"])
        self._sobject = str(options["sobject"])
        self._version = str(options["api_version"])
        self._deactivate = options["on_merge"] == "deactivate"
        self._active_field = str(options["active_field"])
        self._merged_field = str(options["merged_into_field"])
        self._limit_pause = float(options["limit_pause_s"])
        self._fields = target_mapping(self.kind, config.mapping, options)
        self._http = HttpClient(
            config,
            headers={"Authorization": f"Bearer {config.credentials['token']}"},
            transport=transport,
            timeout=timeout,
        )
        self._catalog = SalesforceCatalog(self._http, options, self._error, self._upsert_many)

    def push(self, records: Sequence[OutboundRecord]) -> list[PushResult]:
        if len({r.golden_id for r in records}) != len(records):
            raise ValueError("a batch carries each golden record once")
        outcomes: list[PushResult | DeliveryError] = []
        for start in range(0, len(records), self.max_batch):
            chunk = records[start : start + self.max_batch]
            paused = target_error(outcomes)
            outcomes.extend([paused] * len(chunk) if paused else self._push_chunk(chunk))
        return settle(records, outcomes)

    def recover_target_id(self, golden_id: str) -> str | None:
        response = self._http.send("GET", self._record_path(golden_id), params={"fields": "Id"})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._error(response)
        return str(response.json()["Id"])

    def close(self) -> None:
        self._http.close()

    def _push_chunk(self, chunk: Sequence[OutboundRecord]) -> list[PushResult | DeliveryError]:
        outcomes: list[PushResult | DeliveryError | None] = [None] * len(chunk)
        catalog = [i for i, r in enumerate(chunk) if r.entity_type in ("product", "price")]
        if catalog:  # sync.connectors.salesforce_catalog
            found = self._catalog.push([chunk[i] for i in catalog])
            for i, outcome in zip(catalog, found, strict=True):
                outcomes[i] = outcome
        accounts = [i for i in range(len(chunk)) if i not in set(catalog)]
        upserts = [
            i for i in accounts if chunk[i].status == GoldenStatus.ACTIVE or self._deactivate
        ]
        deletes = sorted(set(accounts) - set(upserts))
        if len(upserts) == 1:
            outcomes[upserts[0]] = self._attempt(self._upsert_one, chunk[upserts[0]])
        elif upserts:
            try:
                results = self._upsert_many([chunk[i] for i in upserts])
            except DeliveryError as exc:
                results = [exc] * len(upserts)
            for i, outcome in zip(upserts, results, strict=True):
                outcomes[i] = outcome
        for i in deletes:
            paused = target_error(outcomes)
            outcomes[i] = paused or self._attempt(self._delete, chunk[i])
        return [o for o in outcomes if o is not None]

    @staticmethod
    def _attempt(operation: Any, record: OutboundRecord) -> PushResult | DeliveryError:
        try:
            result: PushResult = operation(record)
        except DeliveryError as exc:
            return exc
        return result

    def _record_path(self, golden_id: str) -> str:
        return wire.RECORD_BY_EXTERNAL_ID_PATH.format(
            api_version=self._version,
            sobject=self._sobject,
            field=self._field,
            value=quote(golden_id, safe=""),
        )

    def _body(self, record: OutboundRecord) -> dict[str, Any]:
        body = nest(mapped(record, self._fields, placeholders={"external_id_field": self._field}))
        for name, value in list(body.items()):
            if isinstance(value, dict) and all(v is None for v in value.values()):
                # an empty relationship is cleared through its id field (Parent -> ParentId)
                del body[name]
                body[f"{name[:-3]}__c" if name.endswith("__r") else f"{name}Id"] = None
        if self._deactivate:
            body[self._active_field] = record.status == GoldenStatus.ACTIVE
            body[self._merged_field] = (
                record.merged_into if record.status == GoldenStatus.MERGED else None
            )
        return body

    def _upsert_one(self, record: OutboundRecord) -> PushResult:
        response = self._http.send(
            "PATCH", self._record_path(record.golden_id), records=[record], json=self._body(record)
        )
        if response.status_code not in (200, 201):
            raise self._error(response, record)
        result: wire.UpsertResult = response.json()
        return PushResult(record.golden_id, target_id=result.get("id"))

    def _upsert_many(
        self,
        batch: Sequence[OutboundRecord],
        sobject: str | None = None,
        bodies: Sequence[dict[str, Any]] | None = None,
    ) -> list[PushResult | DeliveryError]:
        """One sObject Collections upsert (Accounts, or ``sobject`` with its ``bodies``)."""
        sobject = sobject or self._sobject
        bodies = bodies if bodies is not None else [self._body(r) for r in batch]
        request: wire.CollectionUpsertRequest = {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": sobject}, self._field: r.golden_id, **body}
                for r, body in zip(batch, bodies, strict=True)
            ],
        }
        path = wire.COLLECTION_UPSERT_PATH.format(
            api_version=self._version, sobject=sobject, field=self._field
        )
        response = self._http.send("PATCH", path, records=batch, json=request)
        if response.status_code != 200:
            raise self._error(response)
        results: list[wire.UpsertResult] = response.json()
        if not isinstance(results, list) or len(results) != len(batch):
            raise PermanentError(
                ErrorCode.UNEXPECTED,
                f"sObject Collections answered {len(results)} results for {len(batch)} records",
                status=200,
            )
        return [
            PushResult(r.golden_id, target_id=res.get("id"))
            if res.get("success")
            else self._record_error(res.get("errors") or [], r, status=200)
            for r, res in zip(batch, results, strict=True)
        ]

    def _delete(self, record: OutboundRecord) -> PushResult:
        response = self._http.send("DELETE", self._record_path(record.golden_id), records=[record])
        if response.status_code not in (200, 204, 404):
            raise self._error(response, record)
        return PushResult(record.golden_id, target_id=record.target_id, deleted=True)

    def _record_error(
        self, errors: Sequence[Any], record: OutboundRecord | None, *, status: int
    ) -> DeliveryError:
        """The one place a Salesforce error code becomes a DeliveryError."""
        first = errors[0] if errors else {}
        code = str(first.get("statusCode") or first.get("errorCode") or "UNKNOWN")
        text = f"Salesforce {code}: {first.get('message') or 'no message'}"
        if code == "UNABLE_TO_LOCK_ROW":
            return RetryableError(ErrorCode.LOCKED, text, status=status, target_code=code)
        if code in wire.RETRYABLE_RECORD_CODES:
            return RetryableError(ErrorCode.UNAVAILABLE, text, status=status, target_code=code)
        if code == "REQUEST_LIMIT_EXCEEDED":
            return RetryableError(
                ErrorCode.RATE_LIMITED,
                text,
                retry_after=self._limit_pause,
                scope="target",
                status=status,
                target_code=code,
            )
        parent = record.attributes.get("parent") if record is not None else None
        if _FOREIGN_KEY in str(first.get("message")) and parent:
            return RetryableError(
                ErrorCode.PARENT_MISSING,
                f"{text} (deliver parent {parent} first)",
                status=status,
                target_code=code,
                depends_on=str(parent),
            )
        if code in ("DUPLICATE_VALUE", "DUPLICATES_DETECTED", "DUPLICATE_EXTERNAL_ID"):
            return PermanentError(ErrorCode.DUPLICATE_VALUE, text, status=status, target_code=code)
        return PermanentError(ErrorCode.INVALID, text, status=status, target_code=code)

    def _error(
        self, response: httpx.Response, record: OutboundRecord | None = None
    ) -> DeliveryError:
        body = json_body(response)
        errors = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        code = first.get("errorCode") or first.get("statusCode")
        status = response.status_code
        if status == 401:
            return RetryableError(
                ErrorCode.UNAUTHORIZED,
                f"Salesforce refused the session ({code or 401}): renew the target's token",
                scope="target",
                status=status,
                target_code=code,
            )
        if code == "REQUEST_LIMIT_EXCEEDED":
            wait = retry_after(response)
            return RetryableError(
                ErrorCode.RATE_LIMITED,
                f"Salesforce REQUEST_LIMIT_EXCEEDED: {first.get('message')}",
                retry_after=self._limit_pause if wait is None else wait,
                scope="target",
                status=status,
                target_code=code,
            )
        if status == 300:
            return PermanentError(
                ErrorCode.DUPLICATE_VALUE,
                f"the external id matches several {self._sobject} records in Salesforce",
                status=status,
            )
        if code and 400 <= status < 500 and status != 429:
            return self._record_error(errors, record, status=status)
        detail = first.get("message")
        err = default_error(
            response, f"Salesforce answered {status}" + (f": {detail}" if detail else "")
        )
        err.target_code = code
        return err
