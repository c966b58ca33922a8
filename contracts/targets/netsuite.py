"""NetSuite REST web services (record service): the customer wire shapes.

Relied on:
- Upsert: only ``PUT`` with an external id in the URL
  (``/services/rest/record/v1/customer/eid:{externalId}``); it creates or updates and answers
  204 No Content with the record's URL in ``Location``:
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156335203191.html
- Error handling: errors are ``{"type", "title", "status", "o:errorDetails": [{"detail",
  "o:errorCode", "o:errorPath"}]}``; an unknown reference such as a parent that does not exist
  is ``INVALID_KEY_OR_REF``:
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
- Concurrency governance: requests above the account's concurrency limit are refused with
  429 and ``CONCURRENCY_LIMIT_EXCEEDED``; the whole account shares the limit.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = [
    "CONCURRENCY_LIMIT_EXCEEDED",
    "INVALID_KEY_OR_REF",
    "RECORD_BY_EXTERNAL_ID_PATH",
    "ErrorBody",
    "ErrorDetail",
    "internal_id_from_location",
]

RECORD_BY_EXTERNAL_ID_PATH = "/services/rest/record/v1/{record_type}/eid:{external_id}"
INVALID_KEY_OR_REF = "INVALID_KEY_OR_REF"
CONCURRENCY_LIMIT_EXCEEDED = "CONCURRENCY_LIMIT_EXCEEDED"

ErrorDetail = TypedDict(
    "ErrorDetail",
    {"detail": str, "o:errorCode": str, "o:errorPath": NotRequired[str]},
)
ErrorBody = TypedDict(
    "ErrorBody",
    {"type": str, "title": str, "status": int, "o:errorDetails": list[ErrorDetail]},
)


def internal_id_from_location(location: str | None) -> str | None:
    """``.../record/v1/customer/647`` -> ``647``; None when there is no numeric tail."""
    if not location:
        return None
    tail = location.rstrip("/").rsplit("/", 1)[-1]
    return tail if tail.isdigit() else None
