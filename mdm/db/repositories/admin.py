"""Sources, API keys, quarantine and stored match settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from mdm.db.repositories.base import AK, MS, QT, SS, Repository

__all__ = ["ApiKeys", "MatchSettingsStore", "Quarantine", "Sources"]


class Sources(Repository):
    def exists(self, name: str) -> bool:
        # Sources are never removed, so a pooled connection remembers the ones it has seen.
        known: set[str] = self.conn.info.setdefault("known_sources", set())
        if name in known:
            return True
        found = self.conn.execute(select(SS.c.name).where(SS.c.name == name)).first() is not None
        if found:
            known.add(name)
        return found

    def all(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(select(SS).order_by(SS.c.name)).mappings()]

    def add(self, row: Mapping[str, Any]) -> None:
        self._insert_racing(SS, [row])


class ApiKeys(Repository):
    def by_hash(self, key_hash: str, *, active: bool = True) -> dict[str, Any] | None:
        stmt = select(AK).where(AK.c.key_hash == key_hash)
        if active:
            stmt = stmt.where(AK.c.revoked_at.is_(None))
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def add(self, row: Mapping[str, Any]) -> None:
        self._insert_racing(AK, [row])

    def active_roles(self) -> list[list[str]]:
        return [
            list(r)
            for (r,) in self.conn.execute(select(AK.c.roles).where(AK.c.revoked_at.is_(None)))
        ]


class Quarantine(Repository):
    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(QT, rows)

    def get(self, quarantine_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(QT).where(QT.c.id == quarantine_id)).mappings().first()
        return dict(row) if row else None

    def page(
        self,
        *,
        source: str | None,
        entity_type: str | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        conds = [
            cond
            for value, cond in (
                (source, QT.c.source == source),
                (entity_type, QT.c.entity_type == entity_type),
                (status, QT.c.status == status),
            )
            if value
        ]
        total = self.conn.execute(select(func.count()).select_from(QT).where(*conds)).scalar_one()
        stmt = (
            select(QT).where(*conds).order_by(QT.c.received_at, QT.c.id).limit(limit).offset(offset)
        )
        return int(total), [dict(r) for r in self.conn.execute(stmt).mappings()]

    def close(self, quarantine_id: str, *, status: str, at: datetime) -> None:
        self.conn.execute(
            update(QT).where(QT.c.id == quarantine_id).values(status=status, resolved_at=at)
        )


class MatchSettingsStore(Repository):
    def newest_body(self, entity_type: str) -> dict[str, Any] | None:
        stmt = (
            select(MS.c.body)
            .where(MS.c.entity_type == entity_type)
            .order_by(MS.c.created_at.desc())
            .limit(1)
        )
        body: dict[str, Any] | None = self.conn.execute(stmt).scalar()
        return body

    def save(self, row: Mapping[str, Any]) -> None:
        """Store trained settings; the same version again becomes the newest."""
        exists = self.conn.execute(
            select(MS.c.version).where(MS.c.version == row["version"])
        ).first()
        if exists is None:
            self._insert_racing(MS, [row])
            return
        keep = {k: v for k, v in row.items() if k in ("labels", "created_by", "created_at")}
        self.conn.execute(MS.update().where(MS.c.version == row["version"]).values(**keep))

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        stmt = (
            select(MS.c.version, MS.c.entity_type, MS.c.labels, MS.c.created_by, MS.c.created_at)
            .order_by(MS.c.created_at.desc())
            .limit(limit)
        )
        return [dict(r) for r in self.conn.execute(stmt).mappings()]
