"""Operational read model: what the metrics gauges show (cheap, index-backed reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from canonical.states import TaskStatus
from mdm.db.repositories.base import DL, OB, RP, ST

__all__ = ["delivery_states", "open_tasks", "ops_gauges", "relay_backlog"]

RELAYS = ("deliveries", "stream")


def open_tasks(conn: Connection) -> list[tuple[str, str, int]]:
    """Open steward tasks by entity type and kind."""
    stmt = (
        select(ST.c.entity_type, ST.c.kind, func.count())
        .where(ST.c.status == TaskStatus.OPEN)
        .group_by(ST.c.entity_type, ST.c.kind)
    )
    return [(e, k, int(n)) for e, k, n in conn.execute(stmt)]


def relay_backlog(conn: Connection, now: datetime) -> list[tuple[str, int, float]]:
    """Per relay (delivery planning, the event stream): outbox events it has not read yet
    and the age in seconds of the oldest of them (0 when caught up)."""
    positions = dict(conn.execute(select(RP.c.name, RP.c.seq)).all())
    last = int(conn.execute(select(func.coalesce(func.max(OB.c.seq), 0))).scalar_one())
    out: list[tuple[str, int, float]] = []
    for relay in RELAYS:
        seq = int(positions.get(relay, 0))
        oldest: datetime | None = conn.execute(
            select(OB.c.created_at).where(OB.c.seq > seq).order_by(OB.c.seq).limit(1)
        ).scalar()
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        out.append((relay, max(0, last - seq), age))
    return out


def delivery_states(conn: Connection) -> list[tuple[str, str, int]]:
    """Deliveries by target and state (pending, in_flight, delivered, dead, held)."""
    stmt = select(DL.c.target, DL.c.state, func.count()).group_by(DL.c.target, DL.c.state)
    return [(t, s, int(n)) for t, s, n in conn.execute(stmt)]


def ops_gauges(conn: Connection, now: datetime) -> dict[str, Any]:
    return {
        "open_tasks": open_tasks(conn),
        "relay_backlog": relay_backlog(conn, now),
        "delivery_states": delivery_states(conn),
    }
