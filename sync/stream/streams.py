"""The hub's JetStream stream: its configuration, created when missing, and connecting.

Why these settings (each can be changed through :class:`StreamSettings`):

- **limits retention, file storage, discard old.** The stream is a fan-out log for any
  number of subscribers that come and go, so messages must not vanish when one consumer
  acks them (work-queue) or when nobody is subscribed yet (interest). File storage
  survives a server restart. The outbox stays the system of record: a subscriber that
  falls further behind than the stream keeps can be re-fed from it.
- **max age 7 days.** Covers a subscriber that is down over a long weekend or a holiday
  with margin, while keeping the stream's disk bounded without a byte limit to tune.
- **duplicate window 1 hour** (the server default is 2 minutes). The relay republishes
  what it had in flight when it crashed only when it runs again; a supervisor restart or a
  redeploy fits in an hour, and a republish inside the window is dropped by the server
  (``Nats-Msg-Id`` = event id). Longer costs server memory: it keeps every message id of
  the window. Past it, consumers still see each event at least once and deduplicate by
  the CloudEvents ``id``.
- **subjects ``{prefix}.>``** holds the golden events, the integration events and the
  inbound channel ``{prefix}.inbound.>`` (see :mod:`sync.stream.subjects`): one stream,
  one place to set retention and replicas; subjects of two streams may not overlap.

An existing stream is used as it is: an operator's changes to it are never overwritten.
"""

from __future__ import annotations

import asyncio

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig, StreamInfo
from nats.js.errors import BadRequestError, NotFoundError

from sync.stream.settings import StreamSettings

__all__ = ["connect", "ensure_stream", "stream_config"]

# After this many failed attempts per server the client closes; the next call of the
# adapter connects again, so the caller's own backoff paces reconnecting.
_RECONNECT_ATTEMPTS = 3
_RECONNECT_WAIT_S = 0.5


def stream_config(settings: StreamSettings) -> StreamConfig:
    return StreamConfig(
        name=settings.stream,
        description="Golden-record hub events (CloudEvents 1.0 JSON); see contracts/asyncapi.yaml",
        subjects=[f"{settings.subject_prefix}.>"],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=settings.max_age_s,
        duplicate_window=min(settings.duplicate_window_s, settings.max_age_s),
        num_replicas=settings.replicas,
    )


async def _quiet(_: Exception) -> None:
    """nats-py logs every failed attempt by default; the adapters raise their own errors."""


async def connect(settings: StreamSettings) -> Client:
    """One connection to the servers of ``settings``, or an exception within the
    connect timeout (nats-py alone would retry for minutes)."""
    if not settings.servers:
        raise ValueError("MDM_NATS_URL is not set")
    return await asyncio.wait_for(
        nats.connect(
            servers=settings.servers,
            connect_timeout=max(1, round(settings.connect_timeout_s)),
            max_reconnect_attempts=_RECONNECT_ATTEMPTS,
            reconnect_time_wait=_RECONNECT_WAIT_S,
            error_cb=_quiet,
            name="mdm-hub",
        ),
        timeout=settings.connect_timeout_s,
    )


async def ensure_stream(js: JetStreamContext, settings: StreamSettings) -> StreamInfo:
    """The stream's info, creating the stream first if it does not exist."""
    try:
        return await js.stream_info(settings.stream)
    except NotFoundError:
        pass
    try:
        return await js.add_stream(stream_config(settings))
    except BadRequestError:
        # another process created it between our two calls (with its own settings)
        return await js.stream_info(settings.stream)
