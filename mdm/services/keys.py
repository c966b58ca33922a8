"""API keys and roles.

Roles: ``reader`` reads; ``steward`` reads and decides merges; ``admin``
governs (sources, schemas, rules, keys) and may do everything; ``pii`` unmasks
personal data in reads; ``source:<name>`` may write only that source's
records. Keys are random 256-bit secrets; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from canonical.errors import FieldError, InvalidInput
from mdm.db.tables import ApiKeyRow
from mdm.db.types import utcnow
from mdm.services.golden import new_id
from mdm.services.uow import UnitOfWork

__all__ = ["ROLES", "Principal", "count_admin_keys", "create_key", "find_principal", "hash_key"]

AK = ApiKeyRow.__table__  # type: ignore[attr-defined]
ROLES = ("reader", "steward", "admin", "pii")
_SOURCE_ROLE = re.compile(r"^source:[a-z][a-z0-9_-]{1,63}$")
_IMPLIES = {"admin": {"steward", "reader", "pii"}, "steward": {"reader"}}


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    name: str
    roles: frozenset[str]

    def has(self, role: str) -> bool:
        return role in self.roles or "admin" in self.roles

    def may_write_source(self, source: str) -> bool:
        return "admin" in self.roles or f"source:{source}" in self.roles


def _expand(roles: Iterable[str]) -> frozenset[str]:
    out = set(roles)
    for role in list(out):
        out |= _IMPLIES.get(role, set())
    return frozenset(out)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def validate_roles(roles: Iterable[str]) -> list[str]:
    roles = list(roles)
    bad = [r for r in roles if r not in ROLES and not _SOURCE_ROLE.match(r)]
    if bad or not roles:
        raise InvalidInput(
            "unknown role",
            [
                FieldError(
                    "/roles",
                    f"roles must be among {', '.join(ROLES)} or source:<name>;"
                    f" got {', '.join(bad) or 'none'}",
                    "enum",
                )
            ],
        )
    return roles


def create_key(
    uow: UnitOfWork, *, name: str, roles: Iterable[str], secret: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Store a new key; returns the secret (shown once) and its public description."""
    roles = validate_roles(roles)
    secret = secret or "mdm_" + secrets.token_urlsafe(32)
    row = {
        "id": new_id(),
        "name": name,
        "prefix": secret[:10],
        "key_hash": hash_key(secret),
        "roles": roles,
        "created_at": utcnow(),
    }
    existing = uow.conn.execute(select(AK.c.id).where(AK.c.key_hash == row["key_hash"])).first()
    if existing is None:
        uow.conn.execute(insert(AK), [row])
    return secret, {k: row[k] for k in ("id", "name", "prefix", "roles")}


def find_principal(uow: UnitOfWork, secret: str) -> Principal | None:
    row = (
        uow.conn.execute(
            select(AK).where(AK.c.key_hash == hash_key(secret), AK.c.revoked_at.is_(None))
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return Principal(row["id"], row["name"], _expand(row["roles"]))


def count_admin_keys(uow: UnitOfWork) -> int:
    rows = uow.conn.execute(select(AK.c.roles).where(AK.c.revoked_at.is_(None))).all()
    return sum(1 for (roles,) in rows if "admin" in roles)
