"""Outbound sync state: deliveries, their attempts, the crosswalk, relay positions (targets:
:mod:`.targets`).

Delivery rows are planned with one upsert per batch (intermediate versions coalesce into
``wanted_version``), claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite writers
are serialised anyway), and finished only by the worker that still holds the claim.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from canonical.states import DeliveryState
from mdm.db.repositories.base import DA, DL, GR, RP, XW, Repository, chunks, dicts, in_list

__all__ = ["DELIVERY_STATES", "Crosswalk", "Deliveries", "RelayPositions"]

DELIVERY_STATES = tuple(DeliveryState)


_UPSERT = """
INSERT INTO delivery (id, target, golden_id, entity_type, parent_golden_id, state,
    wanted_version, force, attempts, failures, next_attempt_at, correlation_id, changed_at,
    created_at, updated_at)
VALUES (:id, :target, :golden_id, :entity_type, :parent_golden_id, 'pending',
    :wanted_version, false, 0, 0, :now, :correlation_id, :changed_at, :now, :now)
ON CONFLICT (target, golden_id) DO UPDATE SET
    wanted_version = {greatest}(delivery.wanted_version, excluded.wanted_version),
    parent_golden_id = excluded.parent_golden_id,
    correlation_id = excluded.correlation_id,
    updated_at = excluded.updated_at,
    changed_at = CASE WHEN delivery.state IN ('delivered', 'dead')
        THEN excluded.changed_at ELSE delivery.changed_at END,
    failures = CASE WHEN delivery.state IN ('delivered', 'dead')
        THEN 0 ELSE delivery.failures END,
    next_attempt_at = CASE WHEN delivery.state IN ('delivered', 'dead')
        THEN excluded.next_attempt_at ELSE delivery.next_attempt_at END,
    state = CASE
        WHEN delivery.state = 'in_flight' THEN 'in_flight'
        WHEN {greatest}(delivery.wanted_version, excluded.wanted_version)
            > COALESCE(delivery.delivered_version, 0) THEN 'pending'
        ELSE delivery.state END
"""

_CLAIM = """
UPDATE delivery SET state = 'in_flight', lease_until = :lease, claimed_by = :worker,
    attempts = attempts + 1, updated_at = :now
WHERE id IN (
    SELECT d.id FROM delivery d
    WHERE d.target = :target
      AND ((d.state = 'pending' AND d.next_attempt_at <= :now)
           OR (d.state = 'in_flight' AND d.lease_until < :now))
      AND NOT EXISTS (
          SELECT 1 FROM delivery p
          WHERE p.target = d.target AND p.golden_id = d.parent_golden_id
            AND p.state IN ('pending', 'in_flight') AND p.id <> d.id)
    ORDER BY d.next_attempt_at, d.id
    LIMIT :n {lock})
RETURNING id, target, golden_id, entity_type, parent_golden_id, wanted_version,
    delivered_version, delivered_hash, force, attempts, failures, last_error, correlation_id,
    changed_at
