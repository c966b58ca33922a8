"""``/metrics`` (Prometheus text format), ``/health/live`` and ``/health/ready``.

All three are open, like the health checks of any service behind a load balancer:
they say how much and how well, never what (no record, name or key appears).
Liveness answers from the process alone. Readiness reads the database (``SELECT
1``) and, when ``MDM_NATS_URL`` is set, connects to NATS and asks JetStream for its
account; each check has its own time limit, and any failure is a 503 that names it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from mdm.bus import MessageBus
from mdm.http.responses import JsonResponse
from mdm.metrics import process_metrics
from mdm.observability.collector import DatabaseCollector
from mdm.observability.models import Alive, Readiness
from mdm.settings import Settings

__all__ = ["observability_router"]

_CHECK_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {"model": Readiness, "description": "A dependency failed its check; the body names it"}
}


def observability_router(bus: MessageBus, settings: Settings) -> APIRouter:
    router = APIRouter(tags=["ops"])
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(bus))

    def scrape() -> bytes:
        return process_metrics() + generate_latest(database)

    # the Response class has no media type, so the refusals declared for every route keep
    # theirs (JSON); the text answer is declared as it is
    @router.get(
        "/metrics",
        response_class=Response,
        summary="Prometheus metrics",
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def metrics() -> Response:
        # the database gauges are read here, so off the event loop
        return Response(await run_in_threadpool(scrape), media_type=CONTENT_TYPE_LATEST)

    @router.get("/health/live", summary="The process is up", response_model=Alive)
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/health/ready",
        summary="Ready to serve",
        response_model=Readiness,
        responses=_CHECK_RESPONSES,
    )
    async def ready() -> JsonResponse:
        timeout = settings.observability.ready_timeout_seconds
        checks = {"database": await _timed(_database(bus), timeout)}
        if settings.nats_url:
            checks["nats"] = await _timed(_nats(settings.nats_url, timeout), timeout)
        ok = all(c["status"] == "ok" for c in checks.values())
        return JsonResponse(
            {"status": "ready" if ok else "unready", "checks": checks},
            status_code=200 if ok else 503,
        )

    return router


async def _timed(check: Any, timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check, timeout)
    except TimeoutError:
        return {"status": "failed", "error": f"no answer within {timeout:g} s"}
    except Exception as exc:
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}


async def _database(bus: MessageBus) -> None:
    await run_in_threadpool(bus.query, lambda uow: uow.reads.ping())


async def _nats(url: str, timeout: float) -> None:
    import nats

    client = await nats.connect(
        servers=[url], connect_timeout=timeout, allow_reconnect=False, max_reconnect_attempts=0
    )
    try:
        await client.jetstream().account_info()
    finally:
        await client.close()
