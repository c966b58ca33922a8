"""Source records (the current version of each, with its xref) and their version history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypedDict, cast

from sqlalchemy import RowMapping, bindparam, func, select, tuple_, update

from mdm.db.repositories.base import SR, SRV, Repository, chunks, dicts, in_list

__all__ = ["SourceRecord", "SourceRecords"]

RecordKey = tuple[str, str, str]


class SourceRecord(TypedDict):
    """The current version of one source's record (a ``source_record`` row), as the
    service reads, changes and writes it."""

    id: str
    source: str
    entity_type: str
    source_id: str
    golden_id: str  # "" until the record is applied to a golden record
    version: int
    payload: dict[str, Any]
    payload_hash: str
    schema_version: str
    source_updated_at: datetime | None
    received_at: datetime
    ref_key: str | None  # the stored form of the record it refers to (a parent, a product)
    match_std: Mapping[str, Any] | None  # the matcher's prepared form of payload


def _records(rows: Iterable[RowMapping]) -> Iterable[SourceRecord]:
    return (cast(SourceRecord, dict(row)) for row in rows)


class SourceRecords(Repository):
    def by_source_ids(
        self, source: str, entity_type: str, source_ids: Sequence[str]
    ) -> dict[str, SourceRecord]:
        found: dict[str, SourceRecord] = {}
        for part in chunks(list(source_ids)):
            stmt = select(SR).where(
                SR.c.source == source,
                SR.c.entity_type == entity_type,
                in_list(self.dialect, SR.c.source_id, part),
            )
            for row in _records(self.conn.execute(stmt).mappings()):
                found[row["source_id"]] = row
        return found

    def by_keys(self, keys: Sequence[RecordKey]) -> dict[RecordKey, SourceRecord]:
        """Records by ``(source, entity_type, source_id)``."""
        found: dict[RecordKey, SourceRecord] = {}
        for part in chunks(list(keys)):
            stmt = select(SR).where(tuple_(SR.c.source, SR.c.entity_type, SR.c.source_id).in_(part))
            for row in _records(self.conn.execute(stmt).mappings()):
                found[(row["source"], row["entity_type"], row["source_id"])] = row
        return found

    def members_of(self, golden_ids: Sequence[str]) -> list[SourceRecord]:
        out: list[SourceRecord] = []
        for part in chunks(sorted(set(golden_ids))):
            stmt = select(SR).where(in_list(self.dialect, SR.c.golden_id, part)).order_by(SR.c.id)
            out.extend(_records(self.conn.execute(stmt).mappings()))
        return out

    def referring_to(self, ref_keys: Sequence[str]) -> list[SourceRecord]:
        """Records whose reference (parent, product) names one of ``ref_keys``."""
        out: list[SourceRecord] = []
        for part in chunks(sorted(set(ref_keys))):
            stmt = select(SR).where(in_list(self.dialect, SR.c.ref_key, part))
            out.extend(_records(self.conn.execute(stmt).mappings()))
        return out

    def payloads(self, golden_ids: Sequence[str]) -> dict[str, list[tuple[Any, Any]]]:
        """``(payload, match_std)`` of every member of each golden record, in id order."""
        members: dict[str, list[tuple[Any, Any]]] = {}
        for part in chunks(sorted(set(golden_ids))):
            owned = in_list(self.dialect, SR.c.golden_id, part)
            stmt = select(SR.c.golden_id, SR.c.payload, SR.c.match_std).where(owned)
            for gid, payload, prepared in self.conn.execute(stmt.order_by(SR.c.id)):
                members.setdefault(gid, []).append((payload, prepared))
        return members

    def golden_ids_after(
        self, entity_type: str, source: str | None, after: str, limit: int
    ) -> list[str]:
        """Golden ids with a member of ``entity_type`` (from ``source``), after ``after``."""
        stmt = select(SR.c.golden_id).where(SR.c.entity_type == entity_type, SR.c.golden_id > after)
        if source is not None:
            stmt = stmt.where(SR.c.source == source)
        stmt = stmt.group_by(SR.c.golden_id).order_by(SR.c.golden_id).limit(limit)
        return [gid for (gid,) in self.conn.execute(stmt)]

    def golden_of(self, source: str, entity_type: str, source_id: str) -> str | None:
        stmt = select(SR.c.golden_id).where(
            SR.c.source == source, SR.c.entity_type == entity_type, SR.c.source_id == source_id
        )
        return self.conn.execute(stmt).scalar()

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(SR, rows)

    def update(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows carry ``id`` plus the columns to set; rows may set different columns."""
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

    def insert_versions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(SRV, rows)

    def versions(self, record_id: str) -> list[dict[str, Any]]:
        stmt = select(SRV).where(SRV.c.record_id == record_id).order_by(SRV.c.version)
        return list(dicts(self.conn.execute(stmt)))

    def sources_of(self, entity_type: str) -> set[str]:
        """The sources that hold current records of ``entity_type``."""
        stmt = select(SR.c.source).where(SR.c.entity_type == entity_type).distinct()
        return {row[0] for row in self.conn.execute(stmt)}

    def count_of(self, entity_type: str) -> int:
        """Current source records of ``entity_type``."""
        stmt = select(func.count()).select_from(SR).where(SR.c.entity_type == entity_type)
        return int(self.conn.execute(stmt).scalar_one())

    def prepared_of(self, entity_type: str, *, limit: int) -> list[tuple[Any, Any]]:
        """``(payload, match_std)`` of up to ``limit`` current records of ``entity_type``."""
        stmt = (
            select(SR.c.payload, SR.c.match_std)
            .where(SR.c.entity_type == entity_type)
            .order_by(SR.c.id)
            .limit(limit)
        )
        return [(payload, prepared) for payload, prepared in self.conn.execute(stmt)]
