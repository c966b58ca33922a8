"""REST: the steward task queue, merges, unmerges, splits and hierarchies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from canonical.schemas import schema_for
from mdm.api.auth import ReaderPrincipal, StewardPrincipal
from mdm.api.deps import ContainerDep, CorrelationId, in_tx, read_tx
from mdm.api.responses import JsonResponse
from mdm.db.repository import AU
from mdm.services.hierarchy import get_hierarchy
from mdm.services.merge import merge_golden, split_record, unmerge_golden
from mdm.services.tasks import (
    TaskFilter,
    approve_task,
    assign_task,
    bulk_approve,
    defer_task,
    get_task,
    list_tasks,
    reject_task,
    resolve_task,
)
from mdm.services.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["stewardship"])


class Decision(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class Assignment(BaseModel):
    assignee: str | None = Field(default=None, max_length=100)


class MergeRequest(BaseModel):
    survivor: str = Field(min_length=1, max_length=32)
    merged: list[str] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=1000)


class UnmergeRequest(BaseModel):
    merged: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=1000)


class SplitRequest(BaseModel):
    source: str = Field(min_length=1, max_length=64)
    source_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=1000)


class BulkApproval(BaseModel):
    expected_count: int = Field(ge=1, le=10_000)
    reason: str = Field(min_length=1, max_length=1000)
    entity_type: str | None = None
    kind: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    source: str | None = None
    assignee: str | None = None
    older_than_hours: float | None = Field(default=None, ge=0, le=1_000_000)


def _filter(
    entity_type: str | None = None,
    status: str | None = "open",
    kind: str | None = None,
    min_score: Annotated[float | None, Query(ge=0)] = None,
    max_score: Annotated[float | None, Query(ge=0)] = None,
    source: str | None = None,
    assignee: str | None = None,
    older_than_hours: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
) -> TaskFilter:
    return TaskFilter(
        entity_type=entity_type,
        status=status or None,
        kind=kind,
        min_score=min_score,
        max_score=max_score,
        source=source,
        assignee=assignee,
        older_than_hours=older_than_hours,
    )


@router.get("/stewardship/tasks")
async def tasks(
    container: ContainerDep,
    _: StewardPrincipal,
    entity_type: str | None = None,
    status: str | None = "open",
    kind: str | None = None,
    min_score: Annotated[float | None, Query(ge=0)] = None,
    max_score: Annotated[float | None, Query(ge=0)] = None,
    source: str | None = None,
    assignee: str | None = None,
    older_than_hours: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> JsonResponse:
    flt = _filter(
        entity_type, status, kind, min_score, max_score, source, assignee, older_than_hours
    )
    out = await read_tx(container, lambda uow: list_tasks(uow, flt, limit=limit, offset=offset))
    return JsonResponse(out)


@router.get("/stewardship/tasks/{task_id}")
async def task(task_id: str, container: ContainerDep, _: StewardPrincipal) -> JsonResponse:
    return JsonResponse(await read_tx(container, lambda uow: get_task(uow, task_id)))


@router.post("/stewardship/tasks/{task_id}/approve")
async def approve(
    task_id: str,
    body: Decision,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    out = await in_tx(
        container,
        lambda uow: approve_task(
            uow,
            container.matcher,
            task_id=task_id,
            actor=principal.name,
            reason=body.reason,
            correlation_id=cid,
        ),
    )
    return JsonResponse(out)


def _register_decision(verb: str, decide: Callable[..., dict[str, Any]]) -> None:
    """reject / defer / resolve: the same shape, one use case each."""

    async def endpoint(
        task_id: str, body: Decision, container: ContainerDep, principal: StewardPrincipal
    ) -> JsonResponse:
        return JsonResponse(
            await in_tx(
                container,
                lambda uow: decide(uow, task_id=task_id, actor=principal.name, reason=body.reason),
            )
        )

    endpoint.__name__ = verb
    router.post(f"/stewardship/tasks/{{task_id}}/{verb}")(endpoint)


for _verb, _decide in (("reject", reject_task), ("defer", defer_task), ("resolve", resolve_task)):
    _register_decision(_verb, _decide)


@router.post("/stewardship/tasks/{task_id}/assign")
async def assign(
    task_id: str, body: Assignment, container: ContainerDep, principal: StewardPrincipal
) -> JsonResponse:
    return JsonResponse(
        await in_tx(
            container,
            lambda uow: assign_task(
                uow, task_id=task_id, assignee=body.assignee, actor=principal.name
            ),
        )
    )


@router.post("/stewardship/tasks/bulk-approve")
async def approve_many(
    body: BulkApproval, container: ContainerDep, principal: StewardPrincipal, cid: CorrelationId
) -> JsonResponse:
    """Approve every open match review the filter selects; ``expected_count`` must equal
    the number selected now, so a steward confirms exactly what they saw."""
    flt = TaskFilter(
        entity_type=body.entity_type,
        min_score=body.min_score,
        max_score=body.max_score,
        source=body.source,
        assignee=body.assignee,
        older_than_hours=body.older_than_hours,
    )
    out = await in_tx(
        container,
        lambda uow: bulk_approve(
            uow,
            container.matcher,
            flt,
            expected_count=body.expected_count,
            actor=principal.name,
            reason=body.reason,
            correlation_id=cid,
        ),
    )
    return JsonResponse(out)


@router.post("/golden/{entity_type}/merge")
async def merge(
    entity_type: str,
    body: MergeRequest,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    schema_for(entity_type)
    out = await in_tx(
        container,
        lambda uow: merge_golden(
            uow,
            container.matcher,
            entity_type=entity_type,
            survivor_id=body.survivor,
            merged_ids=body.merged,
            actor=principal.name,
            reason=body.reason,
            correlation_id=cid,
        ),
    )
    return JsonResponse(out)


@router.post("/golden/{entity_type}/{golden_id}/unmerge")
async def unmerge(
    entity_type: str,
    golden_id: str,
    body: UnmergeRequest,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    schema_for(entity_type)
    out = await in_tx(
        container,
        lambda uow: unmerge_golden(
            uow,
            container.matcher,
            entity_type=entity_type,
            survivor_id=golden_id,
            merged_id=body.merged,
            actor=principal.name,
            reason=body.reason,
            correlation_id=cid,
        ),
    )
    return JsonResponse(out)


@router.post("/golden/{entity_type}/{golden_id}/split")
async def split(
    entity_type: str,
    golden_id: str,
    body: SplitRequest,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    schema_for(entity_type)
    out = await in_tx(
        container,
        lambda uow: split_record(
            uow,
            container.matcher,
            entity_type=entity_type,
            golden_id=golden_id,
            source=body.source,
            source_id=body.source_id,
            actor=principal.name,
            reason=body.reason,
            correlation_id=cid,
        ),
    )
    return JsonResponse(out)


@router.get("/golden/customer/{golden_id}/hierarchy")
async def hierarchy(
    golden_id: str,
    container: ContainerDep,
    _: ReaderPrincipal,
    max_depth: Annotated[int, Query(ge=1, le=20)] = 10,
) -> JsonResponse:
    return JsonResponse(
        await read_tx(
            container, lambda uow: get_hierarchy(uow, golden_id=golden_id, max_depth=max_depth)
        )
    )


@router.get("/audit")
async def audit(
    container: ContainerDep,
    _: StewardPrincipal,
    target_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JsonResponse:
    def work(uow: UnitOfWork) -> list[dict[str, Any]]:
        stmt = select(AU).order_by(AU.c.id.desc()).limit(limit)
        if target_id:
            stmt = stmt.where(AU.c.target_id == target_id)
        return [{**dict(r), "at": r["at"].isoformat()} for r in uow.conn.execute(stmt).mappings()]

    return JsonResponse({"entries": await read_tx(container, work)})
