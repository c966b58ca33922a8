"""The hub's one clock: what every handler, repository, the dispatcher and leases read.

The system clock by default; a test replaces it (``container.bus.clock = ManualClock(...)``)
to fix the time or move it on without waiting. It reaches the code through the unit of work
(``uow.clock``, from the bus that opened the transaction) and the container
(``container.clock``), never through a module-level call, so two containers in one process
may keep different times.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["SYSTEM", "Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """Wall time (aware, UTC: stored, compared with stored times) and a monotonic count of
    seconds (for intervals inside one process: pauses, caches, pacing)."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


SYSTEM: Clock = SystemClock()


class ManualClock:
    """A clock that stands still until :meth:`advance` moves it (both readings at once)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._monotonic = 1_000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._monotonic

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._monotonic += seconds
