"""Publish outbox events to NATS JetStream, for the relay.

The relay reads outbox rows in ``seq`` order and hands them over in batches::

    publisher = EventPublisher(get_hub_settings().stream)   # sync.settings
    try:
        done = publisher.publish(rows)        # every row acked, in order
    except PublishError as e:
        keep_position_after(rows[: e.acked])  # rows[e.acked:] go again later
    ...
    publisher.close()

Each event goes out as its CloudEvents 1.0 JSON (the envelope as stored, serialized
compactly) on the subject :func:`sync.stream.subjects.subject_for` names, with headers
``Nats-Msg-Id`` (the event id: the server drops a republish inside the stream's
duplicate window), ``X-Correlation-ID`` (when the change has one) and
``Content-Type: application/cloudevents+json``; ``Nats-Expected-Stream`` makes the
server refuse to store it anywhere but the hub's stream.

Publishes are pipelined: up to ``max_in_flight`` are sent before their acks are
awaited, and acks are checked in send order, so the count returned (or
``PublishError.acked``) is always a prefix of the batch. One connection carries
them in order, so the stream stores them in outbox order. A golden record's next
event is sent only once every earlier one in flight is acked: if one publish fails,
no later event of the same record can be in the stream ahead of it, even after the
retry. (Events of *other* records sent after a failed one may be stored already;
their republish is a duplicate the server drops.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from nats.aio.client import Client
from nats.errors import ConnectionClosedError, MaxPayloadError
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from nats.js.errors import APIError

from sync.stream.errors import PublishError
from sync.stream.loop import LoopThread
from sync.stream.settings import StreamSettings
from sync.stream.streams import connect, ensure_stream
from sync.stream.subjects import UnroutableEventError, subject_for

__all__ = ["CONTENT_TYPE", "EventPublisher", "OutgoingMessage", "to_message"]

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    subject: str
    payload: bytes
    headers: Mapping[str, str]
    event_id: str
    golden_id: str


def to_message(row: Mapping[str, Any], *, prefix: str) -> OutgoingMessage:
    """The message for one outbox row (``event_id``, ``event_type``, ``subject``,
    ``envelope``, ``correlation_id``); raises :class:`UnroutableEventError`."""
    envelope = row["envelope"]
    if isinstance(envelope, bytes | str):
        payload = envelope.encode() if isinstance(envelope, str) else envelope
    else:
        payload = orjson.dumps(envelope)
    headers = {"Nats-Msg-Id": str(row["event_id"]), "Content-Type": CONTENT_TYPE}
    if row.get("correlation_id"):
        headers["X-Correlation-ID"] = str(row["correlation_id"])
    return OutgoingMessage(
        subject=subject_for(str(row["event_type"]), prefix=prefix),
        payload=payload,
        headers=headers,
        event_id=str(row["event_id"]),
        golden_id=str(row.get("subject") or ""),
    )


def _ack_error(future: asyncio.Future[Any]) -> BaseException | None:
    if not future.done():
        return TimeoutError("no ack in time")
    if future.cancelled():
        return ConnectionClosedError()
    return future.exception()


class EventPublisher:
    """One connection to JetStream, driven synchronously from the relay's thread.

    Not safe for concurrent use: one relay (thread) owns one publisher. It connects on
    the first :meth:`publish` (creating the stream if missing) and again after the
    connection is lost, so a NATS outage shows as :class:`PublishError` and never
    breaks the publisher.
    """

    def __init__(self, settings: StreamSettings) -> None:
        if not settings.enabled:
            raise ValueError("the event stream is off: MDM_NATS_URL is not set")
        self._settings = settings
        self._loop = LoopThread(name=f"nats-publisher-{settings.stream}")
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None

    def publish(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Publish ``rows`` in order; returns ``len(rows)`` once every one is acked.

        Raises :class:`PublishError` when any is not: its ``acked`` events (a prefix of
        ``rows``) are stored and the rest must be published again.
        """
        messages: list[OutgoingMessage] = []
        unroutable: UnroutableEventError | None = None
        for row in rows:
            try:
                messages.append(to_message(row, prefix=self._settings.subject_prefix))
            except UnroutableEventError as e:
                unroutable = e
                break
        done = self._loop.run(self._publish_all(messages)) if messages else 0
        if unroutable is not None:
            row = rows[done]
            raise PublishError(
                str(unroutable), acked=done, event_id=str(row["event_id"]), permanent=True
            ) from unroutable
        return done

    def close(self) -> None:
        """Flush and close the connection; calling it again does nothing."""
        if self._loop.closed:
            return
        try:
            self._loop.run(self._disconnect(), timeout=self._settings.connect_timeout_s + 5)
        finally:
            self._loop.close()

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    async def _publish_all(self, messages: Sequence[OutgoingMessage]) -> int:
        try:
            js = await self._connected()
        except (OSError, TimeoutError, NatsError) as e:
            await self._disconnect()
            raise PublishError(
                f"cannot reach NATS at {self._settings.url}: {e!r}",
                acked=0,
                event_id=messages[0].event_id,
                permanent=False,
            ) from e
        try:
            return await self._pipeline(js, messages)
        except PublishError as e:
            if not e.permanent:
                # start the next call on a fresh connection: nothing buffered for this one
                # goes out behind the relay's back after it has been reported as failed
                await self._disconnect()
            raise

    async def _pipeline(self, js: JetStreamContext, messages: Sequence[OutgoingMessage]) -> int:
        acked = 0
        window: list[asyncio.Future[Any]] = []
        records: set[str] = set()
        for i, message in enumerate(messages):
            if len(window) >= self._settings.max_in_flight or message.golden_id in records:
                acked = await self._settle(window, messages, acked)
                window, records = [], set()
            try:
                window.append(
                    await js.publish_async(
                        message.subject,
                        message.payload,
                        stream=self._settings.stream,
                        headers=dict(message.headers),
                    )
                )
            except (OSError, NatsError) as e:
                acked = await self._settle(window, messages, acked)
                raise self._failure(e, messages, i) from e
            if message.golden_id:
                records.add(message.golden_id)
        return await self._settle(window, messages, acked)

    async def _settle(
        self, window: list[asyncio.Future[Any]], messages: Sequence[OutgoingMessage], acked: int
    ) -> int:
        """Await the acks of ``window`` (the messages after ``acked``), checked in send order."""
        if not window:
            return acked
        await asyncio.wait(window, timeout=self._settings.publish_timeout_s)
        for n, future in enumerate(window):
            error = _ack_error(future)
            if error is not None:
                for rest in window[n:]:
                    rest.cancel()
                raise self._failure(error, messages, acked + n) from error
        return acked + len(window)

    def _failure(
        self, error: BaseException, messages: Sequence[OutgoingMessage], index: int
    ) -> PublishError:
        message = messages[index]
        permanent = isinstance(error, MaxPayloadError) or (
            isinstance(error, APIError) and error.code is not None and 400 <= error.code < 500
        )
        log.warning("publish of %s to %s failed: %r", message.event_id, message.subject, error)
        return PublishError(
            f"event {message.event_id} on {message.subject} was not acked: {error!r}",
            acked=index,
            event_id=message.event_id,
            permanent=permanent,
        )

    async def _connected(self) -> JetStreamContext:
        if self._nc is not None and self._js is not None and not self._nc.is_closed:
            return self._js
        nc = await connect(self._settings)
        try:
            js = nc.jetstream(timeout=self._settings.publish_timeout_s)
            await ensure_stream(js, self._settings)
        except BaseException:
            with contextlib.suppress(OSError, TimeoutError, NatsError):
                await nc.close()
            raise
        self._nc, self._js = nc, js
        return js

    async def _disconnect(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is None or nc.is_closed:
            return
        with contextlib.suppress(OSError, TimeoutError, NatsError):
            if nc.is_connected:
                await nc.flush(timeout=1)
        with contextlib.suppress(OSError, TimeoutError, NatsError):
            await nc.close()  # a connection the network already cut can fail to close
