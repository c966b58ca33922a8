"""NetSuite connector: golden customers as NetSuite customer records, upserted by external id
(products and prices: :mod:`sync.connectors.netsuite_catalog`).

``PUT /services/rest/record/v1/customer/eid:{golden_id}`` creates or updates (idempotent, so a
retried lost answer never makes a second customer) and answers 204 with the record's URL in
``Location``, whose tail is the internal id the crosswalk keeps. The parent goes as
``{"externalId": parent_golden_id}``; NetSuite answers 400 ``INVALID_KEY_OR_REF`` while it does
not know that parent, which is retryable with ``depends_on`` = the parent, so the dispatcher can
deliver the parent first. Above the account's concurrency limit NetSuite answers 429
``CONCURRENCY_LIMIT_EXCEEDED`` (a RESTlet 400 ``SSS_REQUEST_LIMIT_EXCEEDED``): retryable with
scope ``target`` (the limit is account-wide), for ``Retry-After`` or ``concurrency_pause_s``.
The address book is always sent with ``replace=addressBook``, so an update replaces the default
address instead of adding one per delivery (and an empty address book removes it). A value the
golden record lost is sent as ``null``, which deletes the field at NetSuite.

Merges: ``deactivate`` (default) upserts ``isInactive: true`` and every active upsert sends
``isInactive: false``, so an unmerge re-activates; ``delete`` deletes by external id, and an
unmerge upserts a new record (new internal id in the result).

Relied on: https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156335203191.html
(upsert), https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
(errors), https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545142173.html
(null deletes a body field), https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/chapter_1545142407.html
(sublists, ``replace``); see contracts/targets/netsuite.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from canonical.states import GoldenStatus
from contracts.targets import netsuite as wire
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
from sync.connectors.http import HttpClient, default_error, json_body, push_each, retry_after
from sync.connectors.mapping import mapped
from sync.connectors.netsuite_catalog import NetSuiteCatalog

__all__ = ["NetSuiteConnector"]

# the account's concurrency limit: REST web services answer 429 CONCURRENCY_LIMIT_EXCEEDED,
# RESTlets (a gateway in front of the account) 400 SSS_REQUEST_LIMIT_EXCEEDED; either is a
# pause of the whole target, never a dead letter
_LIMIT_CODES = frozenset({wire.CONCURRENCY_LIMIT_EXCEEDED, "SSS_REQUEST_LIMIT_EXCEEDED"})


def _is_sublist(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("items"), list)


def _cleared(value: Any) -> Any:
    """Drop None inside objects and lists; an object left empty is None, so a lost parent
    goes as ``null`` and a lost address as an empty sublist."""
    if isinstance(value, dict):
        inner = {k: c for k, v in value.items() if (c := _cleared(v)) is not None}
        return inner or None
    if isinstance(value, list):
        return [v for v in (_cleared(item) for item in value) if v is not None]
    return value


class NetSuiteConnector:
    kind = "netsuite"
    max_batch = 1

    def __init__(
        self,
        config: TargetConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        options = config.options
        self._delete = options["on_merge"] == "delete"
        self._record_type = str(options["record_type"])
        self._pause = float(options["concurrency_pause_s"])
        self._fields = target_mapping(self.kind, config.mapping, options)
        self._http = HttpClient(
            config,
            headers={"Authorization": f"Bearer {config.credentials['token']}"},
            transport=transport,
            timeout=timeout,
        )
        self._catalog = NetSuiteCatalog(self._http, options, self._error)

    def push(self, records: Sequence[OutboundRecord]) -> list[PushResult]:
        return push_each(records, self._push_one)

    def recover_target_id(self, golden_id: str) -> str | None:
        response = self._http.send("GET", self._path(golden_id), params={"fields": "id"})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._error(response, None)
        return str(response.json()["id"])

    def close(self) -> None:
        self._http.close()

    def _path(self, golden_id: str) -> str:
        return wire.RECORD_BY_EXTERNAL_ID_PATH.format(
            record_type=self._record_type, external_id=quote(golden_id, safe="")
        )

    def _body(self, record: OutboundRecord) -> dict[str, Any]:
        body = {k: _cleared(v) for k, v in nest(mapped(record, self._fields)).items()}
        body["isInactive"] = record.status == GoldenStatus.MERGED
        return body

    def _push_one(self, record: OutboundRecord) -> PushResult:
        if record.entity_type in ("product", "price"):  # sync.connectors.netsuite_catalog
            return self._catalog.push(record)
        path = self._path(record.golden_id)
        if record.status == GoldenStatus.MERGED and self._delete:
            response = self._http.send("DELETE", path, records=[record])
            if response.status_code not in (204, 404):
                raise self._error(response, record)
            return PushResult(record.golden_id, target_id=record.target_id, deleted=True)
        body = self._body(record)
        sublists = [name for name, value in body.items() if _is_sublist(value)]
        params = {"replace": ",".join(sublists)} if sublists else None
        response = self._http.send("PUT", path, records=[record], json=body, params=params)
        if response.status_code not in (200, 204):
            raise self._error(response, record)
        internal_id = wire.internal_id_from_location(response.headers.get("Location"))
        return PushResult(record.golden_id, target_id=internal_id or record.target_id)

    def _error(self, response: httpx.Response, record: OutboundRecord | None) -> DeliveryError:
        """The one place a NetSuite answer becomes a DeliveryError."""
        body = json_body(response)
        details = body.get("o:errorDetails") if isinstance(body, dict) else None
        first: dict[str, Any] = details[0] if isinstance(details, list) and details else {}
        code = first.get("o:errorCode")
        text = f"NetSuite {code or response.status_code}: {first.get('detail', 'no detail')}"
        status = response.status_code
        parent = record.attributes.get("parent") if record is not None else None
        if (
            code == wire.INVALID_KEY_OR_REF
            and parent
            and "parent" in str(first.get("o:errorPath", "parent"))
        ):
            return RetryableError(
                ErrorCode.PARENT_MISSING,
                f"{text} (NetSuite does not know parent {parent} yet: deliver it first)",
                status=status,
                target_code=code,
                depends_on=str(parent),
            )
        if status == 429 or code in _LIMIT_CODES:
            wait = retry_after(response)
            return RetryableError(
                ErrorCode.CONCURRENCY_LIMIT if code in _LIMIT_CODES else ErrorCode.RATE_LIMITED,
                text,
                retry_after=self._pause if wait is None else wait,
                scope="target",
                status=status,
                target_code=code,
            )
        if status == 400:
            return PermanentError(ErrorCode.INVALID, text, status=status, target_code=code)
        err = default_error(response, text)
        err.target_code = code
        return err
