"""Transactional events, the objects they describe, and sources' webhook secrets.

Intake reads a whole batch in a few statements (stored ids, objects) and writes it
in a few more (events by COPY on PostgreSQL, objects inserted or updated in one
``executemany`` each). Linking parked events, and following merges, unmerges and
splits, are set-based ``UPDATE`` statements on the anchor or golden id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Table, and_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from canonical.states import GoldenStatus
from mdm.db import tables as t
from mdm.db.repositories.base import GR, SR, Repository, chunks, dicts, in_list

__all__ = ["TE", "TO", "WH", "SourceWebhooks", "TransactionalEvents"]


def _table(row_class: Any) -> Table:
    table: Table = row_class.__table__
    return table


TE = _table(t.TransactionalEventRow)
TO = _table(t.TransactionalObjectRow)
WH = _table(t.SourceWebhookRow)

_OBJECT_KEY = ("source", "object_type", "object_id")
# the PostgreSQL array type of each object column, for updates over arrays
_PG_ARRAY = {
    **{c.name: "text[]" for c in TO.c},
    **dict.fromkeys(
        ("amount", "amount_paid", "amount_due", "amount_refunded", "version"), "bigint[]"
    ),
    "stage": "integer[]",
    "due_on": "date[]",
    "renews_at": "timestamptz[]",
    "occurred_at": "timestamptz[]",
    "updated_at": "timestamptz[]",
    "data": "jsonb[]",
}
_LINK = ("golden_id", "record_id", "anchor_golden_id")


class TransactionalEvents(Repository):
    # -- intake ------------------------------------------------------------------

    def customer_records(
        self, source: str, source_ids: Sequence[str]
    ) -> dict[str, tuple[str, str]]:
        """``source_id -> (record id, golden id)`` of the customer records of ``source``
        (the xrefs alone: no payloads)."""
        out: dict[str, tuple[str, str]] = {}
        for part in chunks(sorted(set(source_ids))):
            stmt = select(SR.c.source_id, SR.c.id, SR.c.golden_id).where(
                SR.c.source == source,
                SR.c.entity_type == "customer",
                in_list(self.dialect, SR.c.source_id, part),
            )
            out.update((sid, (rid, gid)) for sid, rid, gid in self.conn.execute(stmt))
        return out

    def stored(self, source: str, event_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Events of ``source`` already stored, by event id: their outcome and link."""
        out: dict[str, dict[str, Any]] = {}
        for part in chunks(sorted(set(event_ids))):
            stmt = select(TE.c.event_id, TE.c.outcome, TE.c.golden_id).where(
                TE.c.source == source, in_list(self.dialect, TE.c.event_id, part)
            )
            out.update((e, {"outcome": o, "golden_id": g}) for e, o, g in self.conn.execute(stmt))
        return out

    def insert_events(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """The events and their tracking key; a concurrent writer of the same (source,
        event id) makes this :class:`UniqueRace` (the batch runs again, a duplicate)."""
        self._insert_racing(TE, rows)

    def objects(
        self, source: str, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Current object states by ``(object_type, object_id)``."""
        wanted = set(keys)
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for part in chunks(sorted({oid for _, oid in wanted})):
            stmt = select(TO).where(
                TO.c.source == source, in_list(self.dialect, TO.c.object_id, part)
            )
            for row in self.conn.execute(stmt).mappings():
                key = (row["object_type"], row["object_id"])
                if key in wanted:
                    out[key] = dict(row)
        return out

    def insert_objects(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(TO, rows)

    def update_objects(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows carry every column; the key columns find the row. PostgreSQL gets one
        statement over arrays (an ``executemany`` there is a statement per row)."""
        if not rows:
            return
        if self.dialect == "postgresql":
            self._update_objects_pg(rows)
            return
        cols = [c.name for c in TO.c if c.name not in _OBJECT_KEY]
        stmt = (
            update(TO)
            .where(*(TO.c[k] == bindparam(f"_{k}") for k in _OBJECT_KEY))
            .values({c: bindparam(c) for c in cols})
        )
        self.conn.execute(
            stmt,
            [{**{c: r[c] for c in cols}, **{f"_{k}": r[k] for k in _OBJECT_KEY}} for r in rows],
        )

    def _update_objects_pg(self, rows: Sequence[Mapping[str, Any]]) -> None:
        names = [c.name for c in TO.c]
        sets = ", ".join(f"{n} = v.{n}" for n in names if n not in _OBJECT_KEY)
        arrays = ", ".join(f"%({n})s::{_PG_ARRAY[n]}" for n in names)
        keys = " AND ".join(f"t.{k} = v.{k}" for k in _OBJECT_KEY)
        sql = (
            f"UPDATE transactional_object AS t SET {sets} "
            f"FROM unnest({arrays}) AS v({', '.join(names)}) WHERE {keys}"
        )
        params = {
            n: [orjson.dumps(r[n]).decode() if n == "data" else r[n] for r in rows] for n in names
        }
        self.conn.exec_driver_sql(sql, params)

    # -- parked events and links -------------------------------------------------

    def parked(self, customer_source: str, customer_ids: Sequence[str]) -> set[str]:
        """Which of ``customer_ids`` (of ``customer_source``) have parked events."""
        found: set[str] = set()
        for part in chunks(sorted(set(customer_ids))):
            stmt = (
                select(TE.c.customer_id)
                .where(
                    TE.c.golden_id.is_(None),
                    TE.c.customer_source == customer_source,
                    in_list(self.dialect, TE.c.customer_id, part),
                )
                .distinct()
            )
            found.update(self.conn.execute(stmt).scalars())
        return found

    def link(
        self, customer_source: str, customer_id: str, link: Mapping[str, str | None]
    ) -> list[dict[str, Any]]:
        """Link a parked customer's events and objects; returns the objects linked."""
        values = {k: link[k] for k in _LINK}
        for table in (TE, TO):
            self.conn.execute(
                update(table)
                .where(
                    table.c.golden_id.is_(None),
                    table.c.customer_source == customer_source,
                    table.c.customer_id == customer_id,
                )
                .values(values)
            )
        stmt = select(TO).where(
            TO.c.golden_id == link["golden_id"],
            TO.c.customer_source == customer_source,
            TO.c.customer_id == customer_id,
        )
        return list(dicts(self.conn.execute(stmt)))

    # -- following merges, unmerges and splits -----------------------------------

    def move_golden(self, from_ids: Sequence[str], to: str) -> None:
        """Everything linked to ``from_ids`` now stands for ``to`` (a merge)."""
        for table in (TE, TO):
            self.conn.execute(
                update(table)
                .where(in_list(self.dialect, table.c.golden_id, list(from_ids)))
                .values(golden_id=to)
            )

    def move_records(self, record_ids: Sequence[str], to: str) -> None:
        """What is anchored to these source records now stands for ``to``."""
        for part in chunks(sorted(set(record_ids))):
            for table in (TE, TO):
                self.conn.execute(
                    update(table)
                    .where(in_list(self.dialect, table.c.record_id, part))
                    .values(golden_id=to)
                )

    def merged_into(self, golden_ids: Sequence[str]) -> list[str]:
        """Golden records merged into any of ``golden_ids`` (one level)."""
        stmt = select(GR.c.id).where(
            GR.c.status == GoldenStatus.MERGED,
            in_list(self.dialect, GR.c.merged_into, list(golden_ids)),
        )
        return sorted(self.conn.execute(stmt).scalars())

    def anchors_on(self, golden_id: str) -> set[str]:
        """The crosswalk anchors of what stands for ``golden_id``."""
        stmt = (
            select(TO.c.anchor_golden_id)
            .where(TO.c.golden_id == golden_id, TO.c.anchor_golden_id.is_not(None))
            .union(
                select(TE.c.anchor_golden_id).where(
                    TE.c.golden_id == golden_id, TE.c.anchor_golden_id.is_not(None)
                )
            )
        )
        return set(self.conn.execute(stmt).scalars())

    def move_anchors(self, anchors: Sequence[str], on: str, to: str) -> None:
        for table in (TE, TO):
            self.conn.execute(
                update(table)
                .where(
                    table.c.golden_id == on,
                    in_list(self.dialect, table.c.anchor_golden_id, list(anchors)),
                )
                .values(golden_id=to)
            )

    # -- payments ----------------------------------------------------------------

    def payment_statuses(self, golden_ids: Sequence[str]) -> dict[str, str]:
        """The ``payment_status`` attribute of those of ``golden_ids`` that have one."""
        value: Any = GR.c.attributes["payment_status"].as_string()
        out: dict[str, str] = {}
        for part in chunks(sorted(set(golden_ids))):
            stmt = select(GR.c.id, value).where(
                in_list(self.dialect, GR.c.id, part), value.is_not(None)
            )
            out.update((gid, status) for gid, status in self.conn.execute(stmt))
        return out

    def newest_payments(self, golden_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each golden customer's payment with the newest applied event (status, event,
        source, time)."""
        out: dict[str, dict[str, Any]] = {}
        for part in chunks(sorted(set(golden_ids))):
            ranked = (
                select(
                    TO.c.golden_id,
                    TO.c.source,
                    TO.c.status,
                    TO.c.event_id,
                    TO.c.occurred_at,
                    func.row_number()
                    .over(
                        partition_by=TO.c.golden_id,
                        order_by=(TO.c.occurred_at.desc(), TO.c.stage.desc(), TO.c.object_id),
                    )
                    .label("n"),
                )
                .where(TO.c.object_type == "payment", in_list(self.dialect, TO.c.golden_id, part))
                .subquery()
            )
            stmt = select(ranked).where(ranked.c.n == 1)
            for row in self.conn.execute(stmt).mappings():
                out[row["golden_id"]] = dict(row)
        return out

    def events_of_objects(
        self, source: str, object_type: str, object_id: str
    ) -> list[dict[str, Any]]:
        """One object's whole history, oldest first (for tests and support)."""
        stmt = (
            select(TE)
            .where(
                and_(
                    TE.c.source == source,
                    TE.c.object_type == object_type,
                    TE.c.object_id == object_id,
                )
            )
            .order_by(TE.c.occurred_at, TE.c.id)
        )
        return list(dicts(self.conn.execute(stmt)))


class SourceWebhooks(Repository):
    def get(self, source: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(WH).where(WH.c.source == source)).mappings().first()
        return dict(row) if row else None

    def put(self, row: Mapping[str, Any]) -> None:
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = insert(WH).values(**row)
        keep = {"source", "created_at"}
        stmt = stmt.on_conflict_do_update(
            index_elements=["source"], set_={c: stmt.excluded[c] for c in row if c not in keep}
        )
        self.conn.execute(stmt)
