"""REST: source registry, canonical schemas, quarantine and the event feed."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from canonical.errors import Conflict
from canonical.schemas import ENTITY_TYPES, schema_for
from mdm.api.auth import AdminPrincipal, ReaderPrincipal, StewardPrincipal
from mdm.api.body import read_json
from mdm.api.deps import ContainerDep, CorrelationId, in_tx, read_tx
from mdm.api.errors import ApiError
from mdm.api.responses import JsonResponse
from mdm.db.repository import OB
from mdm.db.types import utcnow
from mdm.services.quarantine import get_quarantined, list_quarantine, resubmit
from mdm.services.uow import UnitOfWork

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["admin"])

_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


@router.get("/sources")
async def sources(container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    rows = await read_tx(container, lambda uow: uow.repo.list_sources())
    return JsonResponse(
        {"sources": [{"name": r["name"], "description": r["description"]} for r in rows]}
    )


@router.post("/sources", status_code=201)
async def register_source(
    request: Request, container: ContainerDep, _: AdminPrincipal
) -> JsonResponse:
    body = await read_json(request, container.settings.max_body_bytes)
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not _SOURCE_NAME.match(name):
        raise ApiError(
            422,
            "invalid_source",
            "name must match ^[a-z][a-z0-9_-]{1,63}$",
            [{"pointer": "/name", "message": "invalid source name", "code": "pattern"}],
        )
    description = str(body.get("description", ""))[:300]

    def work(uow: UnitOfWork) -> None:
        if uow.repo.source_exists(name):
            raise Conflict(f"source '{name}' is already registered")
        uow.repo.add_source({"name": name, "description": description, "created_at": utcnow()})

    await in_tx(container, work)
    return JsonResponse({"name": name, "description": description}, status_code=201)


@router.get("/schemas")
async def schemas(_: ReaderPrincipal) -> JsonResponse:
    return JsonResponse(
        {"schemas": [{"entity_type": e, "version": schema_for(e).version} for e in ENTITY_TYPES]}
    )


@router.get("/schemas/{entity_type}")
async def schema(entity_type: str, _: ReaderPrincipal) -> JsonResponse:
    return JsonResponse(dict(schema_for(entity_type).document))


@router.get("/quarantine")
async def quarantine(
    container: ContainerDep,
    _: StewardPrincipal,
    source: str | None = None,
    entity_type: str | None = None,
    status: str | None = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
) -> JsonResponse:
    out = await read_tx(
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
    return JsonResponse(await read_tx(container, lambda uow: get_quarantined(uow, quarantine_id)))


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
    result = await in_tx(
        container,
        lambda uow: resubmit(
            uow,
            container.matcher,
            quarantine_id=quarantine_id,
            record=body.get("record"),
            source_id=body.get("source_id"),
            correlation_id=correlation_id,
        ),
    )
    out = result.as_dict()
    out.pop("index")
    return JsonResponse(out)


@router.get("/events")
async def events(
    container: ContainerDep,
    _: ReaderPrincipal,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="the last sequence number seen")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JsonResponse:
    """The outbox as a feed, oldest first: a pull-based way to follow golden changes."""

    def work(uow: UnitOfWork) -> list[dict[str, Any]]:
        rows = uow.conn.execute(
            select(OB.c.id, OB.c.envelope).where(OB.c.id > after).order_by(OB.c.id).limit(limit)
        )
        return [{"sequence": i, "event": env} for i, env in rows]

    items = await read_tx(container, work)
    return JsonResponse({"events": items, "last": items[-1]["sequence"] if items else after})
