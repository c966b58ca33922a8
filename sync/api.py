"""REST for outbound sync: targets (admin), deliveries and dead letters, replay."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from canonical.commands import PutSyncTarget, RemoveSyncTarget, ReplayDeliveries
from mdm.plugin_api import (
    AdminPrincipal,
    ApiError,
    ContainerDep,
    CorrelationId,
    IsoTime,
    JsonResponse,
    StewardPrincipal,
    dispatch,
    json_body,
    query,
    read_json,
    refusals,
)
from sync.queries import delivery_detail, get_target, list_deliveries, list_targets
from sync.schemas import (
    Deliveries,
    DeliveryDetail,
    Replayed,
    Target,
    TargetBody,
    TargetList,
    TargetRemoved,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/sync", tags=["sync"], responses=refusals(401, 403))
_WRITE = refusals(400, 404, 409, 413, 415)

State = Annotated[str | None, Query(pattern="^(pending|in_flight|delivered|dead|held)$")]


class Replay(BaseModel):
    target: str | None = Field(default=None, max_length=64)
    state: str | None = Field(default=None, pattern="^(pending|delivered|dead)$")
    delivery_ids: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None, max_length=10_000
    )
    golden_id: str | None = Field(default=None, max_length=32)
    since: IsoTime | None = None
    until: IsoTime | None = None


@router.put(
    "/targets/{name}",
    response_model=Target,
    responses={201: {"model": Target, "description": "Created"}, **_WRITE},
    response_description="Replaced",
    openapi_extra=json_body(TargetBody, TargetBody.__doc__ or ""),
)
async def put_target(
    name: str,
    request: Request,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """Create or replace a target: ``{"kind", "base_url", "credentials": {"token"},
    "source", "entity_types", "rate_limit_per_s", "mapping", "options", "readiness"}``
    (``readiness``: per entity type the attributes a record needs before it is sent, and
    ``parent_delivered``; omitted or null: the kind's defaults). Answers the target without
    its credentials: 201 when created, 200 when replaced."""
    body = await read_json(request, container.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_target", "a target is a JSON object")
    out: dict[str, Any] = await dispatch(container, PutSyncTarget(name, body, principal.name, cid))
    return JsonResponse(out, status_code=201 if out.pop("created") else 200)


@router.get("/targets", response_model=TargetList)
async def targets(container: ContainerDep, _: StewardPrincipal) -> JsonResponse:
    """Every target with its queue: pending, in flight, delivered, dead, and lag (seconds
    since the oldest change not yet acknowledged)."""
    return JsonResponse({"targets": await query(container, list_targets)})


@router.get("/targets/{name}", response_model=Target, responses=refusals(404))
async def target(name: str, container: ContainerDep, _: StewardPrincipal) -> JsonResponse:
    """One target with its queue (404 when there is no such target)."""
    return JsonResponse(await query(container, lambda uow: get_target(uow, name)))


@router.delete("/targets/{name}", response_model=TargetRemoved, responses=refusals(404))
async def remove_target(
    name: str, container: ContainerDep, principal: AdminPrincipal, cid: CorrelationId
) -> JsonResponse:
    return JsonResponse(await dispatch(container, RemoveSyncTarget(name, principal.name, cid)))


@router.get("/deliveries", response_model=Deliveries)
async def deliveries(
    container: ContainerDep,
    principal: StewardPrincipal,
    state: State = None,
    target: Annotated[str | None, Query(max_length=64)] = None,
    golden_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> JsonResponse:
    """Deliveries, most recently changed first. ``state=held``: records not ready for their
    target (its readiness rules), each with ``missing``, what it lacks."""
    out = await query(
        container,
        lambda uow: list_deliveries(
            uow,
            target=target,
            state=state,
            golden_id=golden_id,
            limit=limit,
            offset=offset,
            pii=principal.has("pii"),
        ),
    )
    return JsonResponse(out)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail, responses=refusals(404))
async def delivery(
    delivery_id: str, container: ContainerDep, principal: StewardPrincipal
) -> JsonResponse:
    pii = principal.has("pii")
    return JsonResponse(
        await query(container, lambda uow: delivery_detail(uow, delivery_id, pii=pii))
    )


@router.post("/replay", response_model=Replayed, responses=refusals(400, 409, 413, 415))
async def replay(
    body: Replay, container: ContainerDep, principal: AdminPrincipal, cid: CorrelationId
) -> JsonResponse:
    """Send the selected deliveries again with their records' current state."""
    command = ReplayDeliveries(
        actor=principal.name,
        target=body.target,
        state=body.state,
        delivery_ids=tuple(body.delivery_ids) if body.delivery_ids is not None else None,
        golden_id=body.golden_id,
        since=body.since,
        until=body.until,
        correlation_id=cid,
    )
    return JsonResponse(await dispatch(container, command))
