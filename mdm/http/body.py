"""Reading JSON bodies ourselves: exact 4xx errors instead of framework defaults."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict

from mdm.db.storable import loads_exact, unstorable
from mdm.http.errors import ApiError

__all__ = [
    "CheckedBodyRoute",
    "RequestBody",
    "parse_json",
    "read_body",
    "read_json",
    "refuse_unstorable",
]


class RequestBody(BaseModel):
    """A typed request body: a field it does not declare is a 422 naming it, not ignored
    (``{"admin": true}`` on a new key must not look accepted)."""

    model_config = ConfigDict(extra="forbid")


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


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(body: bytes, base: str = "") -> Any:
    """The body as JSON: 400 ``malformed_json`` when it is not JSON, 422 ``too_deep`` when
    it nests beyond what can be read. A lone surrogate escape (``"\\ud800"``) is JSON that
    orjson will not read: it is read with the standard reader, so the caller's check
    answers 422 ``invalid_unicode`` at its pointer instead of calling the body malformed."""
    try:
        return loads_exact(body)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc).lower():
            message = "the body is nested too deeply to be read"
            problem = {"pointer": base or "/", "message": message, "code": "too_deep"}
            raise ApiError(422, "invalid_request", message, [problem]) from exc
        if "surrogate" in str(exc):
            try:
                return json.loads(body, parse_constant=_no_constant)
            except (ValueError, RecursionError):
                pass
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from exc


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


class CheckedBodyRoute(APIRoute):
    """A route whose body model FastAPI reads (answering 422 for a wrong content type, a
    bare 400 for nesting it cannot parse, and letting a lone surrogate through) checks the
    body first as :func:`read_json` checks the others: 415, 400 ``malformed_json``, 422
    ``too_deep`` / ``nul_character`` / ``invalid_unicode`` / ``integer_too_large``, with
    pointers under ``/body`` like FastAPI's own validation errors. An empty body passes
    (the model says whether it may be empty). Every router of the API uses it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            body = await request.body()  # kept on the request: FastAPI reads it from there
            if body:
                _check(request.headers.get("content-type", ""), body)
            return await handler(request)

        return checked


def _check(ctype: str, body: bytes) -> None:
    media = ctype.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiError(
            415,
            "unsupported_media_type",
            f"expected Content-Type application/json, got '{ctype or 'none'}'",
        )
    refuse_unstorable(parse_json(body, "/body"), "/body")
