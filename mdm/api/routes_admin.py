"""REST: source registry, quarantine and the event feed (schemas: ``routes_schemas``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field

from canonical.commands import (
    DiscardQuarantined,
    RegisterSource,
    ResubmitQuarantined,
    UpdateSource,
)
from canonical.errors import FieldError, InvalidInput
from mdm.api.schemas.admin import (
    Discarded,
    EventFeed,
    Quarantined,
    QuarantinePage,
    Resubmission,
    Source,
    SourceChange,
    SourceList,
    SourceRegistration,
)
from mdm.api.schemas.ingest import EventOutcome, RecordOutcome
from mdm.http.auth import AdminPrincipal, ReaderPrincipal, StewardPrincipal
from mdm.http.body import CheckedBodyRoute, RequestBody, read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.errors import ApiError
from mdm.http.openapi import json_body
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.queries.admin import event_feed, get_quarantined, list_quarantine, list_sources

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1", tags=["admin"], route_class=CheckedBodyRoute, responses=refusals(401, 403)
)
_WRITE = refusals(400, 404, 409, 413, 415)


class Discard(RequestBody):
    reason: str = Field(min_length=1, max_length=1000)


@router.get("/sources", response_model=SourceList)
async def sources(container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    return JsonResponse({"sources": await query(container, list_sources)})


@router.post(
    "/sources",
    status_code=201,
    response_model=Source,
    responses=refusals(400, 409, 413, 415),
    openapi_extra=json_body(SourceRegistration, "The source system to register"),
)
async def register_source(
    request: Request, container: ContainerDep, _: AdminPrincipal
) -> JsonResponse:
    body = await read_json(request, container.settings.max_body_bytes)
    fields = body if isinstance(body, dict) else {}
    name = fields.get("name")
    name = name if isinstance(name, str) else ""
    region = fields.get("default_region")
    mode = fields.get("validation", "lenient")
    command = RegisterSource(
        name, str(fields.get("description", "")), _region(region), _region(mode)
    )
    out = await dispatch(container, command)
    return JsonResponse(out, status_code=201)


@router.patch(
    "/sources/{name}",
    response_model=Source,
    responses=_WRITE,
    openapi_extra=json_body(SourceChange, SourceChange.__doc__ or ""),
)
async def update_source(
    name: str, request: Request, container: ContainerDep, _: AdminPrincipal
) -> JsonResponse:
    """Change a source's ``default_region`` (ISO 3166 alpha-2, or null to clear it) and/or
    its ``validation`` (``lenient``: malformed optional values are left out and kept as
    data-quality issues; ``strict``: such records are refused)."""
    body = await read_json(request, container.settings.max_body_bytes)
    if not isinstance(body, dict) or not ({"default_region", "validation"} & set(body)):
        raise InvalidInput(
            "expected a JSON object with 'default_region' or 'validation'",
            [FieldError("/default_region", "required", "required")],
        )
    unknown = sorted(set(body) - {"default_region", "validation"})
    if unknown:
        raise InvalidInput(
            f"unknown field '{unknown[0]}'",
            [FieldError(f"/{k}", f"unknown field '{k}'", "unknown_field") for k in unknown],
        )
    if "validation" in body and body["validation"] is None:
        # a source is always lenient or strict: null would change nothing and look accepted
        raise InvalidInput(
            "validation must be 'lenient' or 'strict'",
            [FieldError("/validation", "must be 'lenient' or 'strict'", "enum")],
        )
    command = UpdateSource(
        name,
        _region(body.get("default_region")),
        _region(body["validation"]) if "validation" in body else None,
        change_region="default_region" in body,
    )
    return JsonResponse(await dispatch(container, command))


def _region(value: Any) -> Any:
    # the handler validates; a non-string (a number, a list) must still fail there, not here
    return value if value is None or isinstance(value, str) else repr(value)


@router.get("/quarantine", response_model=QuarantinePage)
async def quarantine(
    container: ContainerDep,
    principal: StewardPrincipal,
    source: str | None = None,
    entity_type: str | None = None,
    status: str | None = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> JsonResponse:
    out = await query(
        container,
        lambda uow: list_quarantine(
            uow,
            source=source,
            entity_type=entity_type,
            status=status,
            limit=limit,
            offset=offset,
            pii=principal.has("pii"),
        ),
        lane="heavy",
    )
    return JsonResponse(out)


@router.get("/quarantine/{quarantine_id}", response_model=Quarantined, responses=refusals(404))
async def quarantined(
    quarantine_id: str, container: ContainerDep, principal: StewardPrincipal
) -> JsonResponse:
    pii = principal.has("pii")
    return JsonResponse(
        await query(container, lambda uow: get_quarantined(uow, quarantine_id, pii=pii))
    )


@router.post(
    "/quarantine/{quarantine_id}/resubmit",
    response_model=RecordOutcome | EventOutcome,
    responses=_WRITE,
    openapi_extra=json_body(Resubmission, Resubmission.__doc__ or "", required=False),
)
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


@router.post("/quarantine/{quarantine_id}/discard", response_model=Discarded, responses=_WRITE)
async def discard_quarantined(
    quarantine_id: str,
    body: Discard,
    container: ContainerDep,
    principal: StewardPrincipal,
    correlation_id: CorrelationId,
) -> JsonResponse:
    """Close a quarantined payload that will never be fixed, with the reason why."""
    command = DiscardQuarantined(quarantine_id, body.reason, principal.name, correlation_id)
    return JsonResponse(await dispatch(container, command))


@router.get("/events", response_model=EventFeed)
async def events(
    container: ContainerDep,
    principal: ReaderPrincipal,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="the last sequence number seen")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JsonResponse:
    """The outbox as a feed in commit order: a pull-based way to follow golden changes.
    A reader that passes the last ``sequence`` it saw never misses an event."""
    pii = principal.has("pii")
    return JsonResponse(
        await query(
            container,
            lambda uow: event_feed(uow, after=after, limit=limit, pii=pii),
            lane="heavy",
        )
    )
