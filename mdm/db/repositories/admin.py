"""Sources, API keys, quarantine and stored match settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from mdm.db.repositories.base import AK, MS, QT, RL, SS, Repository, chunks, dicts, in_list
from mdm.db.storable import MAX_SOURCE_ID

__all__ = [
    "KEYS_CHANNEL",
    "ApiKeys",
    "MatchSettingsStore",
    "Quarantine",
    "RequestLog",
    "Sources",
]

KEYS_CHANNEL = "mdm_api_keys"


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
        return list(dicts(self.conn.execute(select(SS).order_by(SS.c.name))))

    def add(self, row: Mapping[str, Any]) -> None:
        self._insert_racing(SS, [row])

    def get(self, name: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(SS).where(SS.c.name == name)).mappings().first()
        return dict(row) if row else None

    def default_region(self, name: str) -> str | None:
        """The source's default region (ISO 3166 alpha-2), None when it has none.

        Read on every ingest, not cached: an update reaches every process at once."""
        stmt = select(SS.c.default_region).where(SS.c.name == name)
        return self.conn.execute(stmt).scalar_one_or_none()

    def set_default_region(self, name: str, region: str | None) -> None:
        self.conn.execute(update(SS).where(SS.c.name == name).values(default_region=region))

    def validation(self, name: str) -> str:
        """``lenient`` or ``strict`` (read on every ingest, like the default region)."""
        stmt = select(SS.c.validation).where(SS.c.name == name)
        return self.conn.execute(stmt).scalar_one_or_none() or "lenient"

    def set_validation(self, name: str, mode: str) -> None:
        self.conn.execute(update(SS).where(SS.c.name == name).values(validation=mode))


class ApiKeys(Repository):
    def by_hash(self, key_hash: str, *, active: bool = True) -> dict[str, Any] | None:
        stmt = select(AK).where(AK.c.key_hash == key_hash)
        if active:
            stmt = stmt.where(AK.c.revoked_at.is_(None))
        row = self.conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def get(self, key_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(AK).where(AK.c.id == key_id)).mappings().first()
        return dict(row) if row else None

    def all(self) -> list[dict[str, Any]]:
        stmt = select(AK).order_by(AK.c.created_at, AK.c.id)
        return list(dicts(self.conn.execute(stmt)))

    def add(self, row: Mapping[str, Any]) -> None:
        self._insert_racing(AK, [row])
        self.changed()

    def revoke(self, key_id: str, at: datetime) -> None:
        self.conn.execute(update(AK).where(AK.c.id == key_id).values(revoked_at=at))
        self.changed()

    def expire(self, key_id: str, *, at: datetime, replaced_by: str) -> None:
        stmt = update(AK).where(AK.c.id == key_id).values(expires_at=at, rotated_to=replaced_by)
        self.conn.execute(stmt)
        self.changed()

    def touch(self, key_id: str, at: datetime) -> None:
        self.conn.execute(update(AK).where(AK.c.id == key_id).values(last_used_at=at))

    def changed(self) -> None:
        """Tell every process that keys changed (PostgreSQL NOTIFY, sent at commit), so
        none keeps serving a revoked key from its cache."""
        if self.dialect == "postgresql":
            self.conn.exec_driver_sql(f"NOTIFY {KEYS_CHANNEL}")

    def active_roles(self) -> list[list[str]]:
        stmt = select(AK.c.roles).where(AK.c.revoked_at.is_(None))
        return [list(r) for (r,) in self.conn.execute(stmt)]


def _held_id(row: Mapping[str, Any]) -> Mapping[str, Any]:
    sid = row.get("source_id")
    if isinstance(sid, str) and len(sid) > MAX_SOURCE_ID:
        return {**row, "source_id": None}
    return row


class Quarantine(Repository):
    def add(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """Keep rejected payloads (status ``open``) and accepted records' data-quality
        issues (status ``issue``). The same payload again (same fingerprint, same status,
        not yet closed) counts on that entry instead of making a second one. Returns, per
        fingerprint, the id of the entry that holds it.

        A ``source_id`` too long to be an id (refused for that) is not kept as the
        entry's id: its error names it, and the column holds ids, not any text."""
        if not rows:
            return {}
        rows = [_held_id(r) for r in rows]
        prints = sorted({r["fingerprint"] for r in rows if r.get("fingerprint")})
        held: dict[tuple[str, str], str] = {}
        if prints:
            stmt = select(QT.c.fingerprint, QT.c.status, QT.c.id).where(
                QT.c.status.in_(("open", "issue")), QT.c.fingerprint.in_(prints)
            )
            held = {(f, st): i for f, st, i in self.conn.execute(stmt)}
        fresh: list[Mapping[str, Any]] = []
        again: dict[str, list[Any]] = {}
        for row in rows:
            fp = row.get("fingerprint")
            key = (fp or "", row.get("status", "open"))
            if fp and key in held:
                again.setdefault(held[key], []).append(row["received_at"])
            else:
                fresh.append(row)
                if fp:
                    held[key] = row["id"]
        self._insert(QT, fresh)
        for qid, times in again.items():
            self.conn.execute(
                update(QT)
                .where(QT.c.id == qid)
                .values(count=QT.c.count + len(times), last_received_at=max(times))
            )
        return {
            fp: held[(fp, row.get("status", "open"))]
            for row in rows
            if (fp := row.get("fingerprint"))
        }

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
        return int(total), list(dicts(self.conn.execute(stmt)))

    def close(
        self,
        quarantine_id: str,
        *,
        status: str,
        at: datetime,
        resolution: str | None = None,
        by: str | None = None,
    ) -> None:
        self.conn.execute(
            update(QT)
            .where(QT.c.id == quarantine_id)
            .values(status=status, resolved_at=at, resolution=resolution, resolved_by=by)
        )

    def resolve_records(
        self, source: str, entity_type: str, source_ids: Sequence[str], at: datetime
    ) -> None:
        """An accepted version of a record without issues resolves the open entries and the
        data-quality issues it had."""
        for part in chunks(sorted(set(source_ids))):
            self.conn.execute(
                update(QT)
                .where(
                    QT.c.status.in_(("open", "issue")),
                    QT.c.source == source,
                    QT.c.entity_type == entity_type,
                    in_list(self.dialect, QT.c.source_id, part),
                )
                .values(
                    status="resolved", resolved_at=at, resolution="a later version was accepted"
                )
            )


