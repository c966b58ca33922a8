"""The outbox: golden-record events written in the transaction of the change.

Events are buffered during the unit of work and inserted by :meth:`Outbox.flush`
as the transaction's last statements. ``flush`` first takes a block of sequence
numbers from ``outbox_sequence`` with an ``UPDATE``: the row lock it takes is held
until the commit, so transactions get their numbers in commit order, and a
reader that pages by ``seq`` (the feed, the relay) never moves past an event
whose transaction commits later. On SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from mdm.db.repositories.base import OB, OS, Repository, dicts

__all__ = ["Outbox"]

_NAME = "outbox"


class Outbox(Repository):
    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._pending: list[dict[str, Any]] = []

    def add(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Queue events for this transaction (written at commit, in order)."""
        self._pending.extend(dict(r) for r in rows)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Number the queued events in commit order and insert them (called by the
        unit of work right before it commits)."""
        if not self._pending:
            return
        rows, self._pending = self._pending, []
        last = self._take(len(rows))
        first = last - len(rows) + 1
        for offset, row in enumerate(rows):
            row["seq"] = first + offset
        self._insert(OB, rows)

    def _take(self, n: int) -> int:
        """Reserve ``n`` numbers; returns the last. The row lock taken here is held until
        the commit, which is what makes the numbers follow commit order."""
        stmt = update(OS).where(OS.c.name == _NAME).values(last=OS.c.last + n).returning(OS.c.last)
        last = self.conn.execute(stmt).scalar()
        if last is None:  # the counter row is missing (an emptied database): start after the max
            start = self.conn.execute(select(func.coalesce(func.max(OB.c.seq), 0))).scalar_one()
            dialect_insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
            self.conn.execute(
                dialect_insert(OS).values(name=_NAME, last=int(start)).on_conflict_do_nothing()
            )
            last = self.conn.execute(stmt).scalar_one()
        return int(last)

    def after(self, seq: int, limit: int) -> list[dict[str, Any]]:
        """Events with a sequence number above ``seq``, in commit order."""
        stmt = select(OB).where(OB.c.seq > seq).order_by(OB.c.seq).limit(limit)
        return list(dicts(self.conn.execute(stmt)))

    def feed(self, after: int, limit: int) -> list[tuple[int, Any]]:
        """``(seq, envelope)`` pairs after ``after``, in commit order."""
        stmt = (
            select(OB.c.seq, OB.c.envelope).where(OB.c.seq > after).order_by(OB.c.seq).limit(limit)
        )
        return [(int(s), env) for s, env in self.conn.execute(stmt)]
