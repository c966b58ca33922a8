"""Bulk writes on SQLite: secondary indexes built once after the rows, not row by row.

Each row inserted into a table with an index on a column of random order (a golden id, a
blocking key, a timestamp with the id after it) lands on another page of that index; once
the load's indexes outgrow SQLite's page cache, every insert reads and dirties a page
that was spilled. ``CREATE INDEX`` over the finished table sorts instead. Only plain
``CREATE INDEX`` indexes are deferred: primary keys and unique constraints keep checking
every row as it arrives, and the rebuild runs in the caller's transaction, so readers on
other connections (WAL) see the old indexes until the commit, and a load that fails leaves
them as they were. PostgreSQL is left alone: dropping an index there locks the table
against readers for the whole load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

__all__ = ["indexes_built_after"]


@contextmanager
def indexes_built_after(conn: Connection, tables: Iterable[str]) -> Iterator[None]:
    """On SQLite, drop the non-unique indexes of ``tables``, run the block, and create
    them again, in the caller's transaction; elsewhere, just run the block."""
    if conn.dialect.name != "sqlite":
        yield
        return
    names = sorted(set(tables))
    marks = ", ".join("?" for _ in names)
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
        tuple(names),
    ).all()
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.exec_driver_sql(sql)
