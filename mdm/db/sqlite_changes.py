"""Whether anything was committed to a SQLite file since a moment: ``PRAGMA data_version``.

PostgreSQL tells every process of a change through ``NOTIFY`` (:mod:`mdm.db.notify`);
SQLite has no such channel, but each connection can ask whether any *other*
connection (in this process or another) has committed since it last asked:
``PRAGMA data_version`` answers a number that moves on every such commit. One
connection of its own, which never writes, asks for the process; a cache that
tags each entry with the number read *before* the entry was looked up, and trusts
it only while the number has not moved, can never serve what a commit changed.
Asking costs microseconds (no statement to plan, no transaction).
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy.engine import Engine

__all__ = ["SqliteChanges", "sqlite_changes"]


class SqliteChanges:
    """The data version of one SQLite file, read through a connection of its own."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()

    def version(self) -> int:
        """A number that differs from any earlier answer once another connection has
        committed in between."""
        with self._lock:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def sqlite_changes(engine: Engine) -> SqliteChanges | None:
    """The change detector for ``engine``'s file; None for PostgreSQL and for an
    in-memory database (one process, one connection: nothing to detect)."""
    if engine.dialect.name != "sqlite":
        return None
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:") or "mode=memory" in path:
        return None
    return SqliteChanges(path)
