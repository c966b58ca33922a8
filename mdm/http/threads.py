"""The worker threads that reads run on: few, and the same ones for REST and GraphQL.

A read never runs on the event loop (a slow query, a long page or a tree would hold up
every other request), but the number of threads it runs on matters as much. Each
thread that is runnable takes turns at the interpreter lock with the loop and with the
others, and every database call hands the lock over (the driver releases it): with
anyio's pool (one thread per waiting request, up to 40) a read by id under 16 clients
cost 125 context switches and 3 ms of CPU, against 11 and 1.8 ms on one thread.

So reads go to two small pools per process: ``light`` for reads by id and other short
ones, ``heavy`` for what may return many objects (a GraphQL plan over the cost guard's
``INLINE_MAX_COST``), so a page or a tree never queues the reads by id behind it. On a
SQLite file one light thread is fastest (its reads wait on nothing but the CPU); on
PostgreSQL a read also waits on the network, so a few threads overlap those waits.
``MDM_READ_THREADS`` overrides the light pool's size. Writes keep anyio's pool: they wait
on locks and on each other, not on the interpreter.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from mdm.bootstrap import Container

__all__ = ["ReadLanes", "ReadThreads", "read_lanes"]

T = TypeVar("T")

# the light pool on PostgreSQL: enough threads to overlap a few network round trips
_NETWORKED_THREADS = 4


class ReadThreads:
    """A small thread pool, started on first use. The caller's context variables (the
    correlation id, the trace) go along to the thread."""

    def __init__(self, size: int, name: str = "reads") -> None:
        self.size = max(1, size)
        self.name = name
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.size, thread_name_prefix=self.name)
        call = functools.partial(contextvars.copy_context().run, fn, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


@dataclass(frozen=True, slots=True)
class ReadLanes:
    """Short reads on ``light``, reads that may return many objects on ``heavy``."""

    light: ReadThreads
    heavy: ReadThreads

    def close(self) -> None:
        self.light.close()
        self.heavy.close()


_LOCK = threading.Lock()


def light_size(container: Container) -> int:
    configured = container.settings.read_threads
    if configured:
        return configured
    return 1 if container.engine.dialect.name == "sqlite" else _NETWORKED_THREADS


def read_lanes(container: Container) -> ReadLanes:
    """The container's read pools (one pair per process and container)."""
    lanes: ReadLanes | None = container.extras.get("read_lanes")
    if lanes is None:
        with _LOCK:
            lanes = container.extras.get("read_lanes")
            if lanes is None:
                lanes = container.extras["read_lanes"] = ReadLanes(
                    ReadThreads(light_size(container), "reads"),
                    ReadThreads(1, "reads-heavy"),
                )
    return lanes
