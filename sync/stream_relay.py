"""The stream relay: every outbox event, in commit order, published to NATS JetStream.

It keeps its own relay position (``stream``), so it is independent of delivery to
targets. On PostgreSQL one worker at a time publishes (it holds the position row,
other workers skip); the position moves only past events the server acknowledged,
and anything published twice after a crash is dropped by the server inside its
duplicate window (``Nats-Msg-Id`` is the event id). An event that can never be
published (``PublishError.permanent``) stops the relay where it is, loudly: the
outbox keeps it, nothing after it is skipped, and the ``stream`` relay's
``mdm_outbox_backlog`` and ``mdm_outbox_oldest_age_seconds`` on ``/metrics`` grow
(``/health/ready`` checks that NATS answers, not that the relay moves).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from mdm.plugin_api import Container, UnitOfWork, run_in_transaction
from sync.settings import stream_settings
from sync.stream import EventPublisher, PublishError, StreamSettings

__all__ = ["POSITION", "StreamRelay"]

log = logging.getLogger(__name__)

POSITION = "stream"


class StreamRelay:
    def __init__(
        self, container: Container, settings: StreamSettings | None = None, *, batch: int = 500
    ) -> None:
        self.settings = stream_settings(container.settings, settings)
        self.container = container
        self.batch = batch
        self.stuck: PublishError | None = None
        self._publisher: EventPublisher | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def _publish(self, rows: Sequence[dict[str, Any]]) -> int:
        if self._publisher is None:
            self._publisher = EventPublisher(self.settings)
        try:
            done = self._publisher.publish(rows)
            self.stuck = None
            return done
        except PublishError as exc:
            if exc.permanent:
                log.error("the stream relay is stuck at event %s: %s", exc.event_id, exc)
                self.stuck = exc
            else:
                log.warning("publishing to NATS failed, will retry: %s", exc)
            return exc.acked

    def _step(self, uow: UnitOfWork) -> int:
        now = uow.clock.now()
        position = uow.relay_positions.hold(POSITION, now)
        if position is None:  # another worker is publishing
            return 0
        rows = uow.outbox.after(position, self.batch)
        if not rows:
            return 0
        acked = self._publish(rows)
        if acked:
            uow.relay_positions.move(POSITION, rows[acked - 1]["seq"], now)
        return acked

    def step(self) -> int:
        """Publish the next batch; returns how many events the server acknowledged.

        On PostgreSQL the position row stays locked while the batch is published (one
        publisher at a time). SQLite would hold its only write lock for as long, so there
        the batch is read first and the position moved after, in a short write: the
        embedded hub runs one dispatcher.
        """
        if not self.enabled:
            return 0
        engine = self.container.engine
        if engine.dialect.name == "postgresql":
            return run_in_transaction(engine, self._step, attempts=1, clock=self.container.clock)
        position, rows = self.container.bus.query(self._read)
        if not rows:
            return 0
        acked = self._publish(rows)
        if acked:
            last = rows[acked - 1]["seq"]
            run_in_transaction(
                engine, lambda uow: self._move(uow, position, last), clock=self.container.clock
            )
        return acked

    def _read(self, uow: UnitOfWork) -> tuple[int, list[dict[str, Any]]]:
        position = uow.relay_positions.peek(POSITION)
        return position, uow.outbox.after(position, self.batch)

    @staticmethod
    def _move(uow: UnitOfWork, expected: int, seq: int) -> None:
        now = uow.clock.now()
        if uow.relay_positions.hold(POSITION, now) == expected:
            uow.relay_positions.move(POSITION, seq, now)

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
