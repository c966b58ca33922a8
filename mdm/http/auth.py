"""Bearer-key authentication and role checks, as FastAPI dependencies.

``Authorization: Bearer <key>``; a missing or unknown key is 401, a key
without the role is 403, and both happen before any work is done. Lookups are
cached briefly in-process (by key hash, never the secret) so a read does not
pay a query for its key.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from mdm.bootstrap import Container
from mdm.domain.principal import Principal, hash_key
from mdm.http.errors import ApiError
from mdm.queries.admin import find_principal

__all__ = [
    "AdminPrincipal",
    "ReaderPrincipal",
    "StewardPrincipal",
    "authenticate",
    "require_role",
]

_CACHE_SECONDS = 30.0


async def authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthenticated", "send 'Authorization: Bearer <api key>'")
    secret = secret.strip()
    container: Container = request.app.state.container
    cache: dict[str, tuple[float, Principal | None]] = container.extras.setdefault("auth_cache", {})
    digest = hash_key(secret)
    now = time.monotonic()
    hit = cache.get(digest)
    if hit and now - hit[0] < _CACHE_SECONDS:
        principal = hit[1]
    else:
        principal = await run_in_threadpool(
            container.bus.query, lambda uow: find_principal(uow, secret)
        )
        if len(cache) > 10_000:
            cache.clear()
        cache[digest] = (now, principal)
    if principal is None:
        raise ApiError(401, "unauthenticated", "unknown or revoked API key")
    request.state.principal = principal
    return principal


def require_role(role: str) -> Callable[..., Awaitable[Principal]]:
    async def _check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.has(role):
            raise ApiError(403, "forbidden", f"this action needs the '{role}' role")
        return principal

    return _check


ReaderPrincipal = Annotated[Principal, Depends(require_role("reader"))]
StewardPrincipal = Annotated[Principal, Depends(require_role("steward"))]
AdminPrincipal = Annotated[Principal, Depends(require_role("admin"))]
AnyPrincipal = Annotated[Principal, Depends(authenticate)]
