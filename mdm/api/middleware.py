"""ASGI middleware: correlation ids and the request body size limit.

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

import orjson

__all__ = ["BodyLimitMiddleware", "CorrelationIdMiddleware", "correlation_id_var"]

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
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
