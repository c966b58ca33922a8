"""FastAPI dependencies: the container, the correlation id, and running bus work on a
worker thread so a slow lock or a large query never stalls the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from mdm.bootstrap import Container
from mdm.bus import Origin
from mdm.db.uow import UnitOfWork
from mdm.http.middleware import request_var
from mdm.http.threads import read_lanes

__all__ = ["ContainerDep", "CorrelationId", "dispatch", "get_container", "query"]

T = TypeVar("T")


# Dependencies are ``async def`` although they never wait: FastAPI runs a plain ``def``
# dependency on anyio's worker threads, a thread hop per dependency and request.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


async def get_correlation_id(request: Request) -> str | None:
    return getattr(request.state, "correlation_id", None)


ContainerDep = Annotated[Container, Depends(get_container)]
CorrelationId = Annotated[str | None, Depends(get_correlation_id)]


def _origin() -> Origin:
    served = request_var.get() or {}
    return Origin(
        channel="http",
        correlation_id=served.get("correlation_id"),
        actor=served.get("actor"),
        method=served.get("method"),
        path=served.get("path"),
    )


async def dispatch(container: Container, command: Any) -> Any:
    """Hand a command to the bus (one transaction, the request logged in it) on a worker
    thread."""
    origin = _origin()
    return await run_in_threadpool(lambda: container.bus.handle(command, origin=origin))


async def query(
    container: Container,
    read: Callable[[UnitOfWork], T],
    lane: Literal["light", "heavy", "long"] = "light",
) -> T:
    """Run a read in one read-only transaction on the process's read threads
    (:mod:`mdm.http.threads`): ``light`` for a record and other short answers, ``heavy``
    for pages and searches, ``long`` (anyio's pool) for work of seconds or more, which
    would hold up either lane."""
    if lane == "long":
        return await run_in_threadpool(container.bus.query, read)
    lanes = read_lanes(container)
    return await (lanes.heavy if lane == "heavy" else lanes.light).run(container.bus.query, read)
