"""REST: the schema registry (canonical entity types and golden event types).

``GET /api/v1/schemas/{subject}`` answers the subject's versions with the newest
document embedded as ``schema``; before the registry it answered the document itself,
so a reader of the old shape reads ``["schema"]`` (or ``/{subject}/latest``, which
answers the newest version with its document).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from canonical.commands import RegisterSchema, SetSchemaMode
from canonical.errors import FieldError, InvalidInput
from canonical.registry import parse_mode
from mdm.api.schemas.registry import (
    ModeChange,
    ModeSet,
    Registration,
    SchemaCheck,
    SchemaProposal,
    Subject,
    SubjectMode,
    Subjects,
    SubjectVersion,
)
from mdm.http.auth import AdminPrincipal, ReaderPrincipal
from mdm.http.body import CheckedBodyRoute, read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.errors import ApiError
from mdm.http.openapi import json_body
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.queries.schemas import check_schema, get_subject, get_version, list_subjects

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/schemas",
    tags=["schemas"],
    route_class=CheckedBodyRoute,
    responses=refusals(401, 403),
)
_WRITE = refusals(400, 404, 409, 413, 415)


def _proposal(body: Any) -> tuple[Any, str | None]:
    if not isinstance(body, dict) or "schema" not in body:
        raise InvalidInput(
            'expected {"schema": <JSON Schema document>, "reason": "..."}',
            [FieldError("/schema", "the proposed schema is required", "required")],
        )
    return body["schema"], _reason(body)


MAX_REASON = 1000  # the audit log's reason column


def _reason(body: dict[str, Any]) -> str | None:
    """The body's ``reason``: a text of at most 1,000 characters, or None."""
    reason = body.get("reason")
    if not isinstance(reason, str):
        return None
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            f"reason is longer than {MAX_REASON} characters",
            [FieldError("/reason", f"at most {MAX_REASON} characters", "too_long")],
        )
    return reason


@router.get("", response_model=Subjects)
async def subjects(container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    return JsonResponse(await query(container, list_subjects))


@router.get("/{subject}", response_model=Subject, responses=refusals(404))
async def subject(subject: str, container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    """Every version (oldest first) and the newest document as ``schema``."""
    return JsonResponse(await query(container, lambda uow: get_subject(uow, subject)))


@router.post(
    "/{subject}",
    response_model=Registration,
    responses={
        201: {"model": Registration, "description": "Registered as the next version"},
        **refusals(
            400,
            404,
            409,
            413,
            415,
            why_409="Incompatible under the subject's mode: errors name each rule and pointer",
        ),
    },
    response_description="The same document was registered already",
    openapi_extra=json_body(SchemaProposal, "The JSON Schema to register as the next version"),
)
async def register(
    subject: str,
    request: Request,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """Register the next version: 201 with it, 200 when the same document is already
    registered, 409 naming each rule and JSON pointer it breaks, 422 when malformed."""
    document, reason = _proposal(await read_json(request, container.settings.max_body_bytes))
    out = await dispatch(container, RegisterSchema(subject, document, principal.name, reason, cid))
    return JsonResponse(out, status_code=201 if out["created"] else 200)


@router.post(
    "/{subject}/check",
    response_model=SchemaCheck,
    responses=_WRITE,
    openapi_extra=json_body(SchemaProposal, "The JSON Schema to check against the versions"),
)
async def check(
    subject: str,
    request: Request,
    container: ContainerDep,
    _: ReaderPrincipal,
    mode: str | None = Query(None, description="check under this mode instead"),
) -> JsonResponse:
    """The registration's outcome without registering: ``compatible`` and every refusal."""
    document, _reason = _proposal(await read_json(request, container.settings.max_body_bytes))
    try:
        wanted = parse_mode(mode)
    except ValueError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    out = await query(container, lambda uow: check_schema(uow, subject, document, mode=wanted))
    return JsonResponse(out)


@router.get("/{subject}/mode", response_model=SubjectMode, responses=refusals(404))
async def get_mode(subject: str, container: ContainerDep, _: ReaderPrincipal) -> JsonResponse:
    out = await query(container, lambda uow: get_subject(uow, subject))
    return JsonResponse({k: out[k] for k in ("subject", "kind", "mode", "mode_is_default")})


@router.put(
    "/{subject}/mode",
    response_model=ModeSet,
    responses=_WRITE,
    openapi_extra=json_body(ModeChange, ModeChange.__doc__ or ""),
)
async def put_mode(
    subject: str,
    request: Request,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """``{"mode": "FULL_TRANSITIVE"}``; ``{"mode": null}`` returns to the kind's default."""
    body = await read_json(request, container.settings.max_body_bytes)
    if not isinstance(body, dict) or "mode" not in body:
        raise InvalidInput('expected {"mode": ...}', [FieldError("/mode", "required", "required")])
    command = SetSchemaMode(subject, body["mode"], principal.name, _reason(body), cid)
    return JsonResponse(await dispatch(container, command))


@router.get("/{subject}/{version}", response_model=SubjectVersion, responses=refusals(404))
async def version(
    subject: str, version: str, container: ContainerDep, _: ReaderPrincipal
) -> JsonResponse:
    """One version with its document; ``latest`` names the newest."""
    if version == "latest":
        number = None
    elif version.isascii() and version.isdigit():  # not "²", which int() refuses
        number = int(version)
    else:
        raise ApiError(404, "not_found", f"'{version}' is not a version number or 'latest'")
    return JsonResponse(await query(container, lambda uow: get_version(uow, subject, number)))
