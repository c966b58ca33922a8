"""REST: the steward task queue, merges, unmerges, splits and hierarchies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ConfigDict, Field

from canonical.commands import (
    AssignTask,
    BulkApproveTasks,
    DecideTask,
    MergeGoldenRecords,
    SplitSourceRecord,
    TaskSelection,
    TaskVerdict,
    UnmergeGoldenRecord,
)
from canonical.schemas import schema_for
from mdm.api.schemas.golden import Hierarchy
from mdm.api.schemas.steward import (
    Assigned,
    AuditPage,
    BulkApproved,
    Decided,
    Me,
    MergeOutcome,
    Split,
    Task,
    TaskPage,
    Trace,
    Unmerged,
)
from mdm.db.repositories import AuditQuery
from mdm.http.auth import AnyPrincipal, ReaderPrincipal, StewardPrincipal
from mdm.http.body import CheckedBodyRoute, RequestBody
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.http.times import IsoTime
from mdm.queries.audit import audit_search, decode_cursor, utc_time
from mdm.queries.hierarchy import get_hierarchy
from mdm.queries.tasks import get_task, list_tasks
from mdm.queries.trace import get_trace

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1",
    tags=["stewardship"],
    route_class=CheckedBodyRoute,
    responses=refusals(401, 403),
)
_WRITE = refusals(400, 404, 409, 413, 415)


class Decision(RequestBody):
    reason: str | None = Field(default=None, max_length=1000)
    # approving a hierarchy proposal: which of its two golden records becomes the parent
    parent: str | None = Field(default=None, min_length=1, max_length=32)


class Assignment(RequestBody):
    assignee: str | None = Field(default=None, max_length=100)


class MergeRequest(RequestBody):
    survivor: str = Field(min_length=1, max_length=32)
    merged: list[str] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=1000)


class UnmergeRequest(RequestBody):
    merged: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=1000)


class SplitRequest(RequestBody):
    source: str = Field(min_length=1, max_length=64)
    source_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=1000)


class BulkApproval(RequestBody):
    # strict: JSON true is not 1 hour, nor a count of 1
    model_config = ConfigDict(strict=True)

    expected_count: int = Field(ge=1, le=10_000)
    reason: str = Field(min_length=1, max_length=1000)
    entity_type: str | None = None
    kind: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    source: str | None = None
    assignee: str | None = None
    older_than_hours: float | None = Field(default=None, ge=0, le=1_000_000)


async def _selection(
    entity_type: str | None = None,
    status: str | None = "open",
    kind: str | None = None,
    min_score: Annotated[float | None, Query(ge=0)] = None,
    max_score: Annotated[float | None, Query(ge=0)] = None,
    source: str | None = None,
    assignee: str | None = None,
    older_than_hours: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
) -> TaskSelection:
    return TaskSelection(
        entity_type=entity_type,
        status=status or None,
        kind=kind,
        min_score=min_score,
        max_score=max_score,
        source=source,
        assignee=assignee,
        older_than_hours=older_than_hours,
    )


@router.get("/me", response_model=Me)
async def me(principal: AnyPrincipal) -> JsonResponse:
    """The caller's key: its name and roles (implied roles included), so a client can
    offer only what the key may do."""
    return JsonResponse({"name": principal.name, "roles": sorted(principal.roles)})


@router.get("/stewardship/tasks", response_model=TaskPage)
async def tasks(
    container: ContainerDep,
    _: StewardPrincipal,
    selection: Annotated[TaskSelection, Depends(_selection)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> JsonResponse:
    out = await query(
        container, lambda uow: list_tasks(uow, selection, limit=limit, offset=offset), lane="heavy"
    )
    return JsonResponse(out)


@router.get("/stewardship/tasks/{task_id}", response_model=Task, responses=refusals(404))
async def task(task_id: str, container: ContainerDep, principal: StewardPrincipal) -> JsonResponse:
    pii, matcher = principal.has("pii"), container.current_matcher
    return JsonResponse(
        await query(container, lambda uow: get_task(uow, task_id, matcher=matcher(uow), pii=pii))
    )


def _register_decision(verb: TaskVerdict) -> None:
    """approve / reject / defer / resolve: the same shape, one command."""

    async def endpoint(
        task_id: str,
        body: Decision,
        container: ContainerDep,
        principal: StewardPrincipal,
        cid: CorrelationId,
    ) -> JsonResponse:
        command = DecideTask(task_id, verb, principal.name, body.reason, cid, body.parent)
        return JsonResponse(await dispatch(container, command))

    endpoint.__name__ = verb
    router.post(f"/stewardship/tasks/{{task_id}}/{verb}", response_model=Decided, responses=_WRITE)(
        endpoint
    )


_VERBS: tuple[TaskVerdict, ...] = ("approve", "reject", "defer", "resolve")
for _verb in _VERBS:
    _register_decision(_verb)


@router.post("/stewardship/tasks/{task_id}/assign", response_model=Assigned, responses=_WRITE)
async def assign(
    task_id: str,
    body: Assignment,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    command = AssignTask(task_id, body.assignee, principal.name, cid)
    return JsonResponse(await dispatch(container, command))


@router.post(
    "/stewardship/tasks/bulk-approve",
    response_model=BulkApproved,
    responses=refusals(
        400,
        409,
        413,
        415,
        why_409="expected_count is not the number the filter selects now",
    ),
)
async def approve_many(
    body: BulkApproval, container: ContainerDep, principal: StewardPrincipal, cid: CorrelationId
) -> JsonResponse:
    """Approve every open match review the filter selects; ``expected_count`` must equal
    the number selected now, so a steward confirms exactly what they saw."""
    selection = TaskSelection(
        entity_type=body.entity_type,
        kind=body.kind,
        min_score=body.min_score,
        max_score=body.max_score,
        source=body.source,
        assignee=body.assignee,
        older_than_hours=body.older_than_hours,
    )
    command = BulkApproveTasks(selection, body.expected_count, principal.name, body.reason, cid)
    return JsonResponse(await dispatch(container, command))


@router.post("/golden/{entity_type}/merge", response_model=MergeOutcome, responses=_WRITE)
async def merge(
    entity_type: str,
    body: MergeRequest,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    schema_for(entity_type)
    command = MergeGoldenRecords(
        entity_type, body.survivor, tuple(body.merged), principal.name, body.reason, cid
    )
    return JsonResponse(await dispatch(container, command))


@router.post("/golden/{entity_type}/{golden_id}/unmerge", response_model=Unmerged, responses=_WRITE)
async def unmerge(
    entity_type: str,
    golden_id: str,
    body: UnmergeRequest,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    schema_for(entity_type)
    command = UnmergeGoldenRecord(
        entity_type, golden_id, body.merged, principal.name, body.reason, cid
    )
    return JsonResponse(await dispatch(container, command))


@router.post("/golden/{entity_type}/{golden_id}/split", response_model=Split, responses=_WRITE)
async def split(
    entity_type: str,
    golden_id: str,
    body: SplitRequest,
    container: ContainerDep,
    principal: StewardPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    schema_for(entity_type)
    command = SplitSourceRecord(
        entity_type, golden_id, body.source, body.source_id, principal.name, body.reason, cid
    )
    return JsonResponse(await dispatch(container, command))


@router.get(
    "/golden/customer/{golden_id}/hierarchy", response_model=Hierarchy, responses=refusals(404)
)
async def hierarchy(
    golden_id: str,
    container: ContainerDep,
    _: ReaderPrincipal,
    max_depth: Annotated[int, Query(ge=1, le=20)] = 10,
) -> JsonResponse:
    return JsonResponse(
        await query(
            container,
            lambda uow: get_hierarchy(uow, golden_id=golden_id, max_depth=max_depth),
            lane="heavy",
        )
    )


@router.get("/trace/{correlation_id}", response_model=Trace, responses=refusals(404))
async def trace(
    correlation_id: Annotated[str, Path(max_length=100)],
    container: ContainerDep,
    _: StewardPrincipal,
) -> JsonResponse:
    """Everything one request caused, in time order: the request, source-record versions,
    match decisions, golden versions, outbox events, deliveries, audit rows."""
    return JsonResponse(await query(container, lambda uow: get_trace(uow, correlation_id)))


@router.get("/audit", response_model=AuditPage)
async def audit(
    container: ContainerDep,
    _: StewardPrincipal,
    target_id: Annotated[str | None, Query(max_length=32)] = None,
    actor: Annotated[str | None, Query(max_length=100, description="exactly this actor")] = None,
    action: Annotated[
        str | None, Query(max_length=64, description="exactly this action (task_approved)")
    ] = None,
    since: Annotated[IsoTime | None, Query(description="ISO 8601; at or after")] = None,
    until: Annotated[IsoTime | None, Query(description="ISO 8601; at or before")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="text in the reason, any case")
    ] = None,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> JsonResponse:
    """Who decided what, when and why: newest first, ``next`` pages on. The search in
    reasons reads a bounded window per page (``partial`` says it stopped there)."""
    search = AuditQuery(
        target_id=target_id or None,
        actor=actor or None,
        action=action or None,
        since=utc_time(since, "/since"),
        until=utc_time(until, "/until"),
        text=(q or "").strip() or None,
        before=decode_cursor(cursor) if cursor else None,
    )
    return JsonResponse(
        await query(container, lambda uow: audit_search(uow, search, limit=limit), lane="heavy")
    )
