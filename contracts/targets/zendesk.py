"""Zendesk Support API: the organization wire shapes the support connector sends and reads.

Relied on:
- Organizations: ``POST /api/v2/organizations/create_or_update`` creates an organization or
  updates the one with the same ``external_id`` (201 created, 200 updated, body
  ``{"organization": {...}}``); names are unique, so a second organization with a name in use
  is refused with 422 ``RecordInvalid`` whose ``details.name[].error`` is ``DuplicateValue``;
  ``DELETE /api/v2/organizations/{id}`` answers 204; ``GET /api/v2/organizations/search?
  external_id=`` finds by external id (case-insensitive):
  https://developer.zendesk.com/api-reference/ticketing/organizations/organizations/
- Tags: ``PUT`` / ``DELETE /api/v2/organizations/{id}/tags`` add / remove the given tags only:
  https://developer.zendesk.com/api-reference/ticketing/ticket-management/tags/
- Rate limits: 429 with ``Retry-After`` in seconds, account-wide:
  https://developer.zendesk.com/api-reference/introduction/rate-limits/
- Authentication: ``{email}/token:{api_token}`` as Basic credentials, or an OAuth bearer token.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = [
    "CREATE_OR_UPDATE_PATH",
    "DUPLICATE_VALUE",
    "MERGED_TAG",
    "ErrorBody",
    "FieldError",
    "Organization",
    "OrganizationEnvelope",
]

CREATE_OR_UPDATE_PATH = "/api/v2/organizations/create_or_update"
DUPLICATE_VALUE = "DuplicateValue"
# the tag the hub puts on an organization whose golden record was merged away
MERGED_TAG = "mdm_merged"


class FieldError(TypedDict):
    description: str
    error: str


class ErrorBody(TypedDict):
    error: str | dict[str, Any]
    description: NotRequired[str]
    details: NotRequired[dict[str, list[FieldError]]]


class Organization(TypedDict):
    id: int
    name: str
    external_id: NotRequired[str | None]
    domain_names: NotRequired[list[str]]
    details: NotRequired[str | None]
    tags: NotRequired[list[str]]


class OrganizationEnvelope(TypedDict):
    organization: Organization
