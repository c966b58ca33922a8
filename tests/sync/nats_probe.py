"""Test-side access to the NATS server: what the stream holds, and raw publishes.

Each call opens its own connection, so the probe never shares state with the adapters
under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import nats
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo, PubAck, RawStreamMsg, StreamConfig, StreamInfo
from nats.js.errors import NotFoundError

T = TypeVar("T")


def nats_url() -> str | None:
    """``MDM_NATS_URL``, else the local server when one listens on 127.0.0.1:4222."""
    url = os.environ.get("MDM_NATS_URL")
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 4222), timeout=0.5).close()
    except OSError:
        return None
    return "nats://127.0.0.1:4222"


class Probe:
    def __init__(self, url: str) -> None:
        self.url = url

    def _run(self, fn: Callable[[JetStreamContext], Awaitable[T]]) -> T:
        async def main() -> T:
            nc = await nats.connect(self.url)
            try:
                return await fn(nc.jetstream())
            finally:
                await nc.close()

        return asyncio.run(main())

    def stream_info(self, name: str) -> StreamInfo | None:
        async def info(js: JetStreamContext) -> StreamInfo | None:
            try:
                return await js.stream_info(name)
            except NotFoundError:
                return None

        return self._run(info)

    def add_stream(self, config: StreamConfig) -> StreamInfo:
        return self._run(lambda js: js.add_stream(config))

    def delete_stream(self, name: str) -> None:
        async def delete(js: JetStreamContext) -> None:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(name)

        self._run(delete)

    def messages(self, stream: str) -> list[RawStreamMsg]:
        """Every message the stream holds, in stream order."""

        async def read(js: JetStreamContext) -> list[RawStreamMsg]:
            state = (await js.stream_info(stream)).state
            if state.messages == 0:
                return []
            seqs = range(state.first_seq, state.last_seq + 1)
            return [await js.get_msg(stream, seq) for seq in seqs]

        return self._run(read)

    def publish(self, subject: str, payload: bytes, headers: Mapping[str, str]) -> PubAck:
        return self._run(lambda js: js.publish(subject, payload, headers=dict(headers)))

    def consumer_info(self, stream: str, durable: str) -> ConsumerInfo:
        return self._run(lambda js: js.consumer_info(stream, durable))


def user_headers(msg: RawStreamMsg) -> dict[str, Any]:
    return dict(msg.headers or {})
