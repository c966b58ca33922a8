"""REST: find matches for a record, train the matcher (from steward decisions, or from
the hub's own records and the decisions), show the match settings deciding now, and
preview a rematch of the whole hub under proposed settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import Field

from canonical.commands import ApplyRematch, RetrainMatcher, TrainMatcher
from mdm.api.schemas.matching import Matches, Retrained, SettingsInUse, Trained
from mdm.api.schemas.rematch import RematchImpact, RematchRequest
from mdm.domain.rematch import Proposal
from mdm.http.auth import AdminPrincipal, ReaderPrincipal
from mdm.http.body import CheckedBodyRoute, RequestBody, read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.openapi import json_body
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.queries.match_settings import settings_in_use
from mdm.queries.matches import find_matches
from mdm.queries.rematch import preview_rematch

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1", tags=["matching"], route_class=CheckedBodyRoute, responses=refusals(401, 403)
)
_WRITE = refusals(400, 404, 409, 413, 415)


class Training(RequestBody):
    reason: str | None = Field(default=None, max_length=1000)


@router.post(
    "/match/{entity_type}",
    response_model=Matches,
    responses=refusals(400, 404, 413, 415),
    openapi_extra=json_body(dict[str, Any], "The record to find matches for"),
)
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
            uow,
            container.current_matcher(uow),
            entity_type=entity_type,
            record=body,
            pii=pii,
            source=source,
        ),
        lane="heavy",
    )
    return JsonResponse(out)


@router.post(
    "/matching/{entity_type}/train",
    response_model=Trained,
    responses=refusals(
        400, 404, 409, 413, 415, why_409="not_enough_labels: below 20 matches and 20 non-matches"
    ),
)
async def train_matcher(
    entity_type: str,
    body: Training,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """Refine the match settings from every steward decision so far, store and use them
    (in every process). 409 ``not_enough_labels`` below 20 matches and 20 non-matches."""
    command = TrainMatcher(entity_type, principal.name, body.reason, cid)
    summary = await dispatch(container, command)
    return JsonResponse(summary | {"in_use": container.matcher.settings_version})


@router.post(
    "/matching/{entity_type}/retrain",
    response_model=Retrained,
    responses=refusals(400, 404, 409, 413, 415, why_409="Fewer than 100 records to train on"),
)
async def retrain_matcher(
    entity_type: str,
    body: Training,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """Re-estimate u, m and the prior from the hub's own records, refine them with the
    steward decisions if there are 20 of each kind, store and use them (in every
    process). 409 with fewer than 100 records."""
    command = RetrainMatcher(entity_type, principal.name, body.reason, cid)
    summary = await dispatch(container, command)
    return JsonResponse(summary | {"in_use": container.matcher.settings_version})


@router.get("/matching/settings", response_model=SettingsInUse)
async def match_settings(
    container: ContainerDep,
    _: ReaderPrincipal,
    entity_type: Annotated[
        Literal["customer", "product"] | None,
        Query(description="Only this entity type's settings and trainings (default: both)"),
    ] = None,
) -> JsonResponse:
    """The settings deciding now: version, link and review thresholds, prior, blocking
    rules, and each comparison's levels with their m, u and weight (log2(m/u)); and the
    stored trainings, newest first."""
    out = await query(
        container,
        lambda uow: settings_in_use(uow, container.current_matcher(uow), entity_type=entity_type),
    )
    return JsonResponse(out)


@router.post("/matching/{entity_type}/rematch", response_model=RematchImpact, responses=_WRITE)
async def rematch(
    entity_type: str,
    body: RematchRequest,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """Preview a rematch: every record of the type scored again by the batch engine under
    the proposed `settings`, or a stored `version` (neither: the settings in use), compared
    with the golden records of now. Answers counts and samples: golden records that would
    merge or split, review tasks that would open or close, and the steward decisions the
    proposed settings would contradict (approved merges they would split, not-a-match pairs
    they would merge); every steward decision is kept. Nothing is written, unless `apply`:
    then the merges, splits and review tasks are written as one audited change (versions
    and events for every target) and the settings become the ones in use; 409 when a
    steward decided, or a golden record taking part changed, while it ran."""
    if body.apply:
        command = ApplyRematch(
            entity_type, principal.name, body.reason, body.settings, body.version, cid
        )
        return JsonResponse(await dispatch(container, command))
    proposal = Proposal(entity_type, document=body.settings, version=body.version)
    pii, samples = principal.has("pii"), body.samples
    out = await query(
        container,
        lambda uow: preview_rematch(
            uow, container.current_matcher(uow), proposal, samples=samples, pii=pii
        ),
        lane="long",
    )
    return JsonResponse(out)
