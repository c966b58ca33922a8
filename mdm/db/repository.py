"""SQL for the golden-record core, written against SQLAlchemy Core.

Reads fetch whole batches in one statement each; writes go out as
``executemany``. Nothing here commits: the unit of work owns the transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    String,
    and_,
    any_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from matching.port import Candidate
from mdm.db.tables import (
    AuditRow,
    GoldenRecordRow,
    GoldenVersionRow,
    MatchDecisionRow,
    MatchKeyRow,
    OutboxRow,
    QuarantineRow,
    SourceRecordRow,
    SourceRecordVersionRow,
    SourceSystemRow,
    StewardTaskRow,
)

__all__ = ["CoreRepository", "chunks"]

SR = SourceRecordRow.__table__  # type: ignore[attr-defined]
SRV = SourceRecordVersionRow.__table__  # type: ignore[attr-defined]
GR = GoldenRecordRow.__table__  # type: ignore[attr-defined]
GV = GoldenVersionRow.__table__  # type: ignore[attr-defined]
MK = MatchKeyRow.__table__  # type: ignore[attr-defined]
MD = MatchDecisionRow.__table__  # type: ignore[attr-defined]
ST = StewardTaskRow.__table__  # type: ignore[attr-defined]
OB = OutboxRow.__table__  # type: ignore[attr-defined]
QT = QuarantineRow.__table__  # type: ignore[attr-defined]
SS = SourceSystemRow.__table__  # type: ignore[attr-defined]
AU = AuditRow.__table__  # type: ignore[attr-defined]

_IN_CHUNK = 500
_COPY_FROM = 20  # below this many rows a plain INSERT beats COPY's set-up round trips


def chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _in(dialect: str, column: Any, values: Sequence[Any]) -> Any:
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter instead of
    hundreds (cheaper to send, parse and plan)."""
    if dialect == "postgresql":
        return column == any_(literal(list(values), ARRAY(String)))
    return column.in_(list(values))


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def lock_id(text: str) -> int:
    """A signed 64-bit advisory-lock id for a string key."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


class CoreRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    def _insert(self, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many rows. PostgreSQL gets COPY (one stream instead of a statement per
        row, about ten times faster for a chunk); SQLite's executemany is a C loop."""
        if not rows:
            return
        if self.dialect != "postgresql" or len(rows) < _COPY_FROM:
            self.conn.execute(insert(table), list(rows))
            return
        groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
        raw = self.conn.connection.driver_connection
        for cols, group in groups.items():
            json_cols = {c for c in cols if isinstance(table.c[c].type, JSON)}
            sql = f"COPY {table.name} ({', '.join(cols)}) FROM STDIN"
            with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
                for row in group:
                    copy.write_row(
                        [
                            _json_text(row[c]) if c in json_cols and row[c] is not None else row[c]
                            for c in cols
                        ]
                    )

    # -- locking ---------------------------------------------------------------

    def lock_keys(self, keys: Iterable[str]) -> None:
        """Serialise writers that touch the same record or identity (PostgreSQL only;
        SQLite writers are already serialised by BEGIN IMMEDIATE)."""
        if self.dialect != "postgresql":
            return
        ids = sorted({lock_id(k) for k in keys})
        if not ids:
            return
        self.conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%(ids)s::bigint[]) AS t(k) ORDER BY k",
            {"ids": ids},
        )

    # -- sources ---------------------------------------------------------------

    def source_exists(self, name: str) -> bool:
        # Sources are never removed, so a pooled connection remembers the ones it has seen.
        known: set[str] = self.conn.info.setdefault("known_sources", set())
        if name in known:
            return True
        found = self.conn.execute(select(SS.c.name).where(SS.c.name == name)).first() is not None
        if found:
            known.add(name)
        return found

    def list_sources(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(select(SS).order_by(SS.c.name)).mappings()
        return [dict(r) for r in rows]

    def add_source(self, row: Mapping[str, Any]) -> None:
        self._insert(SS, [row])

    # -- source records --------------------------------------------------------

    def records_by_source_ids(
        self, source: str, entity_type: str, source_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for part in chunks(list(source_ids)):
            stmt = select(SR).where(
                SR.c.source == source,
                SR.c.entity_type == entity_type,
                _in(self.dialect, SR.c.source_id, part),
            )
            for row in self.conn.execute(stmt).mappings():
                found[row["source_id"]] = dict(row)
        return found

    def records_by_keys(
        self, keys: Sequence[tuple[str, str, str]]
    ) -> dict[tuple[str, str, str], dict[str, Any]]:
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for part in chunks(list(keys)):
            stmt = select(SR).where(tuple_(SR.c.source, SR.c.entity_type, SR.c.source_id).in_(part))
            for row in self.conn.execute(stmt).mappings():
                found[(row["source"], row["entity_type"], row["source_id"])] = dict(row)
        return found

    def members_of(self, golden_ids: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(golden_ids))):
            stmt = select(SR).where(_in(self.dialect, SR.c.golden_id, part)).order_by(SR.c.id)
            out.extend(dict(r) for r in self.conn.execute(stmt).mappings())
        return out

    def records_referring_to(self, ref_keys: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for part in chunks(sorted(set(ref_keys))):
            stmt = select(SR).where(_in(self.dialect, SR.c.ref_key, part))
            out.extend(dict(r) for r in self.conn.execute(stmt).mappings())
        return out

    def insert_records(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(SR, rows)

    def update_records(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows carry ``id`` plus the columns to set; all rows must set the same columns."""
        if not rows:
            return
        by_cols: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            cols = tuple(sorted(k for k in row if k != "id"))
            by_cols.setdefault(cols, []).append({**row, "_id": row["id"]})

        for cols, group in by_cols.items():
            stmt = (
                update(SR)
                .where(SR.c.id == bindparam("_id"))
                .values({c: bindparam(c) for c in cols})
            )
            self.conn.execute(stmt, [{k: v for k, v in g.items() if k != "id"} for g in group])

    def insert_record_versions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(SRV, rows)

    def record_versions(self, record_id: str) -> list[dict[str, Any]]:
        stmt = select(SRV).where(SRV.c.record_id == record_id).order_by(SRV.c.version)
        return [dict(r) for r in self.conn.execute(stmt).mappings()]

    # -- golden records --------------------------------------------------------

    def golden_for_update(
        self, golden_ids: Iterable[str], *, lock: bool = True
    ) -> dict[str, dict[str, Any]]:
        ids = sorted(set(golden_ids))
        found: dict[str, dict[str, Any]] = {}
        for part in chunks(ids):
            stmt = select(GR).where(_in(self.dialect, GR.c.id, part)).order_by(GR.c.id)
            if lock and self.dialect == "postgresql":
                stmt = stmt.with_for_update()
            for row in self.conn.execute(stmt).mappings():
                found[row["id"]] = dict(row)
        return found

    def match_candidates(self, golden_ids: Iterable[str]) -> dict[str, Candidate]:
        """Active golden records as the matcher sees them: attributes, member payloads and
        their prepared forms only (no lineage, no lock), for scoring many candidates of
        which few are chosen."""
        attributes: dict[str, Any] = {}
        members: dict[str, list[Any]] = {}
        for part in chunks(sorted(set(golden_ids))):
            ids = _in(self.dialect, GR.c.id, part)
            stmt = select(GR.c.id, GR.c.attributes).where(ids, GR.c.status == "active")
            attributes.update((gid, attrs) for gid, attrs in self.conn.execute(stmt))
            owned = _in(self.dialect, SR.c.golden_id, part)
            stmt = select(SR.c.golden_id, SR.c.payload, SR.c.match_std).where(owned)
            for gid, payload, prepared in self.conn.execute(stmt.order_by(SR.c.id)):
                members.setdefault(gid, []).append((payload, prepared))
        return {
            gid: Candidate(
                gid,
                attrs,
                [payload for payload, _ in members.get(gid, ())],
                [prepared for _, prepared in members.get(gid, ())],
            )
            for gid, attrs in attributes.items()
        }

    def golden(self, golden_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(GR).where(GR.c.id == golden_id)).mappings().first()
        return dict(row) if row else None

    def insert_golden(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(GR, rows)

    def update_golden(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return

        stmt = (
            update(GR)
            .where(GR.c.id == bindparam("_id"))
            .values(
                version=bindparam("version"),
                status=bindparam("status"),
                merged_into=bindparam("merged_into"),
                attributes=bindparam("attributes"),
                lineage=bindparam("lineage"),
                updated_at=bindparam("updated_at"),
            )
        )
        self.conn.execute(
            stmt,
            [
                {
                    "_id": r["id"],
                    "version": r["version"],
                    "status": r["status"],
                    "merged_into": r["merged_into"],
                    "attributes": r["attributes"],
                    "lineage": r["lineage"],
                    "updated_at": r["updated_at"],
                }
                for r in rows
            ],
        )

    def insert_golden_versions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(GV, rows)

    def golden_version_as_of(self, golden_id: str, as_of: Any) -> dict[str, Any] | None:
        stmt = (
            select(GV)
            .where(GV.c.golden_id == golden_id, GV.c.recorded_at <= as_of)
            .order_by(GV.c.version.desc())
            .limit(1)
        )
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def golden_history(self, golden_id: str, limit: int = 100) -> list[dict[str, Any]]:
        stmt = (
            select(GV).where(GV.c.golden_id == golden_id).order_by(GV.c.version.desc()).limit(limit)
        )
        return [dict(r) for r in self.conn.execute(stmt).mappings()]

    def count_golden(self, entity_type: str | None = None) -> int:
        stmt = select(func.count()).select_from(GR).where(GR.c.status == "active")
        if entity_type:
            stmt = stmt.where(GR.c.entity_type == entity_type)
        return int(self.conn.execute(stmt).scalar_one())

    # -- key index -------------------------------------------------------------

    def golden_ids_by_keys(
        self, entity_type: str, keys: Sequence[str], *, per_key: int | None = None
    ) -> dict[str, set[str]]:
        """Golden ids carrying each key; at most ``per_key`` of them per key when given
        (the database ranks within each key, so a common key costs one index range
        scan and ``per_key`` rows shipped, not thousands)."""
        found: dict[str, set[str]] = {}
        for part in chunks(sorted(set(keys))):
            where = and_(MK.c.entity_type == entity_type, _in(self.dialect, MK.c.key, part))
            if per_key is None:
                stmt = select(MK.c.key, MK.c.golden_id).where(where)
            else:
                ranked = (
                    select(
                        MK.c.key,
                        MK.c.golden_id,
                        func.row_number()
                        .over(partition_by=MK.c.key, order_by=MK.c.golden_id)
                        .label("n"),
                    )
                    .where(where)
                    .subquery()
                )
                stmt = select(ranked.c.key, ranked.c.golden_id).where(ranked.c.n <= per_key)
            for key, gid in self.conn.execute(stmt):
                found.setdefault(key, set()).add(gid)
        return found

    def insert_keys(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Add keys to the index; a (key, golden id) pair already there is skipped."""
        if not rows:
            return
        unique = list({(r["entity_type"], r["key"], r["golden_id"]): r for r in rows}.values())
        if self.dialect == "postgresql":
            # Ingest reads at most a few ids per common key, so it may re-add a pair that
            # exists: one statement over arrays, skipping those.
            self.conn.exec_driver_sql(
                "INSERT INTO match_key (entity_type, key, golden_id) "
                "SELECT * FROM unnest(%(e)s::text[], %(k)s::text[], %(g)s::text[]) "
                "ON CONFLICT DO NOTHING",
                {
                    "e": [r["entity_type"] for r in unique],
                    "k": [r["key"] for r in unique],
                    "g": [r["golden_id"] for r in unique],
                },
            )
        else:
            self.conn.execute(sqlite_insert(MK).on_conflict_do_nothing(), unique)

    # -- decisions, tasks, outbox, quarantine ---------------------------------

    def insert_decisions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(MD, rows)

    def insert_tasks(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(ST, rows)

    def insert_outbox(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(OB, rows)

    def insert_quarantine(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(QT, rows)

    def audit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(AU, rows)

    def delete_keys_of(self, entity_type: str, golden_id: str) -> list[str]:
        """Remove a golden record's keys from the index; returns them."""
        keys = [
            k
            for (k,) in self.conn.execute(
                select(MK.c.key).where(MK.c.entity_type == entity_type, MK.c.golden_id == golden_id)
            )
        ]
        self.conn.execute(
            MK.delete().where(MK.c.entity_type == entity_type, MK.c.golden_id == golden_id)
        )
        return keys

    def open_task_goldens(self, kind: str, golden_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for part in chunks(list(golden_ids)):
            stmt = select(ST.c.golden_id).where(
                ST.c.kind == kind,
                ST.c.status.in_(("open", "deferred")),
                _in(self.dialect, ST.c.golden_id, part),
            )
            found.update(g for (g,) in self.conn.execute(stmt))
        return found

    def children_of(self, parent_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Active golden customers whose surviving parent is one of ``parent_ids``."""
        expr: Any
        if self.dialect == "postgresql":
            expr = literal_column("(golden_record.attributes ->> 'parent')")
        else:
            expr = literal_column("json_extract(golden_record.attributes, '$.parent')")
        out: list[dict[str, Any]] = []
        for part in chunks(list(parent_ids)):
            stmt = select(GR.c.id, GR.c.attributes, expr.label("parent")).where(
                GR.c.entity_type == "customer", GR.c.status == "active", expr.in_(part)
            )
            out.extend(dict(r) for r in self.conn.execute(stmt).mappings())
        return out
