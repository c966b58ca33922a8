"""The message bus: each command to its one handler, run in one unit of work.

The mapping from command type to handler is built by the composition root
(:func:`mdm.bootstrap.bootstrap`), with each handler's dependencies already
bound, so entry points only build a command and call :meth:`MessageBus.handle`.
Reads go through :meth:`MessageBus.query` in a read-only transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from mdm.db.uow import UnitOfWork, run_in_transaction

__all__ = ["Handler", "MessageBus"]

T = TypeVar("T")
Handler = Callable[[Any, UnitOfWork], Any]


class MessageBus:
    def __init__(self, engine: Engine, handlers: Mapping[type, Handler]) -> None:
        self.engine = engine
        self.handlers = dict(handlers)

    def handle(self, command: Any) -> Any:
        """Run the command's handler in one transaction (retried whole on transient
        conflicts); returns what the handler returned. Blocking: call from a thread."""
        try:
            handler = self.handlers[type(command)]
        except KeyError:
            raise TypeError(f"no handler for {type(command).__name__}") from None
        return run_in_transaction(self.engine, lambda uow: handler(command, uow))

    def query(self, read: Callable[[UnitOfWork], T]) -> T:
        """Run a read in one read-only transaction. Blocking: call from a thread."""
        return run_in_transaction(self.engine, read, readonly=True)
