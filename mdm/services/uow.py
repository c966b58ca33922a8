"""The unit of work: one transaction around state, history and outbox rows.

Services never commit. They receive a unit of work, read and write through its
repository, and the unit of work commits everything together on success or
nothing on failure. Transient conflicts between concurrent writers (a
PostgreSQL deadlock or serialisation failure, a unique-key race) make
:func:`run_in_transaction` start the whole use case again on fresh state.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from mdm.db.repository import CoreRepository

__all__ = ["UnitOfWork", "run_in_transaction"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_RETRYABLE_PG = {"40001", "40P01", "55P03"}


class UnitOfWork:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.repo = CoreRepository(conn)


@contextmanager
def _transaction(engine: Engine, *, readonly: bool = False) -> Iterator[UnitOfWork]:
    with engine.connect() as conn:
        if readonly:
            # SQLite: a DEFERRED transaction reads without taking the write lock.
            conn = conn.execution_options(sqlite_begin="DEFERRED")
        with conn.begin():
            yield UnitOfWork(conn)


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in _RETRYABLE_PG:
        return True
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def run_in_transaction(
    engine: Engine, work: Callable[[UnitOfWork], T], *, attempts: int = 6, readonly: bool = False
) -> T:
    """Run ``work`` in one transaction, retrying it whole on transient conflicts."""
    for attempt in range(1, attempts + 1):
        try:
            with _transaction(engine, readonly=readonly) as uow:
                return work(uow)
        except DBAPIError as exc:
            if attempt == attempts or not _retryable(exc):
                raise
            log.info("transient conflict, retrying (%s): %s", attempt, exc.orig)
            time.sleep(random.uniform(0.005, 0.03) * attempt)
    raise AssertionError("unreachable")
