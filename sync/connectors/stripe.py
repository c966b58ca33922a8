"""Stripe connector: golden customers as Stripe customers, without ever making a duplicate
(products and prices: :mod:`sync.connectors.stripe_catalog`).

Stripe has no upsert by external id, so the connector keeps the golden id in
``metadata[mdm_golden_id]`` and the dispatcher keeps the ``cus_...`` id in the crosswalk:

- with a known customer id: ``POST /v1/customers/{id}`` (an update; values the golden record
  lost are sent empty, which unsets them). A 404 means someone deleted the customer at Stripe:
  it is created again, under an idempotency key naming the deleted id.
- without one: ``POST /v1/customers`` with ``Idempotency-Key: mdm-{delivery_id}-create``. The key
  is the delivery's, not the version's, so a retry after a lost answer can never create a
  second customer: with the same parameters Stripe replays the first answer (the connector
  then updates that customer, which also revives a customer deleted since); with newer
  parameters Stripe answers 400 ``idempotency_error`` and the connector finds the customer by
  metadata search and updates it. Search is eventually consistent: when it does not show the
  customer yet, the record is retryable (``idempotency_conflict``, ``retry_after`` =
  ``search_retry_after_s``). From the second attempt on, the connector searches before creating,
  which also covers keys older than Stripe's 24-hour retention.

Merges: ``deactivate`` (default) sets ``metadata[mdm_status]=merged`` and
``metadata[mdm_merged_into]`` and leaves the customer, its payment methods and subscriptions
alone; an unmerge sets the status back. ``delete`` deletes the customer (Stripe cancels its
subscriptions; a deleted customer cannot be restored), and an unmerge creates a new one.

Relied on: https://docs.stripe.com/api/customers, https://docs.stripe.com/api/idempotent_requests,
https://docs.stripe.com/api/errors, https://docs.stripe.com/error-low-level,
https://docs.stripe.com/search, https://docs.stripe.com/api/metadata
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from canonical.states import GoldenStatus
from contracts.targets import stripe as wire
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
from sync.connectors.stripe_catalog import StripeCatalog

__all__ = ["StripeConnector", "form_encode", "idempotency_key"]

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_MAX_RECREATES = 2


def idempotency_key(delivery_id: str, purpose: str) -> str:
    """``mdm-{delivery_id}-{purpose}``, hashed when longer than Stripe's 255 characters."""
    key = f"mdm-{delivery_id}-{purpose}"
    if len(key) <= 255:
        return key
    return f"mdm-{hashlib.sha256(key.encode()).hexdigest()}"


def form_encode(params: Mapping[str, Any], *, clearing: bool) -> str:
    """Stripe's form encoding (``address[line1]=...``); None is ``""`` (unset) when clearing."""
    pairs: list[tuple[str, str]] = []

    def walk(name: str, value: Any) -> None:
        if isinstance(value, Mapping):
            if clearing and all(v is None for v in value.values()):
                pairs.append((name, ""))
                return
            for key, item in value.items():
                walk(f"{name}[{key}]", item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{name}[{index}]", item)
        elif value is None:
            if clearing:
                pairs.append((name, ""))
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))

    for name, value in params.items():
        walk(name, value)
    return urlencode(pairs)


