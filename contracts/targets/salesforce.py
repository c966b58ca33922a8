"""Salesforce REST API: the wire shapes the Account connector sends and reads.

Relied on:
- sObject Rows by External ID, upsert (PATCH answers 201 ``created: true`` or 200
  ``created: false``; a 300 means the external id matched several records):
  https://developer.salesforce.com/docs/platform/api-rest/guide/dome-upsert.html
- sObject Collections upsert (``PATCH /composite/sobjects/{SObject}/{ExternalIdField}``, up to
  200 records, ``allOrNone``, one UpsertResult per record in request order; 400 when the
  request is malformed): https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
- Status codes and error responses (401 with ``errorCode`` INVALID_SESSION_ID, 403 for
  REQUEST_LIMIT_EXCEEDED, 503 when the server is busy):
  http://www.salesforce.com/us/developer/docs/api_rest/Content/errorcodes.htm
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = [
    "COLLECTION_LIMIT",
    "COLLECTION_UPSERT_PATH",
    "RECORD_BY_EXTERNAL_ID_PATH",
    "RETRYABLE_RECORD_CODES",
    "CollectionUpsertRequest",
    "RestError",
    "SaveError",
    "UpsertResult",
]

COLLECTION_LIMIT = 200
RECORD_BY_EXTERNAL_ID_PATH = "/services/data/{api_version}/sobjects/{sobject}/{field}/{value}"
COLLECTION_UPSERT_PATH = "/services/data/{api_version}/composite/sobjects/{sobject}/{field}"

# per-record status codes that succeed when the same record is sent again later
RETRYABLE_RECORD_CODES = frozenset(
    {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG"}
)


class RestError(TypedDict):
    """One element of the JSON array a failed REST call answers with."""

    message: str
    errorCode: str
    fields: NotRequired[list[str]]


class SaveError(TypedDict):
    """One per-record error inside an UpsertResult."""

    statusCode: str
    message: str
    fields: list[str]


class UpsertResult(TypedDict):
    id: NotRequired[str]
    success: bool
    errors: list[SaveError]
    created: NotRequired[bool]


class CollectionUpsertRequest(TypedDict):
    allOrNone: bool
    records: list[dict[str, Any]]
