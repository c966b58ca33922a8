"""The sync-side worker that reads sources' transactional events from NATS JetStream.

A durable pull consumer (``mdm-inbound``) on the hub's stream, filtered to
``<prefix>.inbound.>`` (``sync.stream.EventConsumer``): its position survives
restarts, and every worker process with the same durable name shares the messages.
Delivery is at least once: a message is acknowledged after its events committed, so a
crash in between hands it over again, and intake's dedup by (source, event id) makes
that harmless.
"""

from __future__ import annotations

import logging
import threading

from mdm.plugin_api import Container
from sync.inbound.intake import intake_message
from sync.settings import stream_settings
from sync.stream import (
    EventConsumer,
    InboundMessage,
    PollResult,
    StreamSettings,
    Verdict,
)

__all__ = ["DURABLE", "InboundConsumer", "Polled"]

log = logging.getLogger(__name__)

DURABLE = "mdm-inbound"
Polled = PollResult


class InboundConsumer:
    """``poll`` drives one round from the caller's thread; ``start`` runs rounds on a
    thread of its own until ``stop``."""

    def __init__(
        self,
        container: Container,
        *,
        durable: str = DURABLE,
        batch: int = 50,
        settings: StreamSettings | None = None,
    ) -> None:
        self.settings = stream_settings(container.settings, settings)
        self.container = container
        self._consumer = EventConsumer(
            self.settings, durable=durable, handler=self._handle, batch=batch
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _handle(self, message: InboundMessage) -> Verdict:
        return intake_message(
            self.container,
            subject=message.subject,
            data=message.raw,
            headers=message.headers,
            prefix=self.settings.subject_prefix,
        )

    def poll(self) -> PollResult:
        return self._consumer.poll()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sync-inbound", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._consumer.run(self._stop)
        finally:
            self._consumer.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        else:
            self._consumer.close()

    def close(self) -> None:
        self.stop()
