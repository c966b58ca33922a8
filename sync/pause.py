"""A target's pause, honoured to the letter: by every thread of this process at once, and by
every other worker process through the target row.

A target that refuses for its rate or concurrency limit (429 or 503, with or without
``Retry-After``; NetSuite's ``CONCURRENCY_LIMIT_EXCEEDED``; Salesforce's
``REQUEST_LIMIT_EXCEEDED``) and keeps receiving requests inside the window it asked for
escalates: Zendesk and Salesforce throttle or block such clients, and every request sent
inside the window is refused anyway. So the first refusal closes the target:

- in this process at once: :meth:`TargetPause.wait_left` is asked before every request
  (``sync.connectors.http.paused_by``) and before every call of a batch in hand, so the rest
  of the batch and the other threads send nothing more; only requests already on the wire
  can arrive inside the window;
- in every other process: the pause is written on the target row at once
  (:func:`record_pause`), where ``take`` reads it before claiming, and where a batch in hand
  looks at most every ``check_s`` seconds while it sends.

The window is the refusal's ``retry_after`` (from ``Retry-After`` or the connector's option);
without one, ``backoff_base_s`` doubled for each refusal that follows a window already
waited out, up to ``backoff_cap_s``, and back to the start after a request goes through.
"""

from __future__ import annotations

import logging
import math
import threading
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from mdm.plugin_api import SYSTEM, Clock, UnitOfWork, run_in_transaction
from sync.connectors import DeliveryError

__all__ = ["TargetPause", "record_pause"]

log = logging.getLogger(__name__)


def record_pause(uow: UnitOfWork, name: str, *, until: datetime, reason: str) -> None:
    """Pause ``name`` until ``until``, unless it is paused longer already (a worker whose
    request was on the wire must not shorten the window another worker's refusal set)."""
    row = uow.targets.get(name)
    if row is None:
        return
    if row["paused_until"] is not None and row["paused_until"] >= until:
        return
    uow.targets.pause(name, until=until, reason=reason[:500])


class TargetPause:
    """The pause of one target as the threads sending to it share it."""

    def __init__(
        self,
        name: str,
        engine: Engine | None,
        *,
        backoff_base_s: float,
        backoff_cap_s: float,
        check_s: float,
        clock: Clock = SYSTEM,
    ) -> None:
        """``engine`` None keeps the pause in this process only (nothing to share it with)."""
        self.name = name
        self._clock = clock
        self._engine = engine
        self._base, self._cap, self._check_s = backoff_base_s, backoff_cap_s, check_s
        self._lock = threading.Lock()
        self._ends = 0.0  # the clock's monotonic() at which requests may go again
        self._until: datetime | None = None  # the same moment on the wall clock
        self._recorded: datetime | None = None
        self._steps = 0  # refusals without a Retry-After since a request last went through
        self._checked = -math.inf
        self._checking = threading.Lock()

    def wait_left(self) -> float:
        """Seconds until requests may go to the target again (0: they may go now)."""
        self._check_recorded()
        return max(0.0, self._ends - self._clock.monotonic())

    def until(self) -> datetime | None:
        """When the current window ends, on the wall clock; None when the target is open."""
        with self._lock:
            return self._until if self._ends > self._clock.monotonic() else None

    def refused(self, error: DeliveryError) -> datetime:
        """Close the target for the window ``error`` asks for; returns when it ends."""
        with self._lock:
            seconds = error.retry_after
            if seconds is None:
                if self._ends <= self._clock.monotonic():  # not a request that was on the wire
                    self._steps += 1
                seconds = min(self._cap, self._base * 2 ** max(0, self._steps - 1))
            until = self._close(float(seconds))
        self._record(until, error.message)
        return until

    def answered(self) -> None:
        """A request went through: the next refusal without Retry-After starts afresh."""
        with self._lock:
            self._steps = 0

    def _close(self, seconds: float) -> datetime:
        ends = self._clock.monotonic() + seconds
        if ends > self._ends or self._until is None:
            self._ends, self._until = ends, self._clock.now() + timedelta(seconds=seconds)
        return self._until

    def _record(self, until: datetime, reason: str) -> None:
        """Write the pause for the other processes; a failure to write leaves this process
        paused all the same (and ``settle`` writes it again)."""
        with self._lock:
            if self._engine is None or (self._recorded is not None and self._recorded >= until):
                return
            self._recorded = until
        try:
            run_in_transaction(
                self._engine,
                lambda uow: record_pause(uow, self.name, until=until, reason=reason),
                clock=self._clock,
            )
        except Exception:
            log.exception("recording the pause of target %s failed", self.name)

    def _check_recorded(self) -> None:
        """Adopt a pause another process recorded, looking at most every ``check_s``; one
        thread looks while the others go on with what was last seen."""
        if self._engine is None or self._clock.monotonic() - self._checked < self._check_s:
            return
        if not self._checking.acquire(blocking=False):
            return
        try:
            self._checked = self._clock.monotonic()
            engine, name = self._engine, self.name
            row = run_in_transaction(
                engine, lambda uow: uow.targets.get(name), readonly=True, clock=self._clock
            )
            until: datetime | None = row["paused_until"] if row else None
            if until is not None and (left := (until - self._clock.now()).total_seconds()) > 0:
                with self._lock:
                    self._close(left)
                    if self._recorded is None or self._recorded < until:
                        self._recorded = until
        except Exception:
            log.exception("reading the pause of target %s failed", self.name)
        finally:
            self._checking.release()
