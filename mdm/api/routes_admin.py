"""REST: source registry, quarantine and the event feed (schemas: ``routes_schemas``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from canonical.commands import RegisterSource, ResubmitQuarantined
from mdm.http.auth import AdminPrincipal, ReaderPrincipal, StewardPrincipal
from mdm.http.body import read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.errors import ApiError
from mdm.http.responses import JsonResponse
from mdm.queries.admin import event_feed, get_quarantined, list_quarantine, list_sources

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["admin"])


@router.get("/sources")
async def sources(container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    return JsonResponse({"sources": await query(container, list_sources)})


@router.post("/sources", status_code=201)
async def register_source(
    request: Request, container: ContainerDep, _: AdminPrincipal
) -> JsonResponse:
    body = await read_json(request, container.settings.max_body_bytes)
    fields = body if isinstance(body, dict) else {}
    name = fields.get("name")
    name = name if isinstance(name, str) else ""
    command = RegisterSource(name, str(fields.get("description", "")))
    out = await dispatch(container, command)
    return JsonResponse(out, status_code=201)


@router.get("/quarantine")
async def quarantine(
    container: ContainerDep,
    _: StewardPrincipal,
    source: str | None = None,
    entity_type: str | None = None,
    status: str | None = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JsonResponse:
    out = await query(
        container,
        lambda uow: list_quarantine(
            uow, source=source, entity_type=entity_type, status=status, limit=limit, offset=offset
        ),
    )
    return JsonResponse(out)


@router.get("/quarantine/{quarantine_id}")
async def quarantined(
    quarantine_id: str, container: ContainerDep, _: StewardPrincipal
) -> JsonResponse:
    return JsonResponse(await query(container, lambda uow: get_quarantined(uow, quarantine_id)))


@router.post("/quarantine/{quarantine_id}/resubmit")
async def resubmit_quarantined(
    quarantine_id: str,
    request: Request,
    container: ContainerDep,
    correlation_id: CorrelationId,
    _: StewardPrincipal,
) -> JsonResponse:
    """Submit the kept payload again; a body ``{"record": {...}}`` submits a corrected one."""
    body: Any = {}
    if request.headers.get("content-length", "0") != "0":
        body = await read_json(request, container.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_request", "expected a JSON object")
    command = ResubmitQuarantined(
        quarantine_id, body.get("record"), body.get("source_id"), correlation_id
    )
    out = (await dispatch(container, command)).as_dict()
    out.pop("index")
    return JsonResponse(out)


@router.get("/events")
async def events(
    container: ContainerDep,
    _: ReaderPrincipal,
    after: Annotated[int, Query(ge=0, description="the last sequence number seen")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JsonResponse:
    """The outbox as a feed in commit order: a pull-based way to follow golden changes.
    A reader that passes the last ``sequence`` it saw never misses an event."""
    return JsonResponse(
        await query(container, lambda uow: event_feed(uow, after=after, limit=limit))
    )
