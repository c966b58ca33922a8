"""Limits on the request head (URL, header block, time taken to send it), enforced by
the HTTP protocol while the head is still arriving.

httptools, uvicorn's fast parser, has no such limits: it concatenates a header's bytes
for as long as they come, before the app (and its API-key check) ever sees a request.
One 64 MB header grew the server by 120 MB and stalled every other connection for
seconds, and a client that never finished its head held its connection forever. This
protocol counts the head's bytes before they reach the parser and answers in the hub's
error shape as soon as a limit is crossed, so nothing past a limit is buffered:

- a URL over ``MDM_MAX_URL_BYTES`` is a 414 ``uri_too_long``;
- a head (request line and headers) over ``MDM_MAX_HEADER_BYTES`` is a 431
  ``request_header_fields_too_large``;
- a head not complete ``MDM_HEADER_TIMEOUT_SECONDS`` after its first byte (or after the
  connection opened) is a 408 ``request_timeout``; a connection that sent nothing at all
  is just closed, as uvicorn closes an idle keep-alive connection.

The count is exact except where one read holds the end of a request and the start of
the next (pipelining): those first bytes of the next head are not counted, so such a head
may pass its limit by less than one read (256 KiB at most). A refusal that comes while a
response is still being written is not answered: the connection closes after that
response, since an answer in between would corrupt it.
"""

from __future__ import annotations

import asyncio
from asyncio import TimerHandle
from dataclasses import dataclass
from typing import Any

import orjson
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from mdm.http.errors import error_body
from mdm.settings import Settings, get_settings

__all__ = ["HeadLimits", "LimitedHttpToolsProtocol"]

# After an error answer the write side is shut and what the client still sends is read
# and dropped for a moment: closing with unread bytes resets the connection, and a reset
# can destroy the answer before the client reads it. Bounded in time and bytes.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class HeadLimits:
    max_url_bytes: int
    max_header_bytes: int
    header_timeout_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> HeadLimits:
        return cls(
            max_url_bytes=settings.max_url_bytes,
            max_header_bytes=settings.max_header_bytes,
            header_timeout_seconds=settings.header_timeout_seconds,
        )


@dataclass(frozen=True)
class _Refusal:
    status: int
    code: str
    message: str


class _StopParsing(Exception):
    """Raised from a parser callback: httptools stops at once and reports an error."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on the request head.

    The limits are read from the settings in each process that serves (uvicorn's
    ``--workers`` children import this class afresh), so nothing set on the class in the
    parent is needed or lost.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = HeadLimits.of(get_settings())
        self._head_bytes = 0  # bytes of the current head fed to the parser so far
        self._in_head = True  # reading a head, or between requests (the next one's head)
        self._message_begun = False  # a head has started and is not complete
        self._head_timer: TimerHandle | None = None
        self._refusal: _Refusal | None = None  # set once: the connection only drains after
        self._linger_timer: TimerHandle | None = None
        self._drained = 0

    def connection_made(  # type: ignore[override]
        self, transport: asyncio.Transport
    ) -> None:
        super().connection_made(transport)
        # uvicorn has no timeout before a connection's first byte: a client that
        # connects and sends nothing would hold the connection forever
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Feed the parser no more of a head than the limit allows: past it, refuse.

        A head that ends inside a piece resets the count (``on_message_complete``), so
        the rest of that piece goes to the next head uncounted."""
        if self._refusal is not None:
            self._drain(len(data))
            return
        while data and self._refusal is None and not self.transport.is_closing():
            if not self._in_head:
                super().data_received(data)
                return
            room = self.limits.max_header_bytes - self._head_bytes
            if room <= 0:
                self._refuse(self._header_block_too_large())
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)

    # Parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._message_begun = True
        self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > self.limits.max_url_bytes:
            limit = self.limits.max_url_bytes
            self._refusal = _Refusal(414, "uri_too_long", f"the URL is longer than {limit} bytes")
            raise _StopParsing
        super().on_url(url)

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        self._in_head, self._message_begun, self._head_bytes = False, False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0

    def send_400_response(self, msg: str) -> None:
        """uvicorn's one answer to a head the parser gave up on; when a callback of ours
        stopped the parser, the answer is that refusal instead."""
        refusal, self._refusal = self._refusal, None
        if refusal is None:
            super().send_400_response(msg)
        else:
            self._refuse(refusal)

    # Refusals
    def _header_block_too_large(self) -> _Refusal:
        limit = self.limits.max_header_bytes
        message = f"the request line and headers are larger than {limit} bytes"
        return _Refusal(431, "request_header_fields_too_large", message)

    def _refuse(self, refusal: _Refusal) -> None:
        """Answer ``refusal`` and close; what the client still sends is dropped."""
        self._refusal = refusal
        self._cancel_head_timer()
        self.logger.warning("%s: %s", self._peer(), refusal.message)
        if self.cycle is not None and not self.cycle.response_complete:
            # an answer now would cut into the response on the wire: end after it
            self.cycle.keep_alive = False
            return
        self.transport.write(self._answer(refusal))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self._linger_timer = self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def _answer(self, refusal: _Refusal) -> bytes:
        body = orjson.dumps(error_body(refusal.code, refusal.message))
        head = [STATUS_LINE[refusal.status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        return b"".join(head) + body

    def _drain(self, size: int) -> None:
        self._drained += size
        if self._drained > LINGER_BYTES and not self.transport.is_closing():
            self.transport.close()

    # The header-read timer
    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            seconds = self.limits.header_timeout_seconds
            self._head_timer = self.loop.call_later(seconds, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self._refusal is not None:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # a pipelined head waits while the hub answers the request before it: the
            # hub is the slow one, and reading is paused meanwhile
            self._arm_head_timer()
        elif not self._message_begun:
            self.transport.close()  # connected and sent nothing: idle, no answer owed
        else:
            seconds = self.limits.header_timeout_seconds
            message = f"the request head was not complete within {seconds:g} s"
            self._refuse(_Refusal(408, "request_timeout", message))

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "client"
