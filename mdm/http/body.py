"""Reading JSON bodies ourselves: exact 4xx errors instead of framework defaults."""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi import Request

from mdm.db.storable import unstorable
from mdm.http.errors import ApiError

__all__ = ["parse_json", "read_body", "read_json", "refuse_unstorable", "refuse_unstorable_body"]


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body of a JSON request (413 above ``max_bytes``, 415 not JSON, 400 empty):
    what a webhook signature is computed over."""
    ctype = request.headers.get("content-type", "")
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"expected Content-Type application/json, got '{ctype or 'none'}'",
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(
                413, "payload_too_large", f"request body is larger than {max_bytes} bytes"
            )
        chunks.append(chunk)
    body = b"".join(chunks)
    if not body:
        raise ApiError(400, "empty_body", "the request body is empty; send a JSON document")
    return body


def parse_json(body: bytes) -> Any:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc).lower():
            message = "the body is nested too deeply to be read"
            problem = {"pointer": "/", "message": message, "code": "too_deep"}
            raise ApiError(422, "invalid_request", message, [problem]) from exc
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from exc
    return value


async def read_json(request: Request, max_bytes: int, *, check: bool = True) -> Any:
    """The body as JSON; with ``check`` (the default) a value the hub cannot store
    anywhere in it is a 422 (``mdm.db.storable``). A batch passes ``check=False`` and
    checks each item, so one bad item is one rejected item."""
    value = parse_json(await read_body(request, max_bytes))
    if check:
        refuse_unstorable(value)
    return value


def refuse_unstorable(value: Any, base: str = "") -> None:
    """422 naming every place in ``value`` the hub cannot store (NUL, a lone surrogate,
    nesting too deep), before any work is done."""
    problems = unstorable(value, base)
    if problems:
        raise ApiError(
            422, "invalid_request", "the request holds values the hub cannot store", problems
        )


async def refuse_unstorable_body(request: Request) -> None:
    """For routes with a body model (FastAPI reads their bodies with the standard JSON
    reader, which lets ``"\\ud800"`` through): the same check as :func:`read_json`,
    pointing under ``/body`` like FastAPI's own validation errors. An app-wide
    dependency; other routes pass untouched."""
    if getattr(request.scope.get("route"), "body_field", None) is None:
        return
    raw = await request.body()  # already read by FastAPI (and bounded by the middleware)
    try:
        value = json.loads(raw)
    except ValueError:
        return  # FastAPI answers a body it could not parse itself
    refuse_unstorable(value, "/body")
