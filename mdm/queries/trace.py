"""Read: a business transaction followed by its correlation id, end to end."""

from __future__ import annotations

from typing import Any

from canonical.errors import NotFound
from canonical.timestamps import iso
from mdm.db.uow import UnitOfWork

__all__ = ["get_trace"]


def get_trace(uow: UnitOfWork, correlation_id: str, *, limit: int = 500) -> dict[str, Any]:
    """The request, source-record versions, match decisions, golden versions, outbox
    events, delivery attempts, audit rows and quarantined payloads sharing
    ``correlation_id``, in time order (at most ``limit`` of each kind)."""
    items = uow.reads.trace(correlation_id, limit)
    if not items:
        raise NotFound(f"nothing carries correlation id '{correlation_id}'")
    return {
        "correlation_id": correlation_id,
        "items": [{**item, "at": iso(item["at"])} for item in items],
    }
