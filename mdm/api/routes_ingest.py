"""REST: source systems write their records here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from canonical.errors import FieldError, InvalidInput
from canonical.schemas import schema_for
from mdm.api.auth import AnyPrincipal
from mdm.api.body import read_json
from mdm.api.deps import ContainerDep, CorrelationId, in_tx
from mdm.api.errors import ApiError
from mdm.api.responses import JsonResponse
from mdm.db.storable import unstorable
from mdm.observability.metrics import observe_ingest
from mdm.services.ingest import IngestItem, ItemResult, ingest_records
from mdm.services.keys import Principal

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/sources", tags=["ingest"])


@router.put("/{source}/{entity_type}/{source_id}")
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
    [result] = await in_tx(
        container,
        lambda uow: ingest_records(
            uow,
            container.matcher,
            source=source,
            entity_type=entity_type,
            items=[IngestItem(source_id, body)],
            correlation_id=correlation_id,
        ),
    )
    observe_ingest([result], source=source, entity_type=entity_type)
    if result.status != "accepted":
        if [e["code"] for e in result.errors] == ["hierarchy_cycle"]:
            raise ApiError(409, "hierarchy_cycle", result.errors[0]["message"], result.errors)
        exc = InvalidInput(
            f"the {entity_type} record breaks the canonical model "
            f"({len(result.errors)} error(s)); it was kept in quarantine",
            [FieldError(e["pointer"], e["message"], e["code"]) for e in result.errors],
        )
        exc.quarantine_id = result.quarantine_id  # type: ignore[attr-defined]
        raise exc
    out = result.as_dict()
    out.pop("index")
    return JsonResponse(out)


def _may_write(principal: Principal, source: str) -> None:
    if not principal.may_write_source(source):
        raise ApiError(403, "forbidden", f"this key may not write records of source '{source}'")


def _batch_items(body: Any, max_items: int) -> list[IngestItem]:
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
    items: list[IngestItem] = []
    for entry in body:
        if isinstance(entry, dict):
            items.append(IngestItem(entry.get("source_id"), entry.get("record")))
        else:
            items.append(IngestItem(None, entry))
    return items


def _unstorable(item: IngestItem) -> list[dict[str, str]]:
    sid = item.source_id
    return (unstorable(sid, "/source_id") if isinstance(sid, str) else []) + unstorable(item.record)


def _in_order(
    results: list[ItemResult], refused: dict[int, list[dict[str, str]]], items: list[IngestItem]
) -> list[ItemResult]:
    """The ingested results and the items refused before ingest (values the hub cannot
    store: not quarantined, as there is no faithful copy to keep), in request order."""
    if not refused:
        return results
    ingested = iter(results)
    out: list[ItemResult] = []
    for index, item in enumerate(items):
        if index in refused:
            sid = item.source_id if isinstance(item.source_id, str) else None
            out.append(ItemResult(index, sid, "rejected", errors=refused[index]))
        else:
            result = next(ingested)
            result.index = index
            out.append(result)
    return out


@router.post("/{source}/{entity_type}/batch")
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
    refused = {i: errors for i, item in enumerate(items) if (errors := _unstorable(item))}
    results = await in_tx(
        container,
        lambda uow: ingest_records(
            uow,
            container.matcher,
            source=source,
            entity_type=entity_type,
            items=[item for i, item in enumerate(items) if i not in refused],
            correlation_id=correlation_id,
        ),
    )
    results = _in_order(results, refused, items)
    observe_ingest(results, source=source, entity_type=entity_type)
    summary: dict[str, int] = {}
    for r in results:
        key = r.action or "rejected"
        summary[key] = summary.get(key, 0) + 1
    return JsonResponse({"results": [r.as_dict() for r in results], "summary": summary})
