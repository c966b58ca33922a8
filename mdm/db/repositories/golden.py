"""Golden records, their version history, and the hierarchy stored in them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, literal_column, select, update

from mdm.db.repositories.base import GR, GV, Repository, chunks, in_list

__all__ = ["GoldenRecords"]

_MAX_MERGE_HOPS = 50


class GoldenRecords(Repository):
    def get(self, golden_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(GR).where(GR.c.id == golden_id)).mappings().first()
        return dict(row) if row else None

    def for_update(
        self, golden_ids: Iterable[str], *, lock: bool = True
    ) -> dict[str, dict[str, Any]]:
        """Golden rows by id, locked for update on PostgreSQL unless ``lock`` is False."""
        ids = sorted(set(golden_ids))
        found: dict[str, dict[str, Any]] = {}
        for part in chunks(ids):
            stmt = select(GR).where(in_list(self.dialect, GR.c.id, part)).order_by(GR.c.id)
            if lock and self.dialect == "postgresql":
                stmt = stmt.with_for_update()
            for row in self.conn.execute(stmt).mappings():
                found[row["id"]] = dict(row)
        return found

    def active_attributes(self, golden_ids: Iterable[str]) -> dict[str, Any]:
        """``attributes`` of the active records among ``golden_ids`` (no lineage, no lock)."""
        out: dict[str, Any] = {}
        for part in chunks(sorted(set(golden_ids))):
            ids = in_list(self.dialect, GR.c.id, part)
            stmt = select(GR.c.id, GR.c.attributes).where(ids, GR.c.status == "active")
            out.update((gid, attrs) for gid, attrs in self.conn.execute(stmt))
        return out

    def attributes_of(self, golden_ids: Sequence[str]) -> dict[str, Any]:
        """``attributes`` of each named record, whatever its status."""
        stmt = select(GR.c.id, GR.c.attributes).where(GR.c.id.in_(list(golden_ids)))
        return {gid: attrs for gid, attrs in self.conn.execute(stmt)}

    def survivor_of(self, golden_id: str) -> str:
        """Follow merges to the golden record that now stands for ``golden_id``."""
        gid = golden_id
        for _ in range(_MAX_MERGE_HOPS):
            row = self.conn.execute(
                select(GR.c.status, GR.c.merged_into).where(GR.c.id == gid)
            ).first()
            if row is None or row.status != "merged" or not row.merged_into:
                return gid
            gid = row.merged_into
        return gid

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(GR, rows)

    def update(self, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        cols = ("version", "status", "merged_into", "attributes", "lineage", "updated_at")
        stmt = update(GR).where(GR.c.id == bindparam("_id")).values({c: bindparam(c) for c in cols})
        self.conn.execute(stmt, [{"_id": r["id"], **{c: r[c] for c in cols}} for r in rows])

    def count(self, entity_type: str | None = None) -> int:
        stmt = select(func.count()).select_from(GR).where(GR.c.status == "active")
        if entity_type:
            stmt = stmt.where(GR.c.entity_type == entity_type)
        return int(self.conn.execute(stmt).scalar_one())

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

    # -- versions ----------------------------------------------------------------

    def insert_versions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(GV, rows)

    def version_as_of(self, golden_id: str, as_of: datetime) -> dict[str, Any] | None:
        stmt = (
            select(GV)
            .where(GV.c.golden_id == golden_id, GV.c.recorded_at <= as_of)
            .order_by(GV.c.version.desc())
            .limit(1)
        )
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def history(self, golden_id: str, limit: int = 100) -> list[dict[str, Any]]:
        stmt = (
            select(GV).where(GV.c.golden_id == golden_id).order_by(GV.c.version.desc()).limit(limit)
        )
        return [dict(r) for r in self.conn.execute(stmt).mappings()]
