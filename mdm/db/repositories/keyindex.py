"""The persisted key index that candidate lookup goes through, and writer locks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import and_, func, select

from mdm.db.repositories.base import MK, Repository, chunks, in_list, lock_id

__all__ = ["MAX_KEY", "KeyIndex", "Locks", "stored_key"]

# the match_key column's length; a blocking key of long values (a 300-character name,
# a street and city at their limits) is kept as its start and a digest of the whole
MAX_KEY = 300
_KEPT = MAX_KEY - 65


def stored_key(key: str) -> str:
    """``key`` as the index holds it: itself, or when longer than the column its first
    characters and the SHA-256 of all of it (so two long keys stay distinct and one long
    key always finds itself). Idempotent: a stored key is stored as is."""
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:_KEPT]}#{hashlib.sha256(key.encode()).hexdigest()}"


class Locks(Repository):
    def lock_keys(self, keys: Iterable[str]) -> None:
        """Serialise writers that touch the same record or identity (PostgreSQL only;
        SQLite writers are already serialised by BEGIN IMMEDIATE). Transaction-scoped
        advisory locks, taken in one sorted batch so two writers cannot deadlock."""
        if self.dialect != "postgresql":
            return
        ids = sorted({lock_id(k) for k in keys})
        if not ids:
            return
        self.conn.exec_driver_sql(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%(ids)s::bigint[]) AS t(k) ORDER BY k",
            {"ids": ids},
        )


class KeyIndex(Repository):
    def golden_ids(
        self, entity_type: str, keys: Sequence[str], *, per_key: int | None = None
    ) -> dict[str, set[str]]:
        """Golden ids carrying each key; at most ``per_key`` of them per key when given
        (the database ranks within each key, so a common key costs one index range
        scan and ``per_key`` rows shipped, not thousands)."""
        found: dict[str, set[str]] = {}
        asked = {stored_key(k): k for k in keys}
        for part in chunks(sorted(asked)):
            where = and_(MK.c.entity_type == entity_type, in_list(self.dialect, MK.c.key, part))
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
                found.setdefault(asked[key], set()).add(gid)
        return found

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Add keys to the index; a (key, golden id) pair already there is skipped."""
        if not rows:
            return
        unique = sorted(
            {(r["entity_type"], stored_key(r["key"]), r["golden_id"]) for r in rows},
            key=itemgetter(1),
        )
        if self.dialect == "postgresql":
            # Ingest reads at most a few ids per common key, so it may re-add a pair that
            # exists: one statement over arrays, skipping those.
            self.conn.exec_driver_sql(
                "INSERT INTO match_key (entity_type, key, golden_id) "
                "SELECT * FROM unnest(%(e)s::text[], %(k)s::text[], %(g)s::text[]) "
                "ON CONFLICT DO NOTHING",
                {
                    "e": [e for e, _, _ in unique],
                    "k": [k for _, k, _ in unique],
                    "g": [g for _, _, g in unique],
                },
            )
        else:
            # tuples through the driver's executemany (SQLAlchemy's per-row parameter
            # handling was a seventh of an initial load's write step), in key order so
            # the primary key's pages fill one after another
            self.conn.exec_driver_sql(
                "INSERT OR IGNORE INTO match_key (entity_type, key, golden_id) VALUES (?, ?, ?)",
                unique,
            )

    def load(
        self, entity_type: str, pairs: Iterable[tuple[str, str]], *, chunk: int = 50_000
    ) -> None:
        """Add (key, golden id) pairs already sorted by key (a bulk load's whole index):
        the primary key's pages fill one after another, each once, instead of a million
        records' keys landing on pages spilled out of the cache. Repeated pairs are
        skipped."""
        batch: list[tuple[str, str, str]] = []
        last: tuple[str, str] | None = None
        for key, golden_id in pairs:
            pair = (stored_key(key), golden_id)
            if pair == last:
                continue
            last = pair
            batch.append((entity_type, *pair))
            if len(batch) >= chunk:
                self._load(batch)
                batch = []
        self._load(batch)

    def _load(self, rows: list[tuple[str, str, str]]) -> None:
        if not rows:
            return
        if self.dialect != "sqlite":
            self.insert([{"entity_type": e, "key": k, "golden_id": g} for e, k, g in rows])
            return
        self.conn.exec_driver_sql(
            "INSERT OR IGNORE INTO match_key (entity_type, key, golden_id) VALUES (?, ?, ?)", rows
        )

    def delete_of(self, entity_type: str, golden_id: str) -> list[str]:
        """Remove a golden record's keys from the index; returns them."""
        where = (MK.c.entity_type == entity_type, MK.c.golden_id == golden_id)
        keys = [k for (k,) in self.conn.execute(select(MK.c.key).where(*where))]
        self.conn.execute(MK.delete().where(*where))
        return keys

    def replace(self, entity_type: str, golden_id: str, keys: Iterable[str]) -> None:
        """The golden record is found under exactly ``keys`` from now on."""
        self.delete_of(entity_type, golden_id)
        self.insert(
            [
                {"entity_type": entity_type, "key": k, "golden_id": golden_id}
                for k in sorted(set(keys))
            ]
        )
