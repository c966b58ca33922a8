"""The HTTP side of the metrics: every answer counted and timed by its route template."""

from __future__ import annotations

import logging
import time
from typing import Any

from mdm.metrics import HTTP_LATENCY, HTTP_REQUESTS, UNMATCHED

__all__ = ["HttpMetricsMiddleware"]

access_log = logging.getLogger("mdm.http")


def _route_of(scope: dict[str, Any]) -> str:
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class HttpMetricsMiddleware:
    """Counts and times every HTTP answer by its route template (never the raw path,
    which would make one series per id); in JSON log mode also writes one access line
    per request, carrying its correlation id."""

    def __init__(self, app: Any, *, access_lines: bool = False) -> None:
        self.app = app
        self.access_lines = access_lines

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def _send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            elapsed = time.perf_counter() - started
            method, route = scope.get("method", "GET"), _route_of(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_LATENCY.labels(method, route).observe(elapsed)
            if self.access_lines:
                cid = scope.get("state", {}).get("correlation_id")
                access_log.info(
                    "%s %s %s",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={
                        "correlation_id": cid,
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
