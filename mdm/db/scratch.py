"""Emptying a throwaway database (contract verification's provider states start from
nothing). Never pointed at a database anyone keeps: the caller made it."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import mdm.db.tables  # noqa: F401  (registers the tables on the metadata)

__all__ = ["empty_tables"]


def empty_tables(engine: Engine, *, keep: Collection[str]) -> None:
    """Delete every row of every table but those named in ``keep``, children first."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name not in keep:
                conn.execute(delete(table))
