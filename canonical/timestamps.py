"""One way to write a time on the wire: ISO 8601 in UTC, ending in ``Z``
(``2026-12-07T14:32:13.123456Z``), as every REST answer, GraphQL field, lineage entry
and stored explanation shows it. (``contracts`` writes its event envelopes' ``time`` the
same way with its own line: the pure packages import nothing of each other.)"""

from __future__ import annotations

from datetime import datetime

__all__ = ["iso"]


def iso(value: datetime | None) -> str | None:
    """``value`` as ISO 8601 with ``Z`` for UTC; None stays None."""
    return value.isoformat().replace("+00:00", "Z") if value else None
