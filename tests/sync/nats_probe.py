"""Test-side access to the NATS server: what the stream holds, and raw publishes.

Each call opens its own connection, so the probe never shares state with the adapters
under test.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
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

        # a thread of its own: the browser tier's Playwright keeps an event loop running on
        # the test thread, where asyncio.run() refuses to start another
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, main()).result()

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


class Cable:
    """A TCP proxy in front of the NATS server that the test can unplug and plug back in,
    on the same port, to cut the adapters' connection as a network outage would."""

    def __init__(self, url: str) -> None:
        host_port = url.split("://", 1)[-1].split(",")[0]
        host, _, port = host_port.rpartition(":")
        self._upstream = (host or "127.0.0.1", int(port or 4222))
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def plug(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def unplug(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._upstream)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
