"""Golden records and their versions, for the write side.

Reads of golden records for callers (by id, history, as of a time, parents and
children) go through :mod:`mdm.db.read`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, update

from canonical.states import GoldenStatus
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
            stmt = select(GR.c.id, GR.c.attributes).where(ids, GR.c.status == GoldenStatus.ACTIVE)
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
            if row is None or row.status != GoldenStatus.MERGED or not row.merged_into:
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
        stmt = select(func.count()).select_from(GR).where(GR.c.status == GoldenStatus.ACTIVE)
        if entity_type:
            stmt = stmt.where(GR.c.entity_type == entity_type)
        return int(self.conn.execute(stmt).scalar_one())

    # -- versions ----------------------------------------------------------------

    def insert_versions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(GV, rows)
