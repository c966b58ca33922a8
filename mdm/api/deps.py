"""FastAPI dependencies: the container and a way to run a use case in a transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from mdm.bootstrap import Container
from mdm.services.uow import UnitOfWork, run_in_transaction

__all__ = ["ContainerDep", "CorrelationId", "in_tx", "read_tx"]

T = TypeVar("T")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_correlation_id(request: Request) -> str | None:
    return getattr(request.state, "correlation_id", None)


ContainerDep = Annotated[Container, Depends(get_container)]
CorrelationId = Annotated[str | None, Depends(get_correlation_id)]


async def in_tx(container: Container, work: Callable[[UnitOfWork], T]) -> T:
    """Run a write use case in one transaction on a worker thread."""
    return await run_in_threadpool(run_in_transaction, container.engine, work)


async def read_tx(container: Container, work: Callable[[UnitOfWork], T]) -> T:
    """Run a read use case in one read-only transaction on a worker thread."""
    return await run_in_threadpool(run_in_transaction, container.engine, work, readonly=True)


def small_read(container: Container, work: Callable[[UnitOfWork], T]) -> T:
    """Run a read of one record or so on the event loop itself: handing a sub-millisecond
    read to a worker thread and back costs more than the read (as GraphQL's small
    queries, see ``mdm.graphql.http``)."""
    return run_in_transaction(container.engine, work, readonly=True)
