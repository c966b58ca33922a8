"""The dispatcher a worker process (or the embedded hub) runs: threads that plan, deliver
and reconcile until stopped.

- one planner thread reads the outbox into deliveries (one planner at a time across
  processes: the relay position is held with ``SKIP LOCKED``);
- one thread per target claims due deliveries, pushes them (``options.concurrency``
  calls at once) and settles the outcomes, so a slow or paused target never holds
  another one up; a target's refusal for its rate or concurrency limit stops every call
  to it at once, in this process and in the others (:mod:`sync.pause`);
- reconciliation runs at start, every ``sync_reconcile_seconds``, and at once for a
  target added, changed or re-enabled while the dispatcher runs.
Each target's work is its own: a target whose configuration cannot be used (options
stored before they were checked, credentials the key cannot open) or whose round fails is
logged and skipped, the others are planned, reconciled and delivered to all the same.
Any number of worker processes may run on PostgreSQL; the claims keep one delivery per
(target, golden record) in flight at a time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from mdm.plugin_api import Container, UnitOfWork, run_in_transaction
from sync.connectors import Connector, TargetConfig, build_connector
from sync.dispatch import Policy, pause_unusable, settle, take
from sync.pause import TargetPause
from sync.push import send
from sync.reconcile import reconcile_target
from sync.relay import plan_deliveries
from sync.stream_relay import StreamRelay
from sync.targets import config_of

__all__ = ["Dispatcher"]

log = logging.getLogger(__name__)

ConnectorFactory = Callable[[TargetConfig], Connector]
T = TypeVar("T")


class _TargetLoop:
    """Deliveries of one target, on a thread of its own, with its own connector."""

    def __init__(self, dispatcher: Dispatcher, row: dict[str, Any]) -> None:
        """Raises when the stored configuration cannot be used (kind, options, mapping and
        credentials are checked as a PUT checks them; the address when connecting)."""
        self.dispatcher = dispatcher
        self.name = row["name"]
        self.updated_at = row["updated_at"]
        config = config_of(row, dispatcher.container.sealer)
        self.pool = ThreadPoolExecutor(
            max_workers=int(config.options["concurrency"]),
            thread_name_prefix=f"sync-{self.name}",
        )
        try:
            self.connector = dispatcher.connector_factory(config)
        except BaseException:
            self.pool.shutdown(wait=False)
            raise
        policy = dispatcher.policy
        self.pause = TargetPause(
            self.name,
            dispatcher.container.engine,
            backoff_base_s=policy.backoff_base_s,
            backoff_cap_s=policy.backoff_cap_s,
            check_s=policy.pause_check_s,
            clock=dispatcher.container.clock,
        )
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self.run, name=f"sync-target-{self.name}", daemon=True
        )

    def round(self) -> int:
        d = self.dispatcher
        policy, worker = d.policy, d.worker_id
        if self.pause.until() is not None:  # claims now would only come back held
            return 0
        claims = d.transact(
            lambda uow: take(uow, self.name, worker=worker, now=uow.clock.now(), policy=policy)
        )
        if not claims:
            return 0
        outcomes = send(self.connector, claims, self.pool, self.pause)
        d.transact(
            lambda uow: settle(
                uow,
                uow.targets.get(self.name) or {"name": self.name, "source": None},
                outcomes,
                worker=worker,
                now=uow.clock.now(),
                policy=policy,
            ),
        )
        return len(claims)

    def run(self) -> None:
        d = self.dispatcher
        while not (d.stopping.is_set() or self.stop.is_set()):
            try:
                done = self.round()
            except Exception:  # a database or programming error: log, back off, go on
                log.exception("delivery round for target %s failed", self.name)
                done = 0
                d.stopping.wait(1.0)
            if not done:
                d.wake.wait(d.container.settings.sync_poll_seconds * 4)

    def close(self) -> None:
        """Stop the loop (after its current round) and release the connector."""
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(30)
        self.pool.shutdown(wait=True)
        try:
            self.connector.close()
        except Exception:  # nothing is left to deliver through it: never stop the others
            log.exception("closing the connector of target %s failed", self.name)


class Dispatcher:
    def __init__(
        self,
        container: Container,
        *,
        worker_id: str | None = None,
        policy: Policy | None = None,
        connector_factory: ConnectorFactory = build_connector,
        stream: StreamRelay | None = None,
    ) -> None:
        s = container.settings
        self.container = container
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.policy = policy or Policy(
            max_failures=s.sync_max_failures, lease_s=s.sync_lease_seconds
        )
        self.connector_factory = connector_factory
        self.stopping = threading.Event()
        self.wake = threading.Event()
        self.loops: dict[str, _TargetLoop] = {}
        self._threads: list[threading.Thread] = []
        self._last_reconcile = 0.0
        # configuration (updated_at) each target was last reconciled under: a target added
        # or changed since (new entity types, re-enabled) is reconciled at once, not at the
        # next scheduled round
        self._reconciled: dict[str, Any] = {}
        # target -> (configuration found unusable, monotonic time to try it again)
        self._unusable: dict[str, tuple[Any, float]] = {}
        self.stream = stream or StreamRelay(container)
        # SQLite has one writer: the dispatcher's own threads take turns here, where the
        # next one starts the moment the last commits, instead of in SQLite's busy handler,
        # which sleeps in steps of up to 100 ms before it looks again
        self._writer: AbstractContextManager[Any] = (
            threading.Lock() if container.engine.dialect.name == "sqlite" else nullcontext()
        )

    def transact(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in one transaction (see ``_writer``)."""
        with self._writer:
            return run_in_transaction(self.container.engine, work, clock=self.container.clock)

    # -- one step at a time (tests, `mdm worker --once`) -----------------------

    def plan(self) -> int:
        """Plan every outbox event not planned yet; returns how many were read."""
        total = 0
        while True:
            n = self.transact(lambda uow: plan_deliveries(uow, now=uow.clock.now()))
            total += n
            if not n:
                return total

    def reconcile(self, names: list[str] | None = None) -> int:
        """Queue what drifted at ``names`` (default: every enabled target)."""
        rows = {t["name"]: t for t in self._targets() if t["enabled"]}
        total = 0
        for name in rows if names is None else [n for n in names if n in rows]:

            def step(uow: UnitOfWork, name: str = name) -> int:
                return reconcile_target(uow, name, now=uow.clock.now())

            try:
                while n := self.transact(step):
                    total += n
                    if n < 5000:
                        break
            except Exception:
                log.exception("reconciling target %s failed", name)
                continue
            self._reconciled[name] = rows[name]["updated_at"]
        if names is None:
            self._last_reconcile = self.container.clock.monotonic()
        return total

    def deliver(self) -> int:
        """One delivery round for every enabled target; returns deliveries claimed."""
        self._sync_loops()
        total = 0
        for loop in list(self.loops.values()):
            try:
                total += loop.round()
            except Exception:
                log.exception("delivery round for target %s failed", loop.name)
        return total

    def run_until_idle(self, *, timeout: float = 30.0) -> int:
        """Plan, deliver and publish until nothing is due (retries scheduled later are
        left)."""
        deadline, total = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            self.plan()
            self.publish()
            done = self.deliver()
            total += done
            if not done:
                return total
        return total

    # -- running as threads ------------------------------------------------------

    def publish(self) -> int:
        """Publish every outbox event not yet on the stream (0 without MDM_NATS_URL)."""
        total = 0
        while n := self.stream.step():
            total += n
        return total

    def start(self) -> None:
        self.reconcile()
        planner = threading.Thread(target=self._plan_forever, name="sync-planner", daemon=True)
        self._threads.append(planner)
        if self.stream.enabled:
            streamer = threading.Thread(
                target=self._publish_forever, name="sync-stream", daemon=True
            )
            self._threads.append(streamer)
        for thread in self._threads:
            thread.start()

    def _publish_forever(self) -> None:
        poll = self.container.settings.sync_poll_seconds
        while not self.stopping.is_set():
            try:
                done = self.stream.step()
            except Exception:
                log.exception("publishing to the event stream failed")
                done = 0
                self.stopping.wait(1.0)
            if not done:
                self.stopping.wait(5.0 if self.stream.stuck else poll)
        self.stream.close()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        for t in self._threads:
            t.join(5)
        for loop in self.loops.values():
            loop.close()
        self.loops.clear()

    def _plan_forever(self) -> None:
        s = self.container.settings
        while not self.stopping.is_set():
            try:
                planned = self.plan()
                self._sync_loops(start=True)
                if (
                    self.container.clock.monotonic() - self._last_reconcile
                    > s.sync_reconcile_seconds
                ):
                    planned += self.reconcile()
            except Exception:
                log.exception("planning deliveries failed")
                planned = 0
                self.stopping.wait(1.0)
            if planned:
                self.wake.set()
                self.wake.clear()
            self.stopping.wait(s.sync_poll_seconds)

    def _open(self, row: dict[str, Any]) -> _TargetLoop | None:
        """The target's loop, or None while its configuration cannot be used: the error is
        logged and shown on the target (paused, its ``pause_reason`` saying why), and the
        target is tried again once its configuration changes or the pause is over."""
        name, policy = row["name"], self.policy
        tried = self._unusable.get(name)
        clock = self.container.clock
        if tried and tried[0] == row["updated_at"] and clock.monotonic() < tried[1]:
            return None
        try:
            loop = _TargetLoop(self, row)
        except Exception as exc:
            message = str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"
            log.error(
                "target %s cannot be used as configured: %s",
                name,
                message,
                exc_info=not isinstance(exc, ValueError),
            )
            self._unusable[name] = (row["updated_at"], clock.monotonic() + policy.unusable_pause_s)
            try:
                run_in_transaction(
                    self.container.engine,
                    lambda uow: pause_unusable(
                        uow, name, message, now=uow.clock.now(), policy=policy
                    ),
                    clock=clock,
                )
            except Exception:
                log.exception("recording the error of target %s failed", name)
            return None
        self._unusable.pop(name, None)
        return loop

    def _targets(self) -> list[dict[str, Any]]:
        return self.container.bus.query(lambda uow: uow.targets.all())

    def _sync_loops(self, *, start: bool = False) -> None:
        """One loop per enabled target; a changed configuration gets a new connector."""
        rows = {t["name"]: t for t in self._targets() if t["enabled"]}
        for name in list(self.loops):
            if name not in rows or rows[name]["updated_at"] != self.loops[name].updated_at:
                loop = self.loops.pop(name)
                loop.close()
        for name, row in rows.items():
            if name not in self.loops and (opened := self._open(row)) is not None:
                self.loops[name] = opened
                if start:
                    opened.thread.start()
        fresh = [n for n, row in rows.items() if self._reconciled.get(n) != row["updated_at"]]
        if fresh:
            self.reconcile(fresh)
