"""Use cases: revoke an API key, or rotate it (a new secret, the old one valid for a grace
period so its users can switch without an outage). Both reach every process at once:
keys are looked up per request, and PostgreSQL deployments that cache lookups drop
their cache on the notification these changes send."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from canonical.commands import CreateApiKey, RecordKeyUse, RevokeApiKey, RotateApiKey
from canonical.errors import Conflict, FieldError, InvalidInput, NotFound
from mdm.db.uow import UnitOfWork
from mdm.handlers import create_api_key

__all__ = ["record_use", "revoke", "rotate"]

MAX_GRACE_HOURS = 24 * 30


def _active(uow: UnitOfWork, key_id: str) -> dict[str, Any]:
    row = uow.api_keys.get(key_id)
    if row is None:
        raise NotFound(f"no API key '{key_id}'")
    if row["revoked_at"] is not None:
        raise Conflict(f"API key '{key_id}' was already revoked")
    return row


def revoke(cmd: RevokeApiKey, uow: UnitOfWork) -> dict[str, Any]:
    row = _active(uow, cmd.key_id)
    now = uow.clock.now()
    uow.api_keys.revoke(cmd.key_id, now)
    uow.audit.record(
        actor=cmd.actor,
        action="key_revoked",
        target_id=cmd.key_id,
        detail={"name": row["name"]},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {"id": cmd.key_id, "revoked": True}


def rotate(cmd: RotateApiKey, uow: UnitOfWork) -> dict[str, Any]:
    if not 0 <= cmd.grace_hours <= MAX_GRACE_HOURS:
        raise InvalidInput(
            "grace_hours out of range",
            [FieldError("/grace_hours", f"between 0 and {MAX_GRACE_HOURS}", "range")],
        )
    row = _active(uow, cmd.key_id)
    if row["rotated_to"] is not None:
        raise Conflict(f"API key '{cmd.key_id}' was already rotated to '{row['rotated_to']}'")
    secret, info = create_api_key.handle(CreateApiKey(row["name"], tuple(row["roles"])), uow)
    now = uow.clock.now()
    until = now + timedelta(hours=cmd.grace_hours)
    uow.api_keys.expire(cmd.key_id, at=until, replaced_by=info["id"])
    uow.audit.record(
        actor=cmd.actor,
        action="key_rotated",
        target_id=cmd.key_id,
        detail={"name": row["name"], "new_key": info["id"], "old_valid_until": until.isoformat()},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {"secret": secret, **info, "replaces": cmd.key_id, "old_valid_until": until}


def record_use(cmd: RecordKeyUse, uow: UnitOfWork) -> None:
    uow.api_keys.touch(cmd.key_id, cmd.at)
