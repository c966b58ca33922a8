"""The connectors' requests on the standard library's HTTP/1.1 client, one keep-alive
connection per sending thread, answered as ``httpx.Response`` objects.

Why: httpx cost about 750 µs of CPU a request against an instant stand-in, ``http.client``
about 200 (issue 22's profile: the dispatcher is bound by one interpreter, and requests
were most of its time). What the connectors see does not change: :class:`HttpClient
<sync.connectors.http.HttpClient>` sends through :class:`LeanSender` the requests it can
take (relative URLs with flat query parameters and a JSON or raw body, which is every
request a connector makes) and anything else through httpx as before; failures are raised
as the httpx exceptions ``HttpClient.send`` maps at its one boundary.

Every new connection passes the address policy exactly as httpx's did: it is opened by
:class:`GuardedBackend <sync.connectors.egress.GuardedBackend>` (resolve once, check every
address, connect to a checked one), and TLS verifies the certificate against the URL's
host name. A kept-alive connection the server has closed (it reads as ready) is replaced
before a request goes on it, as httpcore's pool does, so a request is not lost on it.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpcore
import httpx
import orjson

from sync.connectors.egress import GuardedBackend

__all__ = ["LeanSender"]

_PLAIN_PATH = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%:@!$&'()*+,;=?"
)


class _Connection(http.client.HTTPConnection):
    """One connection, opened through the address policy."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        backend: GuardedBackend,
        tls: ssl.SSLContext | None,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._backend = backend
        self._tls = tls
        # the Host header leaves out the scheme's own port, as httpx's does
        self.default_port = 443 if tls is not None else 80

    def connect(self) -> None:
        try:
            stream = self._backend.connect_tcp(self.host, self.port, timeout=self.timeout)
        except httpcore.ConnectTimeout as exc:
            raise httpx.ConnectTimeout(str(exc)) from exc
        except httpcore.ConnectError as exc:
            raise httpx.ConnectError(str(exc)) from exc
        sock: socket.socket = stream.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            try:
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            except (OSError, ssl.SSLError) as exc:
                sock.close()
                raise httpx.ConnectError(f"TLS with {self.host}: {exc}") from exc
        sock.settimeout(self.timeout)
        self.sock = sock

    def stale(self) -> bool:
        """An idle kept-alive connection that reads as ready has been closed (or spoken to
        out of turn) by the server: not to be used again."""
        sock = self.sock
        if sock is None:
            return False
        try:
            return bool(select.select([sock], [], [], 0)[0])
        except (OSError, ValueError):
            return True


class LeanSender:
    """Requests to one base URL, each thread on a keep-alive connection of its own."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str],
        timeout: float,
        backend: GuardedBackend,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        """``tls``: the context HTTPS connections verify with (default: httpx's)."""
        parts = urlsplit(base_url)
        self._scheme = parts.scheme.lower()
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if self._scheme == "https" else 80)
        path = parts.path or "/"
        self._base_path = path if path.endswith("/") else path + "/"
        self._origin = f"{self._scheme}://{parts.netloc}"
        self._headers = dict(headers)
        self._timeout = timeout
        self._backend = backend
        # the context httpx verifies with (its CA bundle, host name checked)
        self._tls = (tls or httpx.create_ssl_context()) if self._scheme == "https" else None
        self._local = threading.local()
        self._open: list[_Connection] = []
        self._lock = threading.Lock()

    def takes(self, url: str, kwargs: Mapping[str, Any]) -> bool:
        """Whether this request can go this way (else it goes through httpx)."""
        if self._scheme not in ("http", "https") or not self._host:
            return False
        if not set(kwargs) <= {"json", "content", "params"} or not set(url) <= _PLAIN_PATH:
            return False
        if url.startswith(("http:", "https:", "//")):
            return False
        params = kwargs.get("params")
        if params is not None and not (
            isinstance(params, Mapping)
            and all(isinstance(k, str) and type(v) in (str, int) for k, v in params.items())
        ):
            return False
        content = kwargs.get("content")
        return content is None or isinstance(content, (str, bytes))

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str], **kwargs: Any
    ) -> httpx.Response:
        target = self._base_path + url.lstrip("/")
        params = kwargs.get("params")
        if params:
            query = urlencode(params, quote_via=quote)
            target += ("&" if "?" in target else "?") + query
        sent = _merged(self._headers, headers)
        body: bytes | None = None
        if "json" in kwargs:
            body = _json(kwargs["json"])
            if not any(k.lower() == "content-type" for k in sent):
                sent["Content-Type"] = "application/json"
        elif kwargs.get("content") is not None:
            content = kwargs["content"]
            body = content.encode() if isinstance(content, str) else content
        conn = self._connection()
        try:
            conn.request(method, target, body=body, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
        except httpx.TransportError:
            conn.close()
            raise
        except TimeoutError as exc:
            conn.close()
            raise httpx.ReadTimeout(f"no answer in {self._timeout}s") from exc
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise httpx.RemoteProtocolError(f"{type(exc).__name__}: {exc}") from exc
        request = httpx.Request(method, self._origin + target, headers=sent)
        return httpx.Response(
            answer.status, headers=answer.getheaders(), content=data, request=request
        )

    def _connection(self) -> _Connection:
        conn: _Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _Connection(
                self._host,
                self._port,
                timeout=self._timeout,
                backend=self._backend,
                tls=self._tls,
            )
            self._local.conn = conn
            with self._lock:
                self._open.append(conn)
        elif conn.stale():
            conn.close()
        return conn

    def close(self) -> None:
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            conn.close()


def _merged(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """``base`` with ``extra`` over it, header names compared without case."""
    out = dict(base)
    for name, value in extra.items():
        for known in [k for k in out if k.lower() == name.lower()]:
            del out[known]
        out[name] = value
    return out


def _json(value: Any) -> bytes:
    """The body httpx's ``json=`` would send (compact UTF-8 JSON), faster."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
