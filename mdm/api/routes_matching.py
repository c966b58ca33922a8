"""REST: find matches for a record, train the matcher from steward decisions, and say
which match settings decide now."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from canonical.commands import TrainMatcher
from mdm.http.auth import AdminPrincipal, ReaderPrincipal
from mdm.http.body import read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.responses import JsonResponse
from mdm.queries.admin import settings_in_use
from mdm.queries.matches import find_matches

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["matching"])


class Training(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


@router.post("/match/{entity_type}")
async def match_record(
    entity_type: str,
    request: Request,
    container: ContainerDep,
    principal: ReaderPrincipal,
    source: str | None = None,
) -> JsonResponse:
    """Find matches: the decision an ingest of the posted record would make, stored nowhere.

    ``?source=`` reads the record as that source's (its default region places national
    phone numbers)."""
    body = await read_json(request, container.settings.max_body_bytes)
    pii = principal.has("pii")
    out = await query(
        container,
        lambda uow: find_matches(
            uow, container.matcher, entity_type=entity_type, record=body, pii=pii, source=source
        ),
    )
    return JsonResponse(out)


@router.post("/matching/{entity_type}/train")
async def train_matcher(
    entity_type: str,
    body: Training,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """Refine the match settings from every steward decision so far, store and use them."""
    command = TrainMatcher(entity_type, principal.name, body.reason, cid)
    summary = await dispatch(container, command)
    return JsonResponse(summary | {"in_use": container.matcher.settings_version})


@router.get("/matching/settings")
async def match_settings(container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    """The settings versions deciding now, and the stored trainings."""
    return JsonResponse(await query(container, lambda uow: settings_in_use(uow, container.matcher)))
