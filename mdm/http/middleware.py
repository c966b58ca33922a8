"""ASGI middleware: correlation ids and the request body size limit.

The size limit is enforced on the bytes actually received, so a client that
lies in Content-Length or streams a chunked body cannot get past it.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from typing import Any

import orjson

__all__ = ["BodyLimitMiddleware", "CorrelationIdMiddleware", "correlation_id_var", "request_var"]

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
    """Refuses a declared Content-Length over the limit before reading anything;
    bodies without one are counted as they stream in (``mdm.api.body``)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", ()):
                if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                    await send_too_large(send, self.max_bytes)
                    return
        await self.app(scope, receive, send)


async def send_too_large(send: Any, max_bytes: int) -> None:
    body = orjson.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": f"request body is larger than {max_bytes} bytes",
            }
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
