"""The sync-side worker that reads sources' transactional events from NATS JetStream.

A durable pull consumer (``mdm-inbound``) on the hub's stream, filtered to
``<prefix>.inbound.>``: its position survives restarts, and every worker process
with the same durable name shares the messages. Delivery is at least once: a message
is acknowledged after its events committed, so a crash in between hands it over again,
and intake's dedup by (source, event id) makes that harmless.

Written against nats-py directly: the event-stream adapter of the ``nats`` branch
(``sync.stream.consumer.EventConsumer``) was not on main yet. Its handler contract is
the same (a message in, ack / retry later / reject out; see :mod:`.intake`), so this
module can give way to it. The stream is the one the outbound relay publishes to
(``MDM_NATS_STREAM``, subjects ``<prefix>.>``), created here if missing.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from mdm.bootstrap import Container
from sync.inbound.intake import Verdict, intake_message

__all__ = ["DURABLE", "InboundConsumer", "Polled"]

log = logging.getLogger(__name__)

DURABLE = "mdm-inbound"
_BACKOFF_S = (1.0, 5.0, 30.0, 120.0, 600.0)


@dataclass(frozen=True, slots=True)
class Polled:
    acked: int = 0
    retried: int = 0
    rejected: int = 0


class InboundConsumer:
    """Fetch a batch, hand each message to intake, settle it. ``poll`` drives one round
    from the caller's thread; ``start`` runs rounds on a thread of its own until
    ``stop``. One instance is driven by one thread at a time."""

    def __init__(self, container: Container, *, durable: str = DURABLE, batch: int = 50) -> None:
        settings = container.settings
        if not settings.nats_url:
            raise ValueError("the event stream is off: MDM_NATS_URL is not set")
        self.container = container
        self.durable = durable
        self.batch = batch
        self._servers = [s.strip() for s in settings.nats_url.split(",") if s.strip()]
        self._stream = settings.nats_stream
        self._prefix = settings.nats_subject_prefix
        self._loop = asyncio.new_event_loop()
        self._nc: Client | None = None
        self._sub: JetStreamContext.PullSubscription | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self, timeout_s: float = 1.0) -> Polled:
        return self._loop.run_until_complete(self._poll(timeout_s))

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sync-inbound", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        else:
            self.close()

    def close(self) -> None:
        if not self._loop.is_closed():
            self._loop.run_until_complete(self._disconnect())
            self._loop.close()

    def _run(self) -> None:
        pause = 0.5
        while not self._stop.is_set():
            try:
                self.poll()
                pause = 0.5
            except (OSError, TimeoutError, NatsError) as exc:
                log.warning("inbound consumer: %r; next try in %.1fs", exc, pause)
                self._loop.run_until_complete(self._disconnect())
                self._stop.wait(pause)
                pause = min(pause * 2, 30.0)
        self.close()

    async def _poll(self, timeout_s: float) -> Polled:
        sub = await self._subscribed()
        try:
            messages = await sub.fetch(self.batch, timeout=timeout_s)
        except NatsTimeoutError:
            return Polled()
        counts = {"ack": 0, "retry": 0, "reject": 0}
        for msg in messages:
            verdict = intake_message(
                self.container, subject=msg.subject, data=msg.data, headers=dict(msg.headers or {})
            )
            await self._settle(msg, verdict)
            counts[verdict.outcome] += 1
        return Polled(counts["ack"], counts["retry"], counts["reject"])

    async def _settle(self, msg: Msg, verdict: Verdict) -> None:
        if verdict.outcome == "ack":
            await msg.ack()
        elif verdict.outcome == "reject":
            log.info("inbound message on %s rejected: %s", msg.subject, verdict.reason)
            await msg.term()
        else:
            tries = max(1, msg.metadata.num_delivered)
            delay = verdict.delay_s or _BACKOFF_S[min(tries, len(_BACKOFF_S)) - 1]
            await msg.nak(delay=delay)

    async def _subscribed(self) -> JetStreamContext.PullSubscription:
        if self._sub is not None and self._nc is not None and not self._nc.is_closed:
            return self._sub
        nc = await nats.connect(servers=self._servers, connect_timeout=2, max_reconnect_attempts=3)
        js = nc.jetstream()
        try:
            await js.stream_info(self._stream)
        except NotFoundError:
            await js.add_stream(self._stream_config())
        filter_subject = f"{self._prefix}.inbound.>"
        config = ConsumerConfig(
            durable_name=self.durable,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=60,
            filter_subject=filter_subject,
        )
        self._sub = await js.pull_subscribe(
            filter_subject, durable=self.durable, stream=self._stream, config=config
        )
        self._nc = nc
        return self._sub

    def _stream_config(self) -> StreamConfig:
        """The hub's stream as the outbound publisher makes it (``nats`` branch:
        ``sync.stream.streams.stream_config`` with its defaults), should this consumer be
        the first to need it: limits retention on file, 7 days, a 1-hour duplicate window."""
        return StreamConfig(
            name=self._stream,
            description="Golden-record hub events (CloudEvents 1.0 JSON)",
            subjects=[f"{self._prefix}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            max_age=7 * 24 * 3600.0,
            duplicate_window=3600.0,
        )

    async def _disconnect(self) -> None:
        nc, self._nc, self._sub = self._nc, None, None
        if nc is not None and not nc.is_closed:
            try:
                await nc.drain()
            except (OSError, TimeoutError, NatsError):
                await nc.close()
