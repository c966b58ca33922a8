"""REST: transactional events in. Sources post canonical events (with their API key, or
signed per Standard Webhooks), Stripe posts its own events, admins set webhook secrets.

A signed request needs no key: the signature, made with the secret set for the source
(``PUT /api/v1/sources/{source}/webhook``), proves who sent it. Every refusal of a
signature is 401 and writes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request

from canonical.commands import PutWebhookSecret, RecordEvents
from canonical.errors import FieldError, InvalidInput
from contracts.inbound import (
    SignatureError,
    StripeEventError,
    canonical_events,
    verify_standard,
    verify_stripe,
)
from mdm.api.schemas.ingest import (
    EventBatchAnswer,
    EventOutcome,
    StripeAnswer,
    WebhookSecret,
    WebhookSecretAnswer,
)
from mdm.bootstrap import Container
from mdm.domain.transactional import EventResult
from mdm.http.auth import BEARER, AdminPrincipal, authenticate
from mdm.http.body import CheckedBodyRoute, parse_json, read_body
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.errors import ApiError
from mdm.http.openapi import json_body
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.queries.transactional import webhook_secrets

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1", tags=["events"], route_class=CheckedBodyRoute, responses=refusals(401, 403)
)
_WRITE = refusals(400, 404, 409, 413, 415)
_EVENTS = (
    "One transactional event, or an array of up to 1,000 (each reported on its own; 413 past 1,000)"
)

_SECRET_CACHE_S = 30.0
_CACHE = "webhook_secrets"


async def _secrets(container: Container, source: str, scheme: str) -> list[str]:
    """The secrets ``source`` signs ``scheme`` webhooks with, cached briefly (a PUT of the
    secret clears this process's entry)."""
    cache: dict[str, tuple[float, Any]] = container.extras.setdefault(_CACHE, {})
    hit = cache.get(source)
    if hit is None or container.clock.monotonic() - hit[0] > _SECRET_CACHE_S:
        found = await query(
            container,
            lambda uow: (
                webhook_secrets(uow, source, container.sealer, now=uow.clock.now())
                if uow.sources.exists(source)
                else None
            ),
        )
        hit = cache[source] = (container.clock.monotonic(), found)
    found = hit[1]
    if found is None or found[0] != scheme:
        raise ApiError(401, "unauthenticated", f"source '{source}' has no {scheme} webhook secret")
    secrets: list[str] = found[1]
    return secrets


def _refused(exc: SignatureError) -> ApiError:
    return ApiError(401, exc.code, exc.message)


def _signed(request: Request) -> bool:
    """A request with Standard Webhooks headers and no API key is verified by signature."""
    return "webhook-signature" in request.headers and "authorization" not in request.headers


async def _check_key(request: Request, source: str) -> None:
    principal = await authenticate(request)
    if not principal.may_write_source(source):
        raise ApiError(403, "forbidden", f"this key may not write events of source '{source}'")


async def _check_signature(
    request: Request, container: Container, source: str, body: bytes
) -> None:
    secrets = await _secrets(container, source, "standard-webhooks")
    headers = request.headers
    try:
        verify_standard(
            secrets,
            msg_id=headers.get("webhook-id"),
            timestamp=headers.get("webhook-timestamp"),
            signature=headers.get("webhook-signature"),
            body=body,
            now=container.clock.now().timestamp(),
        )
    except SignatureError as exc:
        raise _refused(exc) from exc


def _rejection(result: EventResult) -> InvalidInput:
    errors = [FieldError(e["pointer"], e["message"], e["code"]) for e in result.errors]
    kept = "; it was kept in quarantine" if result.quarantine_id else ""
    return InvalidInput(
        f"the event breaks its canonical schema ({len(errors)} error(s)){kept}",
        errors,
        quarantine_id=result.quarantine_id,
    )


def _answer(body: Any, results: list[EventResult]) -> JsonResponse:
    if not isinstance(body, list):
        [result] = results
        if result.status == "rejected":
            raise _rejection(result)
        return JsonResponse(result.as_dict())
    summary = Counter(r.status for r in results)
    return JsonResponse({"results": [r.as_dict() for r in results], "summary": dict(summary)})


@router.post(
    "/sources/{source}/events",
    response_model=EventOutcome | EventBatchAnswer,
    responses=_WRITE,
    openapi_extra=BEARER | json_body(dict[str, Any] | list[Any], _EVENTS),
)
async def post_events(
    source: str, request: Request, container: ContainerDep, cid: CorrelationId
) -> JsonResponse:
    """One canonical event, or an array of up to ``MDM_MAX_BATCH_ITEMS`` (1,000): one
    result each (``stored``, ``duplicate``, ``parked``, ``stale`` or ``rejected`` with the
    errors and the quarantine id). A single invalid event is 422."""
    signed = _signed(request)
    if not signed:
        await _check_key(request, source)
    body_bytes = await read_body(request, container.settings.max_body_bytes)
    if signed:
        await _check_signature(request, container, source, body_bytes)
    body = parse_json(body_bytes)
    events = body if isinstance(body, list) else [body]
    if len(events) > container.settings.max_batch_items:
        raise ApiError(
            413,
            "batch_too_large",
            f"a batch holds at most {container.settings.max_batch_items} events, got {len(events)}",
        )
    origin = "webhook" if signed else "api"
    results = await dispatch(container, RecordEvents(source, tuple(events), cid, origin=origin))
    return _answer(body, results)


@router.post(
    "/webhooks/stripe/{source}",
    response_model=StripeAnswer,
    responses=_WRITE,
    openapi_extra=BEARER | json_body(dict[str, Any], "A Stripe event, as Stripe sends it"),
)
async def stripe_webhook(
    source: str, request: Request, container: ContainerDep, cid: CorrelationId
) -> JsonResponse:
    """A Stripe Event, verified by its ``Stripe-Signature`` with the source's secret and
    mapped to canonical events (see :mod:`contracts.inbound.stripe`); a type the mapping
    does not take is acknowledged and ignored."""
    body_bytes = await read_body(request, container.settings.max_body_bytes)
    secrets = await _secrets(container, source, "stripe")
    try:
        verify_stripe(
            secrets,
            header=request.headers.get("stripe-signature"),
            body=body_bytes,
            now=container.clock.now().timestamp(),
        )
    except SignatureError as exc:
        raise _refused(exc) from exc
    stripe_event = parse_json(body_bytes)
    refused: tuple[tuple[Any, tuple[FieldError, ...]], ...] = ()
    try:
        events = canonical_events(stripe_event)
    except StripeEventError as exc:
        events, refused = [], ((stripe_event, (FieldError(exc.pointer or "/", exc.message),)),)
    received = stripe_event.get("id") if isinstance(stripe_event, dict) else None
    if not events and not refused:
        return JsonResponse({"received": received, "ignored": True, "results": []})
    command = RecordEvents(source, tuple(events), cid, origin="stripe", refused=refused)
    results: list[EventResult] = await dispatch(container, command)
    rejected = next((r for r in results if r.status == "rejected"), None)
    if rejected is not None:
        raise _rejection(rejected)
    return JsonResponse({"received": received, "results": [r.as_dict() for r in results]})


@router.put(
    "/sources/{source}/webhook",
    response_model=WebhookSecretAnswer,
    responses={
        201: {"model": WebhookSecretAnswer, "description": "The first secret of the source"},
        **_WRITE,
    },
    openapi_extra=json_body(WebhookSecret, WebhookSecret.__doc__ or ""),
)
async def put_webhook(
    source: str,
    request: Request,
    container: ContainerDep,
    principal: AdminPrincipal,
    cid: CorrelationId,
) -> JsonResponse:
    """``{"scheme": "stripe" | "standard-webhooks", "secret": "whsec_..."}``: stored
    encrypted, never answered; the secret it replaces verifies for 24 hours more."""
    body = parse_json(await read_body(request, container.settings.max_body_bytes))
    if not isinstance(body, dict) or set(body) - {"scheme", "secret"}:
        raise ApiError(422, "invalid_webhook", 'send {"scheme": ..., "secret": ...} only')
    scheme, secret = body.get("scheme"), body.get("secret")
    for name, value in (("scheme", scheme), ("secret", secret)):
        if not isinstance(value, str) or not value:
            raise InvalidInput(
                f"'{name}' is required", [FieldError(f"/{name}", "a string", "required")]
            )
    command = PutWebhookSecret(source, str(scheme), str(secret), principal.name, cid)
    out: dict[str, Any] = await dispatch(container, command)
    container.extras.get(_CACHE, {}).pop(source, None)
    return JsonResponse(out, status_code=201 if out.pop("created") else 200)