"""


# what a delivery sends of its golden record (sync.push)
_SENT = ("id", "entity_type", "version", "status", "merged_into", "attributes")


class Deliveries(Repository):
    def plan(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Queue each ``(target, golden_id)`` at ``wanted_version`` (or keep a newer one);
        a delivered or dead one becomes pending again when the version is newer."""
        if not rows:
            return
        greatest = "GREATEST" if self.dialect == "postgresql" else "MAX"
        self.conn.execute(text(_UPSERT.format(greatest=greatest)), [dict(r) for r in rows])

    def claim(
        self, *, target: str, worker: str, now: datetime, lease: datetime, limit: int
    ) -> list[dict[str, Any]]:
        """Take up to ``limit`` due deliveries of ``target`` (parents before children; an
        expired lease counts as due); each is then in flight, held by ``worker``."""
        if limit <= 0:
            return []
        lock = "FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""
        params = {"target": target, "worker": worker, "now": now, "lease": lease, "n": limit}
        result = self.conn.execute(text(_CLAIM.format(lock=lock)), params)
        rows = list(dicts(result))
        for row in rows:  # a text statement's JSON comes back as text on SQLite
            if isinstance(row["last_error"], str):
                row["last_error"] = json.loads(row["last_error"])
        return rows

    def payloads(
        self, target: str, golden_ids: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """What claimed deliveries send, in one read: each golden record's state (the
        columns a target receives, without its lineage) and the id ``target`` gave it,
        when it gave one."""
        goldens: dict[str, dict[str, Any]] = {}
        known: dict[str, str] = {}
        joined = and_(XW.c.target == target, XW.c.golden_id == GR.c.id)
        for part in chunks(sorted(set(golden_ids))):
            columns = [GR.c[c] for c in _SENT] + [XW.c.target_id]
            stmt = (
                select(*columns)
                .select_from(GR.outerjoin(XW, joined))
                .where(in_list(self.dialect, GR.c.id, part))
            )
            for golden in dicts(self.conn.execute(stmt)):
                target_id = golden.pop("target_id")
                goldens[golden["id"]] = golden
                if target_id is not None:
                    known[golden["id"]] = target_id
        return goldens, known

    def release_held(
        self,
        target: str,
        *,
        now: datetime,
        parents: Sequence[str] | None = None,
        ids: Sequence[str] | None = None,
    ) -> int:
        """Make ``target``'s held deliveries pending now, to be checked again (only those
        whose parent is one of ``parents``, or whose id is one of ``ids``, when given);
        returns how many."""
        conds = [DL.c.target == target, DL.c.state == DeliveryState.HELD]
        for column, values in ((DL.c.parent_golden_id, parents), (DL.c.id, ids)):
            if values is not None:
                if not values:
                    return 0
                conds.append(in_list(self.dialect, column, sorted(set(values))))
        result = self.conn.execute(update(DL).where(*conds).values(_due(now)))
        return max(result.rowcount, 0)

    def finish(self, worker: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Apply outcomes to deliveries ``worker`` still holds; returns how many applied.
        Each row has ``id`` and the columns to set."""
        done = 0
        by_cols: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            params = {k: v for k, v in row.items() if k != "id"}
            by_cols.setdefault(tuple(sorted(params)), []).append(params)
            params.update(_id=row["id"], _worker=worker)
        for cols, group in by_cols.items():
            done += max(self.conn.execute(_finish_stmt(cols), group).rowcount, 0)
        return done

    def retry_newer(self, dead: Sequence[tuple[str, int]], *, now: datetime) -> int:
        """Of ``(delivery id, version it was claimed at)`` just made dead letters, make those
        whose wanted version the relay raised while they were in flight pending again with
        no failures, as a newer version of a dead letter would be; returns how many."""
        if not dead:
            return 0
        stmt = (
            update(DL)
            .where(DL.c.id == bindparam("_id"), DL.c.state == DeliveryState.DEAD)
            .where(DL.c.wanted_version > bindparam("_claimed"))
            .values(failures=0, **_due(now))
        )
        params = [{"_id": i, "_claimed": v} for i, v in dead]
        return max(self.conn.execute(stmt, params).rowcount, 0)

    def by_ids(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        stmt = select(DL).where(in_list(self.dialect, DL.c.id, list(ids)))
        return list(dicts(self.conn.execute(stmt)))

    def record_attempts(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._insert(DA, rows)

    def outcomes_since(self, since: datetime) -> dict[str, dict[str, int]]:
        """Per target, how many delivery attempts since ``since`` ended in each outcome
        (delivered, skipped, retry, dead); read through ``ix_delivery_attempt_at``."""
        stmt = (
            select(DA.c.target, DA.c.outcome, func.count())
            .where(DA.c.at >= since)
            .group_by(DA.c.target, DA.c.outcome)
        )
        out: dict[str, dict[str, int]] = {}
        for target, outcome, count in self.conn.execute(stmt):
            out.setdefault(target, {})[outcome] = int(count)
        return out

    def attempts_of(self, delivery_id: str) -> list[dict[str, Any]]:
        stmt = select(DA).where(DA.c.delivery_id == delivery_id).order_by(DA.c.id)
        return list(dicts(self.conn.execute(stmt)))

    def page(
        self,
        *,
        target: str | None,
        state: str | None,
        golden_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[int, list[dict[str, Any]]]:
        conds = [
            c
            for value, c in (
                (target, DL.c.target == target),
                (state, DL.c.state == state),
                (golden_id, DL.c.golden_id == golden_id),
            )
            if value
        ]
        total = self.conn.execute(select(func.count()).select_from(DL).where(*conds)).scalar_one()
        stmt = (
            select(DL)
            .where(*conds)
            .order_by(DL.c.updated_at.desc(), DL.c.id)
            .limit(limit)
            .offset(offset)
        )
        return int(total), list(dicts(self.conn.execute(stmt)))

    def replay(
        self,
        *,
        now: datetime,
        target: str | None = None,
        state: str | None = None,
        ids: Sequence[str] | None = None,
        golden_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[str]:
        """Make the selected deliveries pending now, forced (sent even if the target
        already has their version); returns their ids. In-flight ones are left alone."""
        conds: list[Any] = [DL.c.state != DeliveryState.IN_FLIGHT]
        if target is not None:
            conds.append(DL.c.target == target)
        if state is not None:
            conds.append(DL.c.state == state)
        if golden_id is not None:
            conds.append(DL.c.golden_id == golden_id)
        if since is not None:
            conds.append(DL.c.updated_at >= since)
        if until is not None:
            conds.append(DL.c.updated_at <= until)
        if ids is not None:
            conds.append(in_list(self.dialect, DL.c.id, list(ids)) if ids else DL.c.id.is_(None))
        chosen = [i for (i,) in self.conn.execute(select(DL.c.id).where(and_(*conds)))]
        for part in chunks(chosen):
            self.conn.execute(
                update(DL)
                .where(in_list(self.dialect, DL.c.id, part))
                .values({**_due(now), "force": True, "failures": 0})
            )
        return chosen

    def missing_for(
        self, target: str, entity_types: Sequence[str], limit: int
    ) -> list[dict[str, Any]]:
        """Golden records of ``entity_types`` the target has no delivery for yet, or whose
        acknowledged version is behind (drift); at most ``limit``."""
        joined = and_(DL.c.golden_id == GR.c.id, DL.c.target == target)
        stmt = (
            select(GR.c.id, GR.c.entity_type, GR.c.version, GR.c.attributes, GR.c.updated_at)
            .select_from(GR.outerjoin(DL, joined))
            .where(
                GR.c.entity_type.in_(list(entity_types)),
                (DL.c.id.is_(None))
                | (
                    (DL.c.state == DeliveryState.DELIVERED)
                    & (func.coalesce(DL.c.delivered_version, 0) < GR.c.version)
                ),
            )
            .order_by(GR.c.id)
            .limit(limit)
        )
        return list(dicts(self.conn.execute(stmt)))


class Crosswalk(Repository):
    def put(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Remember (or replace) the id each target gave each golden record."""
        if not rows:
            return
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = insert(XW)
        stmt = stmt.on_conflict_do_update(
            index_elements=["target", "golden_id"],
            set_={"target_id": stmt.excluded.target_id, "updated_at": stmt.excluded.updated_at},
        )
        self.conn.execute(stmt, [dict(r) for r in rows])

    def of(self, target: str, golden_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in chunks(sorted(set(golden_ids))):
            stmt = select(XW.c.golden_id, XW.c.target_id).where(
                XW.c.target == target, in_list(self.dialect, XW.c.golden_id, part)
            )
            out.update((g, t) for g, t in self.conn.execute(stmt))
        return out

    def golden_for(self, source: str, entity_type: str, ids: Sequence[str]) -> dict[str, str]:
        """Golden ids of records a target created, by the id it gave them, for records that
        target sends back as ``source``."""
        out: dict[str, str] = {}
        for part in chunks(sorted(set(ids))):
            stmt = select(XW.c.target_id, XW.c.golden_id).where(
                XW.c.source == source,
                XW.c.entity_type == entity_type,
                in_list(self.dialect, XW.c.target_id, part),
            )
            out.update((t, g) for t, g in self.conn.execute(stmt))
        return out

    def for_golden(self, golden_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for part in chunks(sorted(set(golden_ids))):
            stmt = select(XW).where(in_list(self.dialect, XW.c.golden_id, part))
            for row in self.conn.execute(stmt.order_by(XW.c.target)).mappings():
                out.setdefault(row["golden_id"], []).append(dict(row))
        return out


class RelayPositions(Repository):
    def hold(self, name: str, at: datetime) -> int | None:
        """The relay's position, locked for this transaction; None when another worker
        holds it right now (PostgreSQL) — that worker is relaying."""
        stmt = select(RP.c.seq).where(RP.c.name == name)
        if self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        seq = self.conn.execute(stmt).scalar()
        if seq is not None:
            return int(seq)
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        self.conn.execute(
            insert(RP).values(name=name, seq=0, updated_at=at).on_conflict_do_nothing()
        )
        seq = self.conn.execute(stmt).scalar()
        return None if seq is None else int(seq)

    def peek(self, name: str) -> int:
        """The relay's position without holding it (0 before it first moved)."""
        seq = self.conn.execute(select(RP.c.seq).where(RP.c.name == name)).scalar()
        return int(seq or 0)

    def move(self, name: str, seq: int, at: datetime) -> None:
        self.conn.execute(update(RP).where(RP.c.name == name).values(seq=seq, updated_at=at))


def _due(now: datetime) -> dict[str, Any]:
    return {"state": DeliveryState.PENDING, "next_attempt_at": now, "updated_at": now}


@lru_cache(maxsize=64)
def _finish_stmt(cols: tuple[str, ...]) -> Any:
    """Settling held deliveries, setting ``cols`` (built once per set of columns). A
    delivered version older than one the relay asked for while it was in flight leaves
    the delivery pending, so the newer version goes out next."""
    held = DL.c.id == bindparam("_id"), DL.c.claimed_by == bindparam("_worker")
    values: dict[str, Any] = {c: bindparam(c) for c in cols}
    if "delivered_version" in values:
        newer = DL.c.wanted_version > bindparam("delivered_version")
        values["state"] = case((newer, DeliveryState.PENDING.value), else_=bindparam("state"))
    return update(DL).where(*held, DL.c.state == DeliveryState.IN_FLIGHT).values(values)
