"""FastAPI dependencies: the container, the correlation id, and running bus work on a
worker thread so a slow lock or a large query never stalls the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from mdm.bootstrap import Container
from mdm.bus import Origin
from mdm.db.uow import UnitOfWork
from mdm.http.middleware import request_var

__all__ = ["ContainerDep", "CorrelationId", "dispatch", "get_container", "query"]

T = TypeVar("T")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_correlation_id(request: Request) -> str | None:
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


async def query(container: Container, read: Callable[[UnitOfWork], T]) -> T:
    """Run a read in one read-only transaction on a worker thread."""
    return await run_in_threadpool(container.bus.query, read)
