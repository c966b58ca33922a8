"""Outbound targets: their configuration, pause and rate-limit tokens, and the state of
their deliveries at a glance."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from canonical.states import DeliveryState
from mdm.db.repositories.base import DL, TG, Repository, dicts
from mdm.db.repositories.sync import DELIVERY_STATES

__all__ = ["Targets"]


class Targets(Repository):
    def get(self, name: str, *, lock: bool = False) -> dict[str, Any] | None:
        stmt = select(TG).where(TG.c.name == name)
        if lock and self.dialect == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        return next(dicts(self.conn.execute(stmt)), None)

    def all(self) -> list[dict[str, Any]]:
        return list(dicts(self.conn.execute(select(TG).order_by(TG.c.name))))

    def put(self, row: Mapping[str, Any]) -> None:
        """Create the target or replace its configuration (its pause and tokens stay)."""
        keep = {"paused_until", "pause_reason", "tokens", "tokens_at", "created_at"}
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = insert(TG).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={c: stmt.excluded[c] for c in row if c not in keep and c != "name"},
        )
        self.conn.execute(stmt)

    def remove(self, name: str) -> bool:
        self.conn.execute(delete(DL).where(DL.c.target == name))
        return bool(self.conn.execute(delete(TG).where(TG.c.name == name)).rowcount)

    def pause(self, name: str, *, until: datetime, reason: str) -> None:
        self.conn.execute(
            update(TG).where(TG.c.name == name).values(paused_until=until, pause_reason=reason)
        )

    def set_tokens(self, name: str, tokens: float, at: datetime) -> None:
        self.conn.execute(update(TG).where(TG.c.name == name).values(tokens=tokens, tokens_at=at))

    def stats(self, now: datetime) -> dict[str, dict[str, Any]]:
        """Per target: deliveries by state, and the age of the oldest undelivered change."""
        stmt = select(DL.c.target, DL.c.state, func.count(), func.min(DL.c.changed_at)).group_by(
            DL.c.target, DL.c.state
        )
        out: dict[str, dict[str, Any]] = {}
        for target, state, count, oldest in self.conn.execute(stmt):
            entry = out.setdefault(target, {s: 0 for s in DELIVERY_STATES} | {"oldest": None})
            entry[state] = int(count)
            if state in (DeliveryState.PENDING, DeliveryState.IN_FLIGHT) and oldest is not None:
                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
                if entry["oldest"] is None or oldest < entry["oldest"]:
                    entry["oldest"] = oldest
        return out
