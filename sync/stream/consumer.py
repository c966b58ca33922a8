"""A durable JetStream pull consumer for inbound events, driven synchronously.

Sources that publish their transactional events on NATS put them on
``{prefix}.inbound.{source}.{event type}`` (see :mod:`sync.stream.subjects`); the hub
reads them through a durable consumer, so its position survives restarts and several
worker processes sharing one durable name split the messages between them::

    def intake(message: InboundMessage) -> Verdict:
        ...                   # store, dedupe by (source, event id), in one transaction
        return ACK            # or retry_later(30), or reject("no customer.source_id")

    stream = get_hub_settings().stream  # sync.settings
    consumer = EventConsumer(stream, durable="mdm-inbound", handler=intake)
    consumer.run(stop_event)  # or consumer.poll() from your own loop

**At least once.** A message is acked only after the handler returned ``ACK``, so
every message is handed over at least once, and sometimes more: when the process dies
between the handler's commit and the ack, when the ack is lost, or when the handler
runs longer than ``ack_wait`` without this consumer's in-progress signals getting
through. The handler must therefore be idempotent (the hub dedupes by (source, event
id) in the same transaction as the event's effect). Order is the stream's order within
one batch, but a message retried later comes back after later ones: the handler must
not assume order either (the hub keeps the newest state by the source's own time).

A handler that raises is treated as ``retry_later()``: the message comes back after a
backoff that grows with its delivery count. ``reject`` terminates the message: the server
never redelivers it, so the handler should quarantine what it rejects first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import ConnectionReconnectingError
from nats.errors import Error as NatsError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from sync.stream.errors import ConsumeError
from sync.stream.loop import LoopThread
from sync.stream.settings import StreamSettings
from sync.stream.streams import connect, ensure_stream
from sync.stream.subjects import inbound_filter

__all__ = [
    "ACK",
    "EventConsumer",
    "Handler",
    "InboundMessage",
    "Outcome",
    "PollResult",
    "Verdict",
    "reject",
    "retry_later",
]

log = logging.getLogger(__name__)

DEFAULT_BACKOFF_S: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0, 600.0)


class Outcome(StrEnum):
    ACK = "ack"
    RETRY = "retry"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the handler decided; ``delay_s`` None means the consumer's backoff."""

    outcome: Outcome
    delay_s: float | None = None
    reason: str | None = None


ACK = Verdict(Outcome.ACK)


def retry_later(delay_s: float | None = None, reason: str | None = None) -> Verdict:
    return Verdict(Outcome.RETRY, delay_s=delay_s, reason=reason)


