"""Zendesk connector: golden customers as Zendesk Support organizations, matched on external_id.

``POST /api/v2/organizations/create_or_update`` with ``external_id`` = the golden id creates or
updates (idempotent, so a retried lost answer never makes a second organization); the answer's
``organization.id`` goes into the crosswalk. Organization names are unique in Zendesk: 422
``DuplicateValue`` on ``name`` is permanent, with a message saying which name collides. 429 with
``Retry-After`` is Zendesk's account-wide rate limit: retryable with scope ``target`` and
``retry_after`` = the header, so the dispatcher pauses the whole target for that long. A golden
person becomes an organization named after the person, without email domains (a person's
mailbox domain would pull unrelated users into it).

Merges: ``deactivate`` (default) adds the ``mdm_merged`` tag through the tags endpoint (Zendesk
organizations have no active flag; tags are what views, triggers and reports filter on), and
an active delivery that finds the tag on the organization removes it again (unmerge). The tags
endpoints need "tagging of users and organizations" enabled in Zendesk's customer settings.
``delete`` deletes the organization; an unmerge creates it again (a new organization id).

Relied on: https://developer.zendesk.com/api-reference/ticketing/organizations/organizations/,
https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/,
https://developer.zendesk.com/api-reference/introduction/rate-limits/;
see contracts/targets/zendesk.py.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import httpx

from canonical.states import GoldenStatus
from contracts.targets import target_mapping
from contracts.targets import zendesk as wire
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

__all__ = ["ZendeskConnector"]

_LIST_FIELDS = frozenset({"domain_names", "tags"})


def _authorization(credentials: Any) -> str:
    token = credentials["token"]
    email = credentials.get("email")
    if not email:
        return f"Bearer {token}"
    basic = base64.b64encode(f"{email}/token:{token}".encode()).decode()
    return f"Basic {basic}"


class ZendeskConnector:
    kind = "zendesk"
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
        self._tag = str(options["merged_tag"])
        self._fields = target_mapping(self.kind, config.mapping, options)
        self._http = HttpClient(
            config,
            headers={"Authorization": _authorization(config.credentials)},
            transport=transport,
            timeout=timeout,
        )

    def push(self, records: Sequence[OutboundRecord]) -> list[PushResult]:
        return push_each(records, self._push_one)

    def _push_one(self, record: OutboundRecord) -> PushResult:
        return (
            self._retire(record) if record.status == GoldenStatus.MERGED else self._upsert(record)
        )

    def recover_target_id(self, golden_id: str) -> str | None:
        response = self._http.send(
            "GET", "/api/v2/organizations/search", params={"external_id": golden_id}
        )
        if response.status_code != 200:
            raise self._error(response, None)
        organizations = response.json().get("organizations") or []
        return str(organizations[0]["id"]) if organizations else None

    def close(self) -> None:
        self._http.close()

    def _body(self, record: OutboundRecord) -> dict[str, Any]:
        body = nest(mapped(record, self._fields))
        for name in _LIST_FIELDS & body.keys():
            if body[name] is None:
                body[name] = []
        body["external_id"] = record.golden_id
        return body

    def _upsert(self, record: OutboundRecord) -> PushResult:
        response = self._http.send(
            "POST",
            wire.CREATE_OR_UPDATE_PATH,
            records=[record],
            json={"organization": self._body(record)},
        )
        if response.status_code not in (200, 201):
            raise self._error(response, record)
        organization: wire.Organization = response.json()["organization"]
        organization_id = str(organization["id"])
        if self._tag in (organization.get("tags") or []):
            self._tags("DELETE", organization_id, record)
        return PushResult(record.golden_id, target_id=organization_id)

    def _retire(self, record: OutboundRecord) -> PushResult:
        organization_id = record.target_id or self.recover_target_id(record.golden_id)
        if organization_id is None:
            return PushResult(record.golden_id)
        if self._delete:
            response = self._http.send(
                "DELETE", f"/api/v2/organizations/{organization_id}", records=[record]
            )
            gone = response.status_code in (204, 404)
        else:
            response = self._tags("PUT", organization_id, record)
            gone = response.status_code == 404
        if gone:
            return PushResult(record.golden_id, target_id=organization_id, deleted=True)
        return PushResult(record.golden_id, target_id=organization_id)

    def _tags(self, method: str, organization_id: str, record: OutboundRecord) -> httpx.Response:
        response = self._http.send(
            method,
            f"/api/v2/organizations/{organization_id}/tags",
            records=[record],
            json={"tags": [self._tag]},
        )
        if response.status_code not in (200, 204, 404):
            raise self._error(response, record)
        return response

    def _error(self, response: httpx.Response, record: OutboundRecord | None) -> DeliveryError:
        """The one place a Zendesk answer becomes a DeliveryError."""
        body = json_body(response)
        status = response.status_code
        detail = body if isinstance(body, dict) else {}
        error = detail.get("error")
        if isinstance(error, dict):
            code, description = error.get("title"), error.get("message")
        else:
            code, description = error, detail.get("description")
        field_errors = detail.get("details") or {}
        name_errors = field_errors.get("name") if isinstance(field_errors, dict) else None
        if status == 422 and any(e.get("error") == wire.DUPLICATE_VALUE for e in name_errors or []):
            name = self._body(record).get("name") if record is not None else None
            return PermanentError(
                ErrorCode.DUPLICATE_VALUE,
                f"Zendesk already has another organization named {name!r} (organization names "
                "are unique in Zendesk): rename one of the golden records, or merge them",
                status=status,
                target_code=wire.DUPLICATE_VALUE,
            )
        text = f"Zendesk {code or status}: {description or field_errors or 'no description'}"
        if status == 429:
            return RetryableError(
                ErrorCode.RATE_LIMITED,
                text,
                retry_after=retry_after(response),
                scope="target",
                status=status,
                target_code=code,
            )
        if status == 422:
            return PermanentError(ErrorCode.INVALID, text, status=status, target_code=code)
        err = default_error(response, text)
        err.target_code = code
        return err
