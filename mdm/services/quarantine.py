"""Quarantine: rejected payloads are kept, listed, and can be submitted again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from matching.port import Matcher
from mdm.db.repository import QT
from mdm.db.types import utcnow
from mdm.services.ingest import IngestItem, ItemResult, ingest_records
from mdm.services.uow import UnitOfWork

__all__ = ["get_quarantined", "list_quarantine", "resubmit"]


def _view(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "source": row["source"],
        "entity_type": row["entity_type"],
        "source_id": row["source_id"],
        "payload": row["payload"],
        "errors": row["errors"],
        "status": row["status"],
        "correlation_id": row["correlation_id"],
        "received_at": row["received_at"].isoformat().replace("+00:00", "Z"),
    }


def list_quarantine(
    uow: UnitOfWork,
    *,
    source: str | None = None,
    entity_type: str | None = None,
    status: str | None = "open",
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    conds = []
    if source:
        conds.append(QT.c.source == source)
    if entity_type:
        conds.append(QT.c.entity_type == entity_type)
    if status:
        conds.append(QT.c.status == status)
    total = uow.conn.execute(select(func.count()).select_from(QT).where(*conds)).scalar_one()
    rows = uow.conn.execute(
        select(QT).where(*conds).order_by(QT.c.received_at, QT.c.id).limit(limit).offset(offset)
    ).mappings()
    return {"total": total, "items": [_view(r) for r in rows]}


def get_quarantined(uow: UnitOfWork, quarantine_id: str) -> dict[str, Any]:
    row = uow.conn.execute(select(QT).where(QT.c.id == quarantine_id)).mappings().first()
    if row is None:
        raise NotFound(f"no quarantined payload '{quarantine_id}'")
    return _view(row)


def resubmit(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    quarantine_id: str,
    record: Any = None,
    source_id: str | None = None,
    correlation_id: str | None,
) -> ItemResult:
    """Ingest the kept payload again (or a corrected one). Success closes the entry;
    failure raises :class:`InvalidInput` and leaves the entry open as it was."""
    item = get_quarantined(uow, quarantine_id)
    if item["status"] != "open":
        raise Conflict(f"quarantined payload '{quarantine_id}' was already {item['status']}")
    payload = item["payload"] if record is None else record
    sid = source_id or item["source_id"]
    [result] = ingest_records(
        uow,
        matcher,
        source=item["source"],
        entity_type=item["entity_type"],
        items=[IngestItem(sid, payload)],
        correlation_id=correlation_id,
        quarantine_invalid=False,
    )
    if result.status != "accepted":
        raise InvalidInput(
            "the payload still breaks the canonical model",
            [FieldError(e["pointer"], e["message"], e["code"]) for e in result.errors],
        )
    uow.conn.execute(
        update(QT)
        .where(QT.c.id == quarantine_id)
        .values(status="resubmitted", resolved_at=utcnow())
    )
    return result
