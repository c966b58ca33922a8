"""Bearer-key authentication and role checks, as FastAPI dependencies.

``Authorization: Bearer <key>``; a missing, unknown, revoked or expired key is 401,
a key without the role is 403, and both happen before any work is done. A revoked
key is refused by every process at once: a process caches lookups (by key hash, never
the secret) only while it would hear of a change. On PostgreSQL that is while its
listener for key changes is connected; any change to any key empties every process's
cache. On a SQLite file, an entry is trusted only while SQLite's data version has not
moved since just before the entry was looked up (:mod:`mdm.db.sqlite_changes`): any
commit by any process, to keys or anything else, sends the next lookup to the database.
An in-memory database is looked up per request. A cached answer is read on the event
loop (one ``PRAGMA data_version`` on SQLite); a lookup that needs the table runs on the
process's read threads (:mod:`mdm.http.threads`), never on the event loop.
``last_used_at`` is recorded about once a minute per key and process.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from canonical.commands import RecordKeyUse
from mdm.bootstrap import Container
from mdm.db.notify import Subscription, subscribe
from mdm.db.repositories.admin import KEYS_CHANNEL
from mdm.db.sqlite_changes import sqlite_changes
from mdm.domain.principal import Principal, expand_roles, hash_key
from mdm.http.errors import ApiError
from mdm.http.middleware import request_var
from mdm.http.threads import read_lanes
from mdm.queries.admin import find_key

__all__ = [
    "BEARER",
    "AdminPrincipal",
    "AnyPrincipal",
    "KeyCache",
    "ReaderPrincipal",
    "StewardPrincipal",
    "authenticate",
    "forget_keys",
    "require_role",
]

_TOUCH_SECONDS = 60.0
_MAX_ENTRIES = 10_000


class KeyCache:
    """Key lookups for one process (see the module docstring for when it caches)."""

    def __init__(self, container: Container) -> None:
        self.container = container
        # digest -> (looked up at, principal, expires at, SQLite data version before)
        self._entries: dict[str, tuple[float, Principal | None, float | None, int | None]] = {}
        self._lock = threading.Lock()
        self._subscription: Subscription | None = None
        self._changes = sqlite_changes(container.engine)
        if container.engine.dialect.name == "postgresql":
            self._subscription = subscribe(container.engine, KEYS_CHANNEL, self.clear)
            self._subscription.wait_live(5.0)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def cached(self, secret: str) -> tuple[bool, Principal | None]:
        """``(True, principal)`` while this process may trust its cached lookup of the key
        (the principal None for an unknown key), else ``(False, None)``. No table is read:
        on SQLite one ``PRAGMA data_version`` of microseconds, so the event loop may ask
        and leave only a miss to a read thread."""
        version = self._changes.version() if self._changes is not None else None
        return self._hit(hash_key(secret), version)

    def _hit(self, digest: str, version: int | None) -> tuple[bool, Principal | None]:
        trusted = version is not None or (
            self._subscription is not None and self._subscription.live()
        )
        hit = self._entries.get(digest) if trusted else None
        now = self.container.clock.monotonic()
        if hit is not None and hit[3] == version and now - hit[0] < _TOUCH_SECONDS:
            expires = hit[2]
            if expires is None or expires > self.container.clock.now().timestamp():
                return True, hit[1]
        return False, None

    def lookup(self, secret: str) -> Principal | None:
        """The key's principal (blocking: call from a worker thread)."""
        digest = hash_key(secret)
        now = self.container.clock.monotonic()
        # read before the lookup: a commit after it moves the version past this entry
        version = self._changes.version() if self._changes is not None else None
        trusted = version is not None or (
            self._subscription is not None and self._subscription.live()
        )
        found, principal = self._hit(digest, version)
        if found:
            return principal
        row: dict[str, Any] | None = self.container.bus.query(lambda uow: find_key(uow, digest))
        principal = None
        if row is not None:
            principal = Principal(row["id"], row["name"], expand_roles(row["roles"]))
            self._touch(row)
        if trusted:
            expires = row["expires_at"].timestamp() if row and row["expires_at"] else None
            with self._lock:
                if len(self._entries) > _MAX_ENTRIES:
                    self._entries.clear()
                self._entries[digest] = (now, principal, expires, version)
        return principal

    def _touch(self, row: dict[str, Any]) -> None:
        last = row["last_used_at"]
        at = self.container.clock.now()
        if last is None or (at - last).total_seconds() > _TOUCH_SECONDS:
            self.container.bus.handle(RecordKeyUse(row["id"], at))


_CACHE_LOCK = threading.Lock()


def _cache(container: Container) -> KeyCache:
    cache: KeyCache | None = container.extras.get("key_cache")
    if cache is None:
        with _CACHE_LOCK:
            cache = container.extras.get("key_cache")
            if cache is None:
                cache = container.extras["key_cache"] = KeyCache(container)
    return cache


def forget_keys(container: Container) -> None:
    """Drop this process's cached key lookups (after it changed a key itself)."""
    cache: KeyCache | None = container.extras.get("key_cache")
    if cache is not None:
        cache.clear()


async def authenticate(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthenticated", "send 'Authorization: Bearer <api key>'")
    container: Container = request.app.state.container
    cache = _cache(container)
    found, principal = cache.cached(secret.strip())
    if not found:  # looked up on a read thread, never on the event loop
        principal = await read_lanes(container).light.run(cache.lookup, secret.strip())
    if principal is None:
        raise ApiError(401, "unauthenticated", "unknown or revoked API key")
    request.state.principal = principal
    served = request_var.get()
    if served is not None:
        served["actor"] = principal.name
    return principal


# The key as /openapi.json declares it (the ``bearer`` security scheme, on every route
# that depends on a principal); parsing it stays ``authenticate``'s, which refuses
# with the API's own 401.
_bearer = HTTPBearer(
    scheme_name="bearer",
    description="An API key: `mdm keys create --role reader` (or POST /api/v1/keys)",
    auto_error=False,
)
# ``openapi_extra`` of a route that reads the key itself (a signed webhook needs none,
# ``/graphql`` refuses in its own shape)
BEARER: dict[str, Any] = {"security": [{"bearer": []}]}


async def _authenticated(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    return await authenticate(request)


def require_role(role: str) -> Callable[..., Awaitable[Principal]]:
    # one dependency, not one on top of ``_authenticated``: each level costs FastAPI's
    # dependency solving on every request
    async def _check(
        request: Request,
        _: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> Principal:
        principal = await authenticate(request)
        if not principal.has(role):
            raise ApiError(403, "forbidden", f"this action needs the '{role}' role")
        return principal

    return _check


ReaderPrincipal = Annotated[Principal, Depends(require_role("reader"))]
StewardPrincipal = Annotated[Principal, Depends(require_role("steward"))]
AdminPrincipal = Annotated[Principal, Depends(require_role("admin"))]
AnyPrincipal = Annotated[Principal, Depends(_authenticated)]
