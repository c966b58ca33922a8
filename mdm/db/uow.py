"""The unit of work: one transaction around state, history and outbox rows.

Handlers never commit. They receive a unit of work, read and write through its
repositories, and the unit of work commits everything together on success or
nothing on failure; the outbox events a handler queued are numbered and
inserted as the transaction's last statements (see :mod:`mdm.db.repositories.outbox`).

:func:`run_in_transaction` starts the whole use case again on fresh state only
for errors that mean "try again": a PostgreSQL deadlock, serialisation failure
or lock timeout, SQLite's "database is locked", and the unique-key races a
repository knows can happen (:class:`UniqueRace`). Any other integrity error is
a bug or a conflict for the caller to see, and is raised at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from typing import TypeVar

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from mdm.clock import SYSTEM, Clock
from mdm.db import repositories as r
from mdm.db.bulk import indexes_built_after
from mdm.db.read import ReadModel
from mdm.db.repositories.base import UniqueRace, is_unique_violation

__all__ = ["UniqueRace", "UnitOfWork", "is_unique_violation", "run_in_transaction"]

log = logging.getLogger(__name__)
T = TypeVar("T")

_RETRYABLE_PG = {"40001", "40P01", "55P03"}  # serialization_failure, deadlock, lock_not_available


class UnitOfWork:
    """The repositories of one transaction. Built by :func:`run_in_transaction` only."""

    def __init__(self, conn: Connection, clock: Clock = SYSTEM) -> None:
        self._conn = conn
        self.clock = clock
        """The time this transaction's work reads (the bus's clock)."""
        self.dialect = conn.dialect.name
        self._after_commit: list[Callable[[], None]] = []

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once this transaction has committed (never if it rolls back)."""
        self._after_commit.append(action)

    @cached_property
    def records(self) -> r.SourceRecords:
        return r.SourceRecords(self._conn)

    @cached_property
    def goldens(self) -> r.GoldenRecords:
        return r.GoldenRecords(self._conn)

    @cached_property
    def keys(self) -> r.KeyIndex:
        return r.KeyIndex(self._conn)

    @cached_property
    def locks(self) -> r.Locks:
        return r.Locks(self._conn)

    @cached_property
    def decisions(self) -> r.MatchDecisions:
        return r.MatchDecisions(self._conn)

    @cached_property
    def tasks(self) -> r.Tasks:
        return r.Tasks(self._conn)

    @cached_property
    def merges(self) -> r.MergeEvents:
        return r.MergeEvents(self._conn)

    @cached_property
    def not_a_match(self) -> r.NotAMatch:
        return r.NotAMatch(self._conn)

    @cached_property
    def labels(self) -> r.Labels:
        return r.Labels(self._conn)

    @cached_property
    def audit(self) -> r.AuditLog:
        return r.AuditLog(self._conn)

    @cached_property
    def outbox(self) -> r.Outbox:
        return r.Outbox(self._conn)

    @cached_property
    def quarantine(self) -> r.Quarantine:
        return r.Quarantine(self._conn)

    @cached_property
    def sources(self) -> r.Sources:
        return r.Sources(self._conn)

    @cached_property
    def api_keys(self) -> r.ApiKeys:
        return r.ApiKeys(self._conn)

    @cached_property
    def match_settings(self) -> r.MatchSettingsStore:
        return r.MatchSettingsStore(self._conn)

    @cached_property
    def requests(self) -> r.RequestLog:
        return r.RequestLog(self._conn)

    @cached_property
    def targets(self) -> r.Targets:
        return r.Targets(self._conn)

    @cached_property
    def deliveries(self) -> r.Deliveries:
        return r.Deliveries(self._conn)

    @cached_property
    def crosswalk(self) -> r.Crosswalk:
        return r.Crosswalk(self._conn)

    @cached_property
    def relay_positions(self) -> r.RelayPositions:
        return r.RelayPositions(self._conn)

    @cached_property
    def registry(self) -> r.SchemaRegistry:
        return r.SchemaRegistry(self._conn)

    @cached_property
    def transactional(self) -> r.TransactionalEvents:
        return r.TransactionalEvents(self._conn)

    @cached_property
    def webhooks(self) -> r.SourceWebhooks:
        return r.SourceWebhooks(self._conn)

    @cached_property
    def reads(self) -> ReadModel:
        """Read-model queries (GraphQL, REST lists) in this transaction's snapshot."""
        return ReadModel(self._conn)

    def indexes_built_after(self, tables: Iterable[str]) -> AbstractContextManager[None]:
        """A bulk write's block after which the tables' secondary indexes are built
        (:mod:`mdm.db.bulk`; SQLite only)."""
        return indexes_built_after(self._conn, tables)

    def _before_commit(self) -> None:
        if "outbox" in self.__dict__:
            self.outbox.flush()

    def _committed(self) -> None:
        for action in self._after_commit:
            action()


@contextmanager
def _transaction(
    engine: Engine, *, readonly: bool = False, clock: Clock = SYSTEM
) -> Iterator[UnitOfWork]:
    with engine.connect() as conn:
        if readonly:
            # SQLite: a DEFERRED transaction reads without taking the write lock.
            conn = conn.execution_options(sqlite_begin="DEFERRED")
        with conn.begin():
            uow = UnitOfWork(conn, clock)
            yield uow
            uow._before_commit()
    uow._committed()


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, UniqueRace):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in _RETRYABLE_PG:
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def run_in_transaction(
    engine: Engine,
    work: Callable[[UnitOfWork], T],
    *,
    attempts: int = 6,
    readonly: bool = False,
    clock: Clock = SYSTEM,
) -> T:
    """Run ``work`` in one transaction, retrying it whole on transient conflicts.

    Blocking: call it from a worker thread, never from the event loop (the backoff
    between attempts sleeps).
    """
    for attempt in range(1, attempts + 1):
        try:
            with _transaction(engine, readonly=readonly, clock=clock) as uow:
                return work(uow)
        except (DBAPIError, UniqueRace) as exc:
            if attempt == attempts or not _retryable(exc):
                raise
            log.info("transient conflict, retrying (%s): %s", attempt, exc)
            time.sleep(random.uniform(0.005, 0.03) * attempt)
    raise AssertionError("unreachable")
