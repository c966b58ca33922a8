"""Reads: the audit log searched — who decided what, when and why.

Pages run newest first with an opaque cursor (the ``at`` and id of the last entry
shown), so entries written while a steward pages never shift a page. See
:meth:`mdm.db.repositories.AuditLog.search` for what is indexed and how the search
in reasons is bounded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from canonical.errors import FieldError, InvalidInput
from mdm.db.repositories import AuditQuery
from mdm.db.uow import UnitOfWork
from mdm.queries import cursors

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
    return cursors.encode_at("audit", at, entry_id)


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The ``(at, id)`` a cursor names; 422 on anything this module did not make."""
    invalid = InvalidInput(
        "invalid cursor", [FieldError("/cursor", "not a cursor this search returned")]
    )
    found = cursors.decode_at(cursor, "audit")
    if found is None or found[0].tzinfo is None or not (found[1].isascii() and found[1].isdigit()):
        raise invalid
    at, entry = found[0], int(found[1])
    if not 0 < entry <= _MAX_ID:
        raise invalid
    try:
        return at.astimezone(UTC), entry
    except OverflowError:
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
