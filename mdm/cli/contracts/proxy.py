"""A local forwarding proxy to a hub elsewhere (``mdm contracts verify --provider-url``).

Pact's verifier sends HTTP interactions and message requests to one host, and its message
relay runs in this process; forwarding every request to the remote hub keeps both local.
Requests and answers pass through unchanged (hop-by-hop headers aside).
"""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["proxy_app"]

_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"}
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def proxy_app(upstream: str) -> Any:
    client = httpx.AsyncClient(base_url=upstream, timeout=30)

    async def forward(request: Request) -> Response:
        answer = await client.request(
            request.method,
            request.url.path,
            params=request.url.query,
            headers={k: v for k, v in request.headers.items() if k.lower() not in _HOP},
            content=await request.body(),
        )
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        headers.pop("content-encoding", None)
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    return Starlette(routes=[Route("/{path:path}", forward, methods=_METHODS)])
