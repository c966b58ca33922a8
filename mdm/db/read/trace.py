"""Everything that shares one correlation id, in time order: the request (command), the
source-record versions it stored, the match decisions, golden versions, outbox events,
deliveries' attempts, audit rows and quarantined payloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import Connection

from mdm.db.repositories.base import AU, DA, GV, MD, OB, QT, RL, SR, SRV

__all__ = ["trace_rows"]

Row = dict[str, Any]


def _requests(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(RL).where(RL.c.correlation_id == cid)
    return stmt, lambda r: {
        "kind": "request",
        "at": r["at"],
        "command": r["command"],
        "channel": r["channel"],
        "method": r["method"],
        "path": r["path"],
        "actor": r["actor"],
    }


def _versions(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = (
        select(
            SRV.c.record_id,
            SRV.c.version,
            SRV.c.received_at,
            SR.c.source,
            SR.c.entity_type,
            SR.c.source_id,
            SR.c.golden_id,
        )
        .join(SR, SR.c.id == SRV.c.record_id)
        .where(SRV.c.correlation_id == cid)
    )
    return stmt, lambda r: {
        "kind": "source_record_version",
        "at": r["received_at"],
        "source": r["source"],
        "entity_type": r["entity_type"],
        "source_id": r["source_id"],
        "version": r["version"],
        "golden_id": r["golden_id"],
    }


def _decisions(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(
        MD.c.decided_at,
        MD.c.record_id,
        MD.c.golden_id,
        MD.c.action,
        MD.c.score,
        MD.c.settings_version,
    ).where(MD.c.correlation_id == cid)
    return stmt, lambda r: {
        "kind": "match_decision",
        "at": r["decided_at"],
        "golden_id": r["golden_id"],
        "action": r["action"],
        "score": r["score"],
        "settings_version": r["settings_version"],
    }


def _goldens(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(
        GV.c.golden_id, GV.c.version, GV.c.status, GV.c.cause, GV.c.changed, GV.c.recorded_at
    ).where(GV.c.correlation_id == cid)
    return stmt, lambda r: {
        "kind": "golden_version",
        "at": r["recorded_at"],
        "golden_id": r["golden_id"],
        "version": r["version"],
        "status": r["status"],
        "cause": r["cause"],
        "changed": r["changed"],
    }


def _events(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(OB.c.seq, OB.c.event_id, OB.c.event_type, OB.c.subject, OB.c.created_at).where(
        OB.c.correlation_id == cid
    )
    return stmt, lambda r: {
        "kind": "outbox_event",
        "at": r["created_at"],
        "sequence": r["seq"],
        "event_id": r["event_id"],
        "event_type": r["event_type"],
        "golden_id": r["subject"],
    }


def _attempts(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(DA).where(DA.c.correlation_id == cid)
    return stmt, lambda r: {
        "kind": "delivery_attempt",
        "at": r["at"],
        "target": r["target"],
        "golden_id": r["golden_id"],
        "version": r["version"],
        "outcome": r["outcome"],
        "error": r["error"],
    }


def _audit(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(AU).where(AU.c.correlation_id == cid)
    return stmt, lambda r: {
        "kind": "audit",
        "at": r["at"],
        "actor": r["actor"],
        "action": r["action"],
        "target_id": r["target_id"],
        "reason": r["reason"],
    }


def _quarantine(cid: str) -> tuple[Select[Any], Callable[[Row], Row]]:
    stmt = select(
        QT.c.id,
        QT.c.source,
        QT.c.entity_type,
        QT.c.source_id,
        QT.c.received_at,
        QT.c.errors,
        QT.c.status,
    ).where(QT.c.correlation_id == cid)
    return stmt, lambda r: {
        "kind": "quarantined",
        "at": r["received_at"],
        "quarantine_id": r["id"],
        "source": r["source"],
        "entity_type": r["entity_type"],
        "source_id": r["source_id"],
        "errors": r["errors"],
        "status": r["status"],
    }


PARTS = (_requests, _versions, _decisions, _goldens, _events, _attempts, _audit, _quarantine)


def trace_rows(
    conn: Connection, correlation_id: str, limit: int, extra: tuple[Any, ...] = ()
) -> list[Row]:
    """At most ``limit`` items of each kind, merged in time order (ties in flow order:
    request, versions, decisions, golden versions, events, deliveries, audit)."""
    found: list[tuple[Any, int, Row]] = []
    for n, part in enumerate((*PARTS, *extra)):
        stmt, view = part(correlation_id)
        for row in conn.execute(stmt.limit(limit)).mappings():
            item = view(dict(row))
            found.append((item["at"], n, item))
    found.sort(key=lambda f: (f[0], f[1]))
    return [item for _, _, item in found]