class StripeConnector:
    kind = "stripe"
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
        self._search_wait = float(options["search_retry_after_s"])
        self._fields = target_mapping(self.kind, config.mapping, options)
        self._http = HttpClient(
            config,
            headers={"Authorization": f"Bearer {config.credentials['token']}"},
            transport=transport,
            timeout=timeout,
        )
        self._catalog = StripeCatalog(self._http, options, self._error, form_encode)

    def push(self, records: Sequence[OutboundRecord]) -> list[PushResult]:
        return push_each(records, self._push_one)

    def _push_one(self, record: OutboundRecord) -> PushResult:
        if record.entity_type in ("product", "price"):  # sync.connectors.stripe_catalog
            return self._catalog.push(record)
        return (
            self._retire(record) if record.status == GoldenStatus.MERGED else self._upsert(record)
        )

    def recover_target_id(self, golden_id: str) -> str | None:
        response = self._http.send(
            "GET", "/v1/customers/search", params={"query": wire.search_query(golden_id)}
        )
        if response.status_code != 200:
            raise self._error(response)
        found: wire.SearchResult = response.json()
        customers = sorted(found.get("data") or [], key=lambda c: (c.get("created", 0), c["id"]))
        return customers[0]["id"] if customers else None

    def close(self) -> None:
        self._http.close()

    def _params(self, record: OutboundRecord) -> dict[str, Any]:
        params = nest(mapped(record, self._fields))
        params["metadata"] = {
            **(params.get("metadata") or {}),
            wire.GOLDEN_ID_KEY: record.golden_id,
            wire.STATUS_KEY: record.status,
            wire.MERGED_INTO_KEY: record.merged_into
            if record.status == GoldenStatus.MERGED
            else None,
        }
        return params

    def _post(
        self, path: str, body: str, record: OutboundRecord, key: str | None = None
    ) -> httpx.Response:
        headers = {**_FORM, **({"Idempotency-Key": key} if key else {})}
        return self._http.send("POST", path, records=[record], headers=headers, content=body)

    def _upsert(self, record: OutboundRecord) -> PushResult:
        customer_id = record.target_id
        if customer_id is None and record.attempt > 1:
            customer_id = self.recover_target_id(record.golden_id)
        if customer_id is not None:
            return self._update(record, customer_id, recreates=0)
        return self._create(record, idempotency_key(record.delivery_id, "create"), recreates=0)

    def _create(self, record: OutboundRecord, key: str, *, recreates: int) -> PushResult:
        body = form_encode(self._params(record), clearing=False)
        response = self._post("/v1/customers", body, record, key)
        if self._is_idempotency_error(response):
            found = self.recover_target_id(record.golden_id)
            if found is None:
                raise RetryableError(
                    ErrorCode.IDEMPOTENCY_CONFLICT,
                    f"Stripe holds idempotency key {key} for other parameters and its search "
                    "does not show the customer that key created yet",
                    retry_after=self._search_wait,
                    status=400,
                    target_code="idempotency_error",
                )
            return self._update(record, found, recreates=recreates)
        if response.status_code != 200:
            raise self._error(response)
        customer_id = str(response.json()["id"])
        if response.headers.get("Idempotent-Replayed", "").lower() == "true":
            # the customer this key made on an earlier try: bring it to this version
            return self._update(record, customer_id, recreates=recreates)
        return PushResult(record.golden_id, target_id=customer_id)

    def _update(self, record: OutboundRecord, customer_id: str, *, recreates: int) -> PushResult:
        body = form_encode(self._params(record), clearing=True)
        response = self._post(f"/v1/customers/{quote(customer_id, safe='')}", body, record)
        if response.status_code == 404:
            if recreates >= _MAX_RECREATES:
                raise PermanentError(
                    ErrorCode.NOT_FOUND,
                    f"Stripe customer {customer_id} keeps disappearing after re-creation",
                    status=404,
                )
            key = idempotency_key(record.delivery_id, f"recreate-{customer_id}")
            return self._create(record, key, recreates=recreates + 1)
        if response.status_code != 200:
            raise self._error(response)
        return PushResult(record.golden_id, target_id=customer_id)

    def _retire(self, record: OutboundRecord) -> PushResult:
        customer_id = record.target_id or self.recover_target_id(record.golden_id)
        if customer_id is None:
            return PushResult(record.golden_id)
        path = f"/v1/customers/{quote(customer_id, safe='')}"
        if self._delete:
            response = self._http.send("DELETE", path, records=[record])
        else:
            metadata = self._params(record)["metadata"]
            response = self._post(path, form_encode({"metadata": metadata}, clearing=True), record)
        if response.status_code == 404:
            return PushResult(record.golden_id, target_id=customer_id, deleted=True)
        if response.status_code != 200:
            raise self._error(response)
        return PushResult(record.golden_id, target_id=customer_id, deleted=self._delete)

    @staticmethod
    def _is_idempotency_error(response: httpx.Response) -> bool:
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        return (
            response.status_code == 400
            and isinstance(error, dict)
            and error.get("type") == "idempotency_error"
        )

    def _error(self, response: httpx.Response) -> DeliveryError:
        """The one place a Stripe answer becomes a DeliveryError."""
        body = json_body(response)
        error = body.get("error") if isinstance(body, dict) else None
        detail: dict[str, Any] = error if isinstance(error, dict) else {}
        code = detail.get("code") or detail.get("type")
        status = response.status_code
        param = f" (param {detail['param']})" if detail.get("param") else ""
        text = f"Stripe {detail.get('type', status)}: {detail.get('message', 'no message')}{param}"
        should_retry = response.headers.get("Stripe-Should-Retry", "").lower()
        if status == 429 and detail.get("code") == "lock_timeout":
            err: DeliveryError = RetryableError(
                ErrorCode.LOCKED, text, retry_after=retry_after(response)
            )
        elif status == 409:
            err = RetryableError(ErrorCode.LOCKED, text, retry_after=retry_after(response))
        elif should_retry == "true" and status < 500 and status != 429:
            err = RetryableError(ErrorCode.UNAVAILABLE, text, retry_after=retry_after(response))
        elif should_retry == "false" and status >= 500:
            err = PermanentError(ErrorCode.UNEXPECTED, text)
        else:
            err = default_error(response, text)
        err.status = status
        err.target_code = code
        return err
