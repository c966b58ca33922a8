"""REST: reading a source record back (stewards, and the source that owns it)."""

from __future__ import annotations

from fastapi import APIRouter

from mdm.api.schemas.ingest import SourceRecord
from mdm.http.auth import AnyPrincipal
from mdm.http.body import CheckedBodyRoute
from mdm.http.deps import ContainerDep, query
from mdm.http.errors import ApiError
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.queries.records import get_source_record

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/sources",
    tags=["ingest"],
    route_class=CheckedBodyRoute,
    responses=refusals(401, 403),
)


@router.get(
    "/{source}/{entity_type}/{source_id}", response_model=SourceRecord, responses=refusals(404)
)
async def source_record(
    source: str, entity_type: str, source_id: str, container: ContainerDep, principal: AnyPrincipal
) -> JsonResponse:
    """The record's current version; a payload stored under an older schema version is
    upcast to the newest one (``read_as``), its ``schema_version`` says what it was. A
    person's personal attributes are masked for keys without ``pii``."""
    if not (principal.has("steward") or principal.may_write_source(source)):
        raise ApiError(403, "forbidden", f"this read needs the 'steward' or 'source:{source}' role")
    out = await query(
        container,
        lambda uow: get_source_record(
            uow,
            source=source,
            entity_type=entity_type,
            source_id=source_id,
            pii=principal.has("pii"),
        ),
    )
    return JsonResponse(out)
