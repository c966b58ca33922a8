"""REST reads: golden records (now or as of a time), their history, and xrefs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from mdm.api.schemas.golden import GoldenHistory, GoldenRecord, Xref
from mdm.http.auth import ReaderPrincipal
from mdm.http.body import CheckedBodyRoute
from mdm.http.deps import ContainerDep, query
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.http.times import utc_param
from mdm.queries.golden import get_golden, get_history, get_xref

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1", tags=["golden"], route_class=CheckedBodyRoute, responses=refusals(401, 403)
)


@router.get(
    "/golden/{entity_type}/{golden_id}", response_model=GoldenRecord, responses=refusals(404)
)
async def golden_record(
    entity_type: str,
    golden_id: str,
    container: ContainerDep,
    principal: ReaderPrincipal,
    as_of: Annotated[
        datetime | None, Query(description="ISO 8601 time; the version valid then")
    ] = None,
) -> JsonResponse:
    as_of = utc_param(as_of, "as_of")
    out = await query(
        container,
        lambda uow: get_golden(
            uow,
            entity_type=entity_type,
            golden_id=golden_id,
            as_of=as_of,
            pii=principal.has("pii"),
        ),
    )
    return JsonResponse(out)


@router.get(
    "/golden/{entity_type}/{golden_id}/history",
    response_model=GoldenHistory,
    responses=refusals(404),
)
async def golden_history(
    entity_type: str,
    golden_id: str,
    container: ContainerDep,
    principal: ReaderPrincipal,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JsonResponse:
    pii = principal.has("pii")
    out = await query(
        container,
        lambda uow: get_history(
            uow, entity_type=entity_type, golden_id=golden_id, limit=limit, pii=pii
        ),
        lane="heavy",
    )
    return JsonResponse({"golden_id": golden_id, "versions": out})


@router.get(
    "/xref/{source}/{entity_type}/{source_id}", response_model=Xref, responses=refusals(404)
)
async def xref(
    source: str, entity_type: str, source_id: str, container: ContainerDep, _: ReaderPrincipal
) -> JsonResponse:
    out = await query(
        container,
        lambda uow: get_xref(uow, source=source, entity_type=entity_type, source_id=source_id),
    )
    return JsonResponse(out)
