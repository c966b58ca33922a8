"""ASGI middleware: correlation ids, the request body size limit, and text in the URL.

The size limit is enforced on the bytes actually received, so a client that
lies in Content-Length or streams a chunked body cannot get past it: whatever
route reads the body (our JSON reader, FastAPI's body models, ``/graphql``),
it reads through this count, and the refusal is sent the moment the count
passes the limit, with nothing buffered beyond it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote_to_bytes

import orjson

from mdm.db.storable import bad_text

__all__ = [
    "BodyLimitMiddleware",
    "CorrelationIdMiddleware",
    "UrlTextMiddleware",
    "correlation_id_var",
    "request_var",
]

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
# the request being served: correlation id, method, path, and (once authenticated) actor
request_var: ContextVar[dict[str, Any] | None] = ContextVar("request", default=None)
_VALID_CID = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")

Scope = dict[str, Any]


class CorrelationIdMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = None
        for name, value in scope.get("headers", ()):
            if name == b"x-correlation-id":
                text = value.decode("latin-1").strip()
                if _VALID_CID.match(text):
                    cid = text
        cid = cid or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = cid
        token = correlation_id_var.set(cid)
        request_token = request_var.set(
            {"correlation_id": cid, "method": scope.get("method"), "path": scope.get("path")}
        )

        async def _send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-correlation-id", cid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            correlation_id_var.reset(token)
            request_var.reset(request_token)


class BodyLimitMiddleware:
    """Refuses a declared Content-Length over the limit before reading anything, and
    counts every other body as the app reads it.

    When the count passes the limit the 413 goes out at once (with ``Connection:
    close``, so the server stops reading the rest) and the app is told the client
    went away; whatever the app answers or raises after that is dropped.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await send_too_large(send, self.max_bytes, scope)
                return
        received = 0
        started = refused = False

        async def counted_receive() -> dict[str, Any]:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        await send_too_large(send, self.max_bytes, scope)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            nonlocal started
            if refused and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise


async def send_too_large(send: Any, max_bytes: int, scope: Scope | None = None) -> None:
    message = f"request body is larger than {max_bytes} bytes"
    if scope is not None and scope.get("path") == "/graphql":
        payload: dict[str, Any] = {
            "errors": [{"message": message, "extensions": {"code": "PAYLOAD_TOO_LARGE"}}]
        }
    else:
        payload = {"error": {"code": "payload_too_large", "message": message}}
    body = orjson.dumps(payload)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class UrlTextMiddleware:
    """A 422 naming the parameter when a path segment or query parameter, percent-decoded,
    is not UTF-8 or holds a NUL.

    The server decodes the path leniently (an invalid byte becomes U+FFFD), so
    ``/U%FF`` and ``/U%FE`` would both reach the routes as ``U\ufffd``, the same id;
    the raw bytes are checked here instead, before routing.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            problems = _url_problems(scope)
            if problems:
                await _send_invalid(send, problems)
                return
        await self.app(scope, receive, send)


def _decode(raw: bytes) -> tuple[str | None, str | None]:
    """(text, problem code) of one percent-encoded URL part."""
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None, "invalid_utf8"
    return text, bad_text(text)


def _url_problems(scope: Scope) -> list[dict[str, str]]:
    raw_path: bytes = scope.get("raw_path") or scope.get("path", "").encode()
    query: bytes = scope.get("query_string") or b""
    if b"%" not in raw_path and b"%" not in query and raw_path.isascii() and query.isascii():
        return []  # plain ASCII with no escapes: nothing to decode, nothing to refuse
    problems: list[dict[str, str]] = []
    segments = raw_path.split(b"?", 1)[0].split(b"/")
    for index, segment in enumerate(segments):
        _, code = _decode(segment)
        if code:
            name = _path_param(scope, segments, index)
            problems.append(_url_problem(f"/path/{name}", code))
    for pair in query.split(b"&"):
        key, _, value = pair.partition(b"=")
        key_text, key_code = _decode(key.replace(b"+", b" "))
        _, value_code = _decode(value.replace(b"+", b" "))
        if key_code or value_code:
            label = key_text if key_text and not key_code else key.decode("latin-1")
            problems.append(_url_problem(f"/query/{label}", key_code or value_code or ""))
    return problems


def _path_param(scope: Scope, segments: list[bytes], index: int) -> str:
    """The name of the route parameter the segment fills, from the path templates of
    the OpenAPI document; the segment's position when no template fits."""
    openapi = getattr(scope.get("app"), "openapi", None)
    paths: dict[str, Any] = openapi().get("paths", {}) if openapi else {}
    for template in paths:
        parts = template.split("/")
        if len(parts) != len(segments) or not parts[index].startswith("{"):
            continue
        if all(p.startswith("{") or p.encode() == s for p, s in zip(parts, segments, strict=True)):
            return str(parts[index].strip("{}").split(":")[0])
    return str(index)


def _url_problem(pointer: str, code: str) -> dict[str, str]:
    messages = {
        "invalid_utf8": "is not UTF-8 once percent-decoded",
        "nul_character": "contains a NUL character (%00), which the hub does not store",
        "invalid_unicode": "contains a lone UTF-16 surrogate, which is not a character",
    }
    return {"pointer": pointer, "message": f"the parameter {messages[code]}", "code": code}


async def _send_invalid(send: Any, problems: list[dict[str, str]]) -> None:
    body = orjson.dumps(
        {
            "error": {
                "code": "invalid_request",
                "message": "the request URL holds text the hub cannot read or store",
                "errors": problems,
            }
        }
    )
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": body})
