"""REST: source systems write their records here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from canonical.commands import IngestItem, IngestRecords
from canonical.errors import FieldError, HierarchyCycle, InvalidInput
from canonical.schemas import schema_for
from mdm.api.schemas.ingest import BatchAnswer, BatchItem, RecordOutcome
from mdm.domain.ingest import ItemResult
from mdm.domain.principal import Principal
from mdm.http.auth import AnyPrincipal
from mdm.http.body import CheckedBodyRoute, read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch
from mdm.http.errors import ApiError
from mdm.http.openapi import json_body
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/sources",
    tags=["ingest"],
    route_class=CheckedBodyRoute,
    responses=refusals(401, 403),
)
_RECORD = "The record in the canonical model (GET /api/v1/schemas/{entity_type})"
_BATCH = (
    "Up to 1,000 items of {source_id, record}; each item is reported on its own, so an item "
    "of any other shape is a rejected item, not a refused batch (413 past 1,000)"
)


def _refusal(entity_type: str, result: ItemResult) -> Exception:
    """The error a refused single record answers with: 409 for a hierarchy cycle, 422
    (with the quarantine id) for a breach of the canonical model."""
    errors = [FieldError(e["pointer"], e["message"], e["code"]) for e in result.errors]
    if [e.code for e in errors] == ["hierarchy_cycle"]:
        return HierarchyCycle(errors[0].message, errors)
    return InvalidInput(
        f"the {entity_type} record breaks the canonical model "
        f"({len(errors)} error(s)); it was kept in quarantine",
        errors,
        quarantine_id=result.quarantine_id,
    )


@router.put(
    "/{source}/{entity_type}/{source_id}",
    response_model=RecordOutcome,
    responses=refusals(
        400,
        404,
        409,
        413,
        415,
        422,
        why_409="The record would make a hierarchy cycle (its parent is its descendant)",
        why_422="The record breaks the canonical model (errors name each place; it was kept "
        "in quarantine: quarantine_id), or the URL holds text the hub cannot read",
    ),
    openapi_extra=json_body(dict[str, Any], _RECORD),
)
async def put_record(
    source: str,
    entity_type: str,
    source_id: str,
    request: Request,
    container: ContainerDep,
    correlation_id: CorrelationId,
    principal: AnyPrincipal,
) -> JsonResponse:
    """Create or update one source record; answers what happened to its golden record."""
    _may_write(principal, source)
    schema_for(entity_type)
    body = await read_json(request, container.settings.max_body_bytes)
    command = IngestRecords(source, entity_type, (IngestItem(source_id, body),), correlation_id)
    [result] = await dispatch(container, command)
    if result.status != "accepted":
        raise _refusal(entity_type, result)
    out = result.as_dict()
    out.pop("index")
    return JsonResponse(out)


def _may_write(principal: Principal, source: str) -> None:
    if not principal.may_write_source(source):
        raise ApiError(403, "forbidden", f"this key may not write records of source '{source}'")


def _batch_items(body: Any, max_items: int) -> tuple[IngestItem, ...]:
    if not isinstance(body, list):
        raise ApiError(
            422,
            "invalid_batch",
            'a batch is a JSON array of {"source_id": ..., "record": {...}}',
            [{"pointer": "", "message": "expected an array", "code": "type"}],
        )
    if len(body) > max_items:
        raise ApiError(
            413, "batch_too_large", f"a batch holds at most {max_items} items, got {len(body)}"
        )
    return tuple(
        IngestItem(entry.get("source_id"), entry.get("record"))
        if isinstance(entry, dict)
        else IngestItem(None, entry)
        for entry in body
    )


@router.post(
    "/{source}/{entity_type}/batch",
    response_model=BatchAnswer,
    responses=refusals(400, 404, 413, 415),
    openapi_extra=json_body(list[BatchItem], _BATCH),
)
async def post_batch(
    source: str,
    entity_type: str,
    request: Request,
    container: ContainerDep,
    correlation_id: CorrelationId,
    principal: AnyPrincipal,
) -> JsonResponse:
    """Up to 1,000 records; valid ones are accepted, invalid ones reported and quarantined."""
    _may_write(principal, source)
    schema_for(entity_type)
    body = await read_json(request, container.settings.max_body_bytes, check=False)
    items = _batch_items(body, container.settings.max_batch_items)
    results = await dispatch(container, IngestRecords(source, entity_type, items, correlation_id))
    summary: dict[str, int] = {}
    for r in results:
        key = r.action or "rejected"
        summary[key] = summary.get(key, 0) + 1
    return JsonResponse({"results": [r.as_dict() for r in results], "summary": summary})
