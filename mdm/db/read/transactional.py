"""Transactional reads: a customer's events (filtered, newest first) and the sums its
facts are made of, each one statement for a whole batch of golden ids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection

from mdm.db.read.rows import Row, dicts
from mdm.db.repositories.base import chunks
from mdm.db.repositories.transactional import TE, TO

__all__ = ["EVENT_COLUMNS", "event_page", "event_rows", "fact_groups"]

EVENT_COLUMNS = (
    TE.c.id,
    TE.c.golden_id,
    TE.c.source,
    TE.c.event_id,
    TE.c.event_type,
    TE.c.object_type,
    TE.c.object_id,
    TE.c.outcome,
    TE.c.occurred_at,
    TE.c.version,
    TE.c.received_at,
    TE.c.origin,
    TE.c.payload,
)


def _filters(filters: Mapping[str, Any]) -> list[Any]:
    """``type`` (an event type, or an object type for all of its events), ``source``,
    ``since`` / ``until`` (occurred at, inclusive)."""
    conds: list[Any] = []
    kind = filters.get("type")
    if kind:
        conds.append(TE.c.event_type == kind if "." in kind else TE.c.object_type == kind)
    if filters.get("source"):
        conds.append(TE.c.source == filters["source"])
    if filters.get("since") is not None:
        conds.append(TE.c.occurred_at >= filters["since"])
    if filters.get("until") is not None:
        conds.append(TE.c.occurred_at <= filters["until"])
    return conds


def event_rows(
    conn: Connection, golden_ids: Sequence[str], filters: Mapping[str, Any], first: int
) -> dict[str, list[Row]]:
    """The newest ``first`` events of each golden customer that pass ``filters``."""
    out: dict[str, list[Row]] = {}
    for part in chunks(sorted(set(golden_ids))):
        ranked = (
            select(
                *EVENT_COLUMNS,
                func.row_number()
                .over(
                    partition_by=TE.c.golden_id, order_by=(TE.c.occurred_at.desc(), TE.c.id.desc())
                )
                .label("n"),
            )
            .where(TE.c.golden_id.in_(list(part)), *_filters(filters))
            .subquery()
        )
        stmt = (
            select(*(ranked.c[c.name] for c in EVENT_COLUMNS))
            .where(ranked.c.n <= first)
            .order_by(ranked.c.golden_id, ranked.c.occurred_at.desc(), ranked.c.id.desc())
        )
        for row in dicts(conn.execute(stmt)):
            out.setdefault(row["golden_id"], []).append(row)
    return out


def event_page(
    conn: Connection,
    golden_id: str,
    filters: Mapping[str, Any],
    *,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[Row]:
    """One page of a customer's events, newest first, after the ``before`` cursor
    (``(occurred_at, id)`` of the last row of the previous page)."""
    stmt: Select[Any] = select(*EVENT_COLUMNS).where(
        TE.c.golden_id == golden_id, *_filters(filters)
    )
    if before is not None:
        at, row_id = before
        stmt = stmt.where(
            or_(TE.c.occurred_at < at, and_(TE.c.occurred_at == at, TE.c.id < row_id))
        )
    stmt = stmt.order_by(TE.c.occurred_at.desc(), TE.c.id.desc()).limit(limit)
    return list(dicts(conn.execute(stmt)))


def fact_groups(conn: Connection, golden_ids: Sequence[str], today: date) -> dict[str, list[Row]]:
    """Per golden customer, its objects summed by (object type, status, currency)."""
    overdue = case(
        (and_(TO.c.due_on.is_not(None), TO.c.due_on < literal(today)), TO.c.amount_due),
        else_=0,
    )
    out: dict[str, list[Row]] = {}
    for part in chunks(sorted(set(golden_ids))):
        stmt = (
            select(
                TO.c.golden_id,
                TO.c.object_type,
                TO.c.status,
                TO.c.currency,
                func.count().label("count"),
                func.sum(TO.c.amount).label("amount"),
                func.sum(TO.c.amount_due).label("amount_due"),
                func.sum(TO.c.amount_refunded).label("amount_refunded"),
                func.sum(overdue).label("overdue"),
                func.max(TO.c.occurred_at).label("last_at"),
                func.min(TO.c.renews_at).label("next_renewal"),
            )
            .where(TO.c.golden_id.in_(list(part)))
            .group_by(TO.c.golden_id, TO.c.object_type, TO.c.status, TO.c.currency)
        )
        for row in dicts(conn.execute(stmt)):
            out.setdefault(row["golden_id"], []).append(row)
    return out
