"""The message bus: each command to its one handler, run in one unit of work.

The mapping from command type to handler is built by the composition root
(:func:`mdm.bootstrap.bootstrap`), with each handler's dependencies already
bound, so entry points only build a command and call :meth:`MessageBus.handle`.
Reads go through :meth:`MessageBus.query` in a read-only transaction. A use case
whose reading is long (training on every stored record) is a :class:`Prepared`
handler: the bus runs its ``prepare`` in a read-only transaction first, then its
``handle`` with what was prepared in the write transaction, so the long part never
holds SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from mdm.clock import SYSTEM, Clock
from mdm.db.uow import UnitOfWork, run_in_transaction

__all__ = ["Handler", "MessageBus", "Origin", "Prepared"]

T = TypeVar("T")
Handler = Callable[[Any, UnitOfWork], Any]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a command came from, kept in the request log with it (traces start here)."""

    channel: str  # http | cli | worker
    correlation_id: str | None = None
    actor: str | None = None
    method: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A handler in two steps: ``prepare(command, uow)`` only reads (and may take long);
    ``handle(command, uow, prepared)`` writes. Called as a plain handler, both run in
    the one transaction given."""

    prepare: Callable[[Any, UnitOfWork], Any]
    handle: Callable[[Any, UnitOfWork, Any], Any]

    def __call__(self, command: Any, uow: UnitOfWork) -> Any:
        return self.handle(command, uow, self.prepare(command, uow))


class MessageBus:
    def __init__(
        self, engine: Engine, handlers: Mapping[type, Handler], *, clock: Clock = SYSTEM
    ) -> None:
        self.engine = engine
        self.handlers = dict(handlers)
        self.clock = clock
        """The time every transaction of this bus reads (``uow.clock``): tests replace it."""

    def handle(self, command: Any, *, origin: Origin | None = None) -> Any:
        """Run the command's handler in one transaction (retried whole on transient
        conflicts); returns what the handler returned. With an ``origin``, the request
        is logged in the same transaction. Blocking: call from a thread."""
        try:
            handler = self.handlers[type(command)]
        except KeyError:
            raise TypeError(f"no handler for {type(command).__name__}") from None
        if isinstance(handler, Prepared):
            two_step = handler
            prepared = self.query(lambda uow: two_step.prepare(command, uow))
            handler = partial(_with_prepared, two_step.handle, prepared=prepared)

        def work(uow: UnitOfWork) -> Any:
            if origin is not None:
                uow.requests.record(
                    {
                        "correlation_id": origin.correlation_id,
                        "command": type(command).__name__,
                        "channel": origin.channel,
                        "method": origin.method,
                        "path": origin.path[:500] if origin.path else None,
                        "actor": origin.actor,
                        "at": uow.clock.now(),
                    }
                )
            return handler(command, uow)

        return run_in_transaction(self.engine, work, clock=self.clock)

    def query(self, read: Callable[[UnitOfWork], T]) -> T:
        """Run a read in one read-only transaction. Blocking: call from a thread."""
        return run_in_transaction(self.engine, read, readonly=True, clock=self.clock)


def _with_prepared(
    handle: Callable[[Any, UnitOfWork, Any], Any], command: Any, uow: UnitOfWork, *, prepared: Any
) -> Any:
    return handle(command, uow, prepared)