# Built once: every decision first asks for the newest settings
# (mdm.domain.learning.SettingsFollower), and building a statement costs more than
# running it on a table of one row per training.
_NEWEST_AT = select(func.max(MS.c.created_at))
_LATEST = (
    select(MS.c.entity_type, func.max(MS.c.created_at).label("at"))
    .group_by(MS.c.entity_type)
    .subquery()
)
_NEWEST_VERSIONS = select(MS.c.entity_type, MS.c.created_at, MS.c.version).join(
    _LATEST, (MS.c.entity_type == _LATEST.c.entity_type) & (MS.c.created_at == _LATEST.c.at)
)


class MatchSettingsStore(Repository):
    """Newest means latest ``created_at``, ties broken by the greater version string."""

    def newest_body(self, entity_type: str) -> dict[str, Any] | None:
        stmt = (
            select(MS.c.body)
            .where(MS.c.entity_type == entity_type)
            .order_by(MS.c.created_at.desc(), MS.c.version.desc())
            .limit(1)
        )
        body: dict[str, Any] | None = self.conn.execute(stmt).scalar()
        return body

    def newest_at(self) -> datetime | None:
        """When the newest settings of any entity type were stored (None: never)."""
        at: datetime | None = self.conn.execute(_NEWEST_AT).scalar()
        return at

    def newest_versions(self) -> dict[str, tuple[datetime, str]]:
        """``entity_type -> (created_at, version)`` of the newest settings of each type."""
        out: dict[str, tuple[datetime, str]] = {}
        for entity_type, at, version in self.conn.execute(_NEWEST_VERSIONS):
            out[entity_type] = max(out.get(entity_type, (at, version)), (at, version))
        return out

    def body_of(self, version: str) -> dict[str, Any] | None:
        stmt = select(MS.c.body).where(MS.c.version == version)
        body: dict[str, Any] | None = self.conn.execute(stmt).scalar()
        return body

    def newest_from_records(self, entity_type: str) -> dict[str, Any] | None:
        """The newest settings trained on the hub's records alone (stored with no labels:
        training from labels never stores fewer than its minimum)."""
        stmt = (
            select(MS.c.body)
            .where(MS.c.entity_type == entity_type, MS.c.labels == 0)
            .order_by(MS.c.created_at.desc(), MS.c.version.desc())
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
        return list(dicts(self.conn.execute(stmt)))


class RequestLog(Repository):
    def record(self, row: Mapping[str, Any]) -> None:
        self._insert(RL, [row])
