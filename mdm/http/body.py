"""Reading JSON bodies ourselves: exact 4xx errors instead of framework defaults."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request

from mdm.http.errors import ApiError

__all__ = ["parse_json", "read_body", "read_json"]


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
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from exc


async def read_json(request: Request, max_bytes: int) -> Any:
    return parse_json(await read_body(request, max_bytes))
