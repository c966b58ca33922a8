"""Lists and look-ups for the read side: pages, searches, tasks and decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.engine import Connection

from canonical.states import GoldenStatus
from mdm.db.read.rows import GR_COLUMNS, Row, attr, dicts
from mdm.db.repositories.base import GR, MD, SR, ST, chunks

__all__ = [
    "decisions_for",
    "golden_by_attr",
    "golden_by_xref",
    "page_rows",
    "search_rows",
    "task_page",
    "tasks_for",
]


def _dialect(conn: Connection) -> str:
    return conn.dialect.name


def _filters(conn: Connection, filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """``filters`` maps attribute paths to wanted values, plus the special keys
    ``ids``, ``source`` and ``updated_since``."""
    d = _dialect(conn)
    out: list[ColumnElement[bool]] = []
    for key, value in filters.items():
        if value is None:
            continue
        if key == "ids":
            out.append(GR.c.id.in_(list(value)))
        elif key == "source":
            out.append(exists().where(SR.c.golden_id == GR.c.id, SR.c.source == value))
        elif key == "updated_since":
            out.append(GR.c.updated_at >= value)
        else:
            out.append(attr(GR.name, key, d) == str(value))
    return out


def page_rows(
    conn: Connection,
    entity_type: str,
    filters: Mapping[str, Any],
    *,
    after_id: str | None,
    limit: int,
) -> list[Row]:
    """Active golden rows of one type in id order after ``after_id`` (keyset)."""
    stmt = select(*GR_COLUMNS).where(
        GR.c.entity_type == entity_type,
        GR.c.status == GoldenStatus.ACTIVE,
        *_filters(conn, filters),
    )
    if after_id is not None:
        stmt = stmt.where(GR.c.id > after_id)
    stmt = stmt.order_by(GR.c.id).limit(limit)
    return list(dicts(conn.execute(stmt)))


def search_rows(
    conn: Connection, entity_type: str, filters: Mapping[str, Any], names: Sequence[str]
) -> list[tuple[Any, ...]]:
    """``(id, *names)`` of every active golden row of one type matching ``filters``."""
    d = _dialect(conn)
    stmt = select(GR.c.id, *(attr(GR.name, n, d) for n in names)).where(
        GR.c.entity_type == entity_type,
        GR.c.status == GoldenStatus.ACTIVE,
        *_filters(conn, filters),
    )
    return [tuple(r) for r in conn.execute(stmt)]


def golden_by_attr(conn: Connection, entity_type: str, key: str, value: str) -> str | None:
    """The id of the active golden record whose ``attributes.<key>`` equals ``value``
    (the smallest id if several)."""
    stmt = (
        select(GR.c.id)
        .where(
            GR.c.entity_type == entity_type,
            GR.c.status == GoldenStatus.ACTIVE,
            attr(GR.name, key, _dialect(conn)) == value,
        )
        .order_by(GR.c.id)
        .limit(1)
    )
    return conn.execute(stmt).scalar()


def golden_by_xref(conn: Connection, source: str, entity_type: str, source_id: str) -> str | None:
    stmt = select(SR.c.golden_id).where(
        SR.c.source == source, SR.c.entity_type == entity_type, SR.c.source_id == source_id
    )
    return conn.execute(stmt).scalar()


def task_page(
    conn: Connection,
    *,
    status: str | None,
    entity_type: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Row]:
    """Steward tasks, oldest first, keyset on (created_at, id)."""
    stmt = select(ST)
    if status is not None:
        stmt = stmt.where(ST.c.status == status)
    if entity_type is not None:
        stmt = stmt.where(ST.c.entity_type == entity_type)
    if after is not None:
        at, tid = after
        stmt = stmt.where(or_(ST.c.created_at > at, and_(ST.c.created_at == at, ST.c.id > tid)))
    stmt = stmt.order_by(ST.c.created_at, ST.c.id).limit(limit)
    return list(dicts(conn.execute(stmt)))


def tasks_for(conn: Connection, golden_ids: Sequence[str]) -> dict[str, list[Row]]:
    """Steward tasks that name a golden record on either side, oldest first."""
    out: dict[str, list[Row]] = {}
    for part in chunks(sorted(set(golden_ids))):
        stmt = (
            select(ST)
            .where(or_(ST.c.golden_id.in_(part), ST.c.candidate_golden_id.in_(part)))
            .order_by(ST.c.created_at, ST.c.id)
        )
        wanted = set(part)
        for row in dicts(conn.execute(stmt)):
            for side in {row["golden_id"], row["candidate_golden_id"]} & wanted:
                out.setdefault(side, []).append(row)
    return out


def decisions_for(conn: Connection, golden_ids: Sequence[str]) -> dict[str, list[Row]]:
    """Match decisions that produced each golden record's links, newest first."""
    out: dict[str, list[Row]] = {}
    for part in chunks(sorted(set(golden_ids))):
        stmt = (
            select(MD, SR.c.source, SR.c.source_id)
            .join(SR, SR.c.id == MD.c.record_id, isouter=True)
            .where(MD.c.golden_id.in_(part))
            .order_by(MD.c.decided_at.desc(), MD.c.id.desc())
        )
        for row in dicts(conn.execute(stmt)):
            out.setdefault(row["golden_id"], []).append(row)
    return out
