"""Reads: the audit log searched — who decided what, when and why.

Pages run newest first with an opaque cursor (the ``at`` and id of the last entry
shown), so entries written while a steward pages never shift a page. See
:meth:`mdm.db.repositories.AuditLog.search` for what is indexed and how the search
in reasons is bounded.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from canonical.errors import FieldError, InvalidInput
from mdm.db.repositories import AuditQuery
from mdm.db.uow import UnitOfWork

__all__ = ["audit_search", "decode_cursor", "encode_cursor", "utc_time"]


_MAX_ID = 2**63 - 1


def utc_time(value: datetime | None, pointer: str) -> datetime | None:
    """``value`` in UTC (naive times read as UTC); 422 naming ``pointer`` for a time
    that has no UTC equivalent (year 1 east of Greenwich, year 9999 west of it)."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(
            "time out of range", [FieldError(pointer, "the time is out of range in UTC")]
        ) from None


def encode_cursor(at: datetime, entry_id: int) -> str:
    text = f"{at.isoformat()}|{entry_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The ``(at, id)`` a cursor names; 422 on anything this module did not make."""
    invalid = InvalidInput(
        "invalid cursor", [FieldError("/cursor", "not a cursor this search returned")]
    )
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, entry = text.partition("|")
        found = datetime.fromisoformat(at), int(entry)
        if found[0].tzinfo is None or not 0 < found[1] <= _MAX_ID:
            raise invalid
        return found[0].astimezone(UTC), found[1]
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        raise invalid from None


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "at": row["at"].isoformat()}


def audit_search(uow: UnitOfWork, query: AuditQuery, *, limit: int) -> dict[str, Any]:
    """``entries`` newest first, ``next`` (the cursor of the next page, or None) and
    ``partial`` (the search in reasons read its whole window without filling the page:
    older entries may match too, ``next`` continues there)."""
    if query.since and query.until and query.since > query.until:
        raise InvalidInput(
            "since is after until", [FieldError("/since", "since must not be after until")]
        )
    page = uow.audit.search(query, limit=limit)
    return {
        "entries": [_entry(r) for r in page.rows],
        "next": encode_cursor(*page.next) if page.next else None,
        "partial": page.partial,
    }
