"""Read models: the queries of the read side (GraphQL, REST), never writing.

Golden records by id (with lineage, xrefs, parents and children), their
history and their versions as of a time are read here for REST and GraphQL
alike; the write repositories are for the write side.

:class:`ReadModel` binds the query functions of :mod:`mdm.db.read.rows` and
:mod:`mdm.db.read.lists` to one read transaction, so callers above the
persistence layer hold no connection and write no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection

from mdm.db.read import lists, ops, rows, trace, transactional
from mdm.db.read.rows import Row

__all__ = ["ReadModel", "Row"]


class ReadModel:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect.name

    def family_rows(self, ids: Sequence[str]) -> list[tuple[str, Row]]:
        return rows.family_rows(self._conn, ids)

    def golden_rows(self, ids: Sequence[str]) -> dict[str, Row]:
        return rows.golden_rows(self._conn, ids)

    def golden_rows_to_survivors(self, ids: Sequence[str]) -> list[dict[str, Row]]:
        return rows.golden_rows_to_survivors(self._conn, ids)

    def merge_chain_rows(self, golden_id: str) -> dict[str, Row]:
        """The current row of ``golden_id`` and of each record it was merged into, by id
        (give them to :func:`~mdm.db.read.rows.survivor_id`)."""
        out: dict[str, Row] = {}
        for found in rows.golden_rows_to_survivors(self._conn, [golden_id]):
            out.update(found)
        return out

    def child_rows(self, parent_ids: Sequence[str]) -> list[Row]:
        return rows.child_rows(self._conn, parent_ids)

    def golden_rows_as_of(self, ids: Sequence[str], as_of: datetime) -> dict[str, Row]:
        return rows.golden_rows_as_of(self._conn, ids, as_of)

    def member_rows(
        self, golden_ids: Sequence[str], order: Literal["source", "id"] = "source"
    ) -> dict[str, list[Row]]:
        return rows.member_rows(self._conn, golden_ids, order)

    def referrer_rows(
        self, entity_type: str, key: str, targets: Sequence[str]
    ) -> dict[str, list[Row]]:
        return rows.referrer_rows(self._conn, entity_type, key, targets)

    def referrer_rows_as_of(
        self, entity_type: str, key: str, targets: Sequence[str], as_of: datetime
    ) -> dict[str, list[Row]]:
        return rows.referrer_rows_as_of(self._conn, entity_type, key, targets, as_of)

    def history_rows(
        self, ids: Sequence[str], first: int, as_of: datetime | None = None
    ) -> dict[str, list[Row]]:
        return rows.history_rows(self._conn, ids, first, as_of)

    def page_rows(
        self, entity_type: str, filters: Mapping[str, Any], *, after_id: str | None, limit: int
    ) -> list[Row]:
        return lists.page_rows(self._conn, entity_type, filters, after_id=after_id, limit=limit)

    def search_rows(
        self, entity_type: str, filters: Mapping[str, Any], names: Sequence[str]
    ) -> list[tuple[Any, ...]]:
        return lists.search_rows(self._conn, entity_type, filters, names)

    def golden_by_attr(self, entity_type: str, key: str, value: str) -> str | None:
        return lists.golden_by_attr(self._conn, entity_type, key, value)

    def golden_by_xref(self, source: str, entity_type: str, source_id: str) -> str | None:
        return lists.golden_by_xref(self._conn, source, entity_type, source_id)

    def task_page(
        self,
        *,
        status: str | None,
        entity_type: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Row]:
        return lists.task_page(
            self._conn, status=status, entity_type=entity_type, after=after, limit=limit
        )

    def tasks_for(self, golden_ids: Sequence[str]) -> dict[str, list[Row]]:
        return lists.tasks_for(self._conn, golden_ids)

    def decisions_for(self, golden_ids: Sequence[str]) -> dict[str, list[Row]]:
        return lists.decisions_for(self._conn, golden_ids)

    def trace(self, correlation_id: str, limit: int) -> list[Row]:
        return trace.trace_rows(self._conn, correlation_id, limit)

    def ops_gauges(self, now: datetime) -> dict[str, Any]:
        return ops.ops_gauges(self._conn, now)

    def ping(self) -> None:
        """Read something, to prove the database answers (readiness)."""
        self._conn.exec_driver_sql("SELECT 1").scalar_one()

    def transaction_rows(
        self, golden_ids: Sequence[str], filters: Mapping[str, Any], first: int
    ) -> dict[str, list[Row]]:
        return transactional.event_rows(self._conn, golden_ids, filters, first)

    def transaction_page(
        self,
        golden_id: str,
        filters: Mapping[str, Any],
        *,
        before: tuple[datetime, int] | None,
        limit: int,
    ) -> list[Row]:
        return transactional.event_page(self._conn, golden_id, filters, before=before, limit=limit)

    def fact_groups(self, golden_ids: Sequence[str], today: date) -> dict[str, list[Row]]:
        return transactional.fact_groups(self._conn, golden_ids, today)
