"""Use case: issue an API key. The secret is returned once; only its hash is stored."""

from __future__ import annotations

from typing import Any

from canonical.commands import CreateApiKey
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_state import new_id
from mdm.domain.principal import hash_key, new_secret, validate_roles

__all__ = ["handle"]


def handle(cmd: CreateApiKey, uow: UnitOfWork) -> tuple[str, dict[str, Any]]:
    """The secret and the key's public description. A given secret that is already
    stored is kept as it is (starting twice with MDM_ADMIN_API_KEY makes one key)."""
    roles = validate_roles(cmd.roles)
    secret = cmd.secret or new_secret()
    digest = hash_key(secret)
    row: dict[str, Any] = {
        "id": new_id(),
        "name": cmd.name,
        "prefix": secret[:10],
        "key_hash": digest,
        "roles": roles,
        "created_at": uow.clock.now(),
    }
    existing = uow.api_keys.by_hash(digest, active=False)
    if existing is None:
        uow.api_keys.add(row)
    else:
        row = existing
    return secret, {k: row[k] for k in ("id", "name", "prefix", "roles")}
