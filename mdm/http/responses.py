"""JSON responses rendered by orjson (datetimes, UUIDs and large payloads, fast)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

__all__ = ["JsonResponse"]


class JsonResponse(JSONResponse):
    """A ``JSONResponse`` (so FastAPI documents a route's ``response_model`` for it) that
    renders with orjson. A route returning one is answered as is: the response model
    documents the body, it never filters it."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
