"""REST: API keys (admin): list without secrets, create, revoke, rotate."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from canonical.commands import CreateApiKey, RevokeApiKey, RotateApiKey
from mdm.api.schemas.admin import ApiKeys, NewKeyAnswer, Revoked, RotatedKey
from mdm.http.auth import AdminPrincipal, forget_keys
from mdm.http.body import CheckedBodyRoute, RequestBody
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.queries.admin import list_keys

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/keys",
    tags=["keys"],
    route_class=CheckedBodyRoute,
    responses=refusals(401, 403),
)


class NewKey(RequestBody):
    name: str = Field(min_length=1, max_length=100)
    roles: list[str] = Field(min_length=1, max_length=20)


class Rotation(RequestBody):
    grace_hours: float = Field(default=24.0, ge=0, le=720)


@router.get("", response_model=ApiKeys)
async def keys(container: ContainerDep, _: AdminPrincipal) -> JsonResponse:
    return JsonResponse({"keys": await query(container, list_keys)})


@router.post(
    "", status_code=201, response_model=NewKeyAnswer, responses=refusals(400, 409, 413, 415)
)
async def create(body: NewKey, container: ContainerDep, _: AdminPrincipal) -> JsonResponse:
    """A new key; the answer carries its secret, shown this once."""
    secret, info = await dispatch(container, CreateApiKey(body.name, tuple(body.roles)))
    return JsonResponse({"secret": secret, **info}, status_code=201)


@router.post("/{key_id}/revoke", response_model=Revoked, responses=refusals(404, 409, 413))
async def revoke(
    key_id: str, container: ContainerDep, principal: AdminPrincipal, cid: CorrelationId
) -> JsonResponse:
    out = await dispatch(container, RevokeApiKey(key_id, principal.name, cid))
    forget_keys(container)  # this process at once; the others on the change notification
    return JsonResponse(out)


@router.post(
    "/{key_id}/rotate",
    response_model=RotatedKey,
    responses=refusals(400, 404, 409, 413, 415),
)
async def rotate(
    key_id: str,
    body: Rotation,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """A new secret (shown this once) with the same name and roles; the old one keeps
    working for ``grace_hours`` (default 24) so its users can switch."""
    command = RotateApiKey(key_id, principal.name, body.grace_hours, cid)
    out = await dispatch(container, command)
    forget_keys(container)
    return JsonResponse(out)