def reject(reason: str) -> Verdict:
    return Verdict(Outcome.REJECT, reason=reason)


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One delivery of one stream message. ``data`` is the parsed JSON payload, or None
    with ``parse_error`` set when the payload is not JSON (``raw`` keeps the bytes)."""

    subject: str
    data: Any
    raw: bytes
    headers: Mapping[str, str]
    stream: str
    stream_seq: int
    consumer_seq: int
    num_delivered: int
    num_pending: int
    timestamp: datetime
    parse_error: str | None = None

    @property
    def message_id(self) -> str | None:
        return self.headers.get("Nats-Msg-Id")

    @property
    def correlation_id(self) -> str | None:
        return self.headers.get("X-Correlation-ID")


Handler = Callable[[InboundMessage], Verdict]


@dataclass(frozen=True, slots=True)
class PollResult:
    acked: int = 0
    retried: int = 0
    rejected: int = 0

    @property
    def handled(self) -> int:
        return self.acked + self.retried + self.rejected


def to_inbound(msg: Msg) -> InboundMessage:
    meta = msg.metadata
    data: Any = None
    error: str | None = None
    try:
        data = orjson.loads(msg.data)
    except orjson.JSONDecodeError as e:
        error = f"payload is not JSON: {e}"
    return InboundMessage(
        subject=msg.subject,
        data=data,
        raw=bytes(msg.data),
        headers=dict(msg.headers or {}),
        stream=meta.stream,
        stream_seq=meta.sequence.stream,
        consumer_seq=meta.sequence.consumer,
        num_delivered=meta.num_delivered,
        num_pending=meta.num_pending,
        timestamp=meta.timestamp,
        parse_error=error,
    )


class EventConsumer:
    """Fetches batches from a durable pull consumer and settles each message as the
    handler decides. The consumer is created on first use if missing (an existing one is
    used as configured); so is the hub's own stream, but never a source's stream.

    One thread drives one consumer; run more processes (same ``durable``) to scale out.
    """

    def __init__(
        self,
        settings: StreamSettings,
        *,
        durable: str,
        handler: Handler,
        stream: str | None = None,
        filter_subject: str | None = None,
        batch: int = 100,
        fetch_timeout_s: float = 1.0,
        ack_wait_s: float = 30.0,
        max_deliver: int = -1,
        backoff_s: Sequence[float] = DEFAULT_BACKOFF_S,
    ) -> None:
        if not settings.enabled:
            raise ValueError("the event stream is off: MDM_NATS_URL is not set")
        self._settings = settings
        self._stream = stream or settings.stream
        self._filter = filter_subject or inbound_filter(prefix=settings.subject_prefix)
        self._durable = durable
        self._handler = handler
        self._batch = batch
        self._fetch_timeout_s = fetch_timeout_s
        self._ack_wait_s = ack_wait_s
        self._max_deliver = max_deliver
        self._backoff_s = tuple(backoff_s) or DEFAULT_BACKOFF_S
        self._loop = LoopThread(name=f"nats-consumer-{durable}")
        self._nc: Client | None = None
        self._sub: JetStreamContext.PullSubscription | None = None

    def poll(self) -> PollResult:
        """Fetch one batch (waiting up to ``fetch_timeout_s`` for the first message),
        hand each message to the handler in turn and settle it. Raises
        :class:`ConsumeError` when the server cannot be reached; unsettled messages of
        the batch then come back after ``ack_wait``."""
        messages = self._call(self._fetch())
        counts = {outcome: 0 for outcome in Outcome}
        for msg in messages:
            verdict = self._decide(msg)
            self._call(self._settle(msg, verdict))
            counts[verdict.outcome] += 1
        if messages:
            self._call(self._flush())
        return PollResult(counts[Outcome.ACK], counts[Outcome.RETRY], counts[Outcome.REJECT])

    def run(self, stop: threading.Event, *, max_pause_s: float = 30.0) -> None:
        """Poll until ``stop`` is set; an unreachable server pauses polling, doubling
        the pause up to ``max_pause_s``."""
        pause = 0.5
        while not stop.is_set():
            try:
                self.poll()
                pause = 0.5
            except ConsumeError as e:
                log.warning("inbound consumer %s: %s; next try in %.1fs", self._durable, e, pause)
                stop.wait(pause)
                pause = min(pause * 2, max_pause_s)

    def close(self) -> None:
        """Flush and close the connection; calling it again does nothing."""
        if self._loop.closed:
            return
        try:
            self._loop.run(self._disconnect(), timeout=self._settings.connect_timeout_s + 5)
        finally:
            self._loop.close()

    def __enter__(self) -> EventConsumer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _call(self, coro: Any) -> Any:
        try:
            return self._loop.run(coro)
        except (OSError, TimeoutError, NatsError) as e:
            self._loop.run(self._disconnect())
            raise ConsumeError(f"inbound consumer {self._durable} on {self._stream}: {e!r}") from e

    def _decide(self, msg: Msg) -> Verdict:
        inbound = to_inbound(msg)
        keep_alive = asyncio.run_coroutine_threadsafe(self._keep_alive(msg), self._loop.loop)
        try:
            return self._handler(inbound)
        except Exception:
            log.exception("inbound handler failed on %s #%s", inbound.stream, inbound.stream_seq)
            return retry_later(reason="handler raised")
        finally:
            keep_alive.cancel()

    def _delay(self, verdict: Verdict, msg: Msg) -> float:
        if verdict.delay_s is not None:
            return max(0.0, verdict.delay_s)
        n = max(1, msg.metadata.num_delivered)
        return self._backoff_s[min(n, len(self._backoff_s)) - 1]

    async def _settle(self, msg: Msg, verdict: Verdict) -> None:
        if verdict.outcome is Outcome.ACK:
            await msg.ack()
        elif verdict.outcome is Outcome.REJECT:
            log.info("inbound message %s rejected: %s", msg.metadata.sequence, verdict.reason)
            await msg.term()
        else:
            await msg.nak(delay=self._delay(verdict, msg) or None)

    async def _keep_alive(self, msg: Msg) -> None:
        """Tell the server the handler is still working, so a slow handler's message is
        not delivered to another worker meanwhile."""
        while True:
            await asyncio.sleep(self._ack_wait_s / 3)
            await msg.in_progress()

    async def _fetch(self) -> list[Msg]:
        sub = await self._subscribed()
        try:
            return await sub.fetch(self._batch, timeout=self._fetch_timeout_s)
        except (NatsTimeoutError, TimeoutError):  # nothing arrived within the timeout
            return []

    async def _flush(self) -> None:
        if self._nc is not None:
            await self._nc.flush(timeout=max(1, round(self._settings.publish_timeout_s)))

    async def _subscribed(self) -> JetStreamContext.PullSubscription:
        if self._sub is not None and self._nc is not None and not self._nc.is_closed:
            if self._nc.is_reconnecting:
                raise ConnectionReconnectingError
            return self._sub
        nc = await connect(self._settings)
        try:
            js = nc.jetstream(timeout=self._settings.publish_timeout_s)
            if self._stream == self._settings.stream:
                await ensure_stream(js, self._settings)
            sub = await js.pull_subscribe(
                self._filter, durable=self._durable, stream=self._stream, config=self._config()
            )
        except BaseException:
            with contextlib.suppress(OSError, TimeoutError, NatsError):
                await nc.close()
            raise
        self._nc, self._sub = nc, sub
        return sub

    def _config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self._durable,
            description="golden-record hub: inbound events intake",
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait_s,
            max_deliver=self._max_deliver,
            filter_subject=self._filter,
        )

    async def _disconnect(self) -> None:
        nc, self._nc, self._sub = self._nc, None, None
        if nc is None or nc.is_closed:
            return
        with contextlib.suppress(OSError, TimeoutError, NatsError):
            if nc.is_connected:
                await nc.flush(timeout=1)
        with contextlib.suppress(OSError, TimeoutError, NatsError):
            await nc.close()  # a connection the network already cut can fail to close
