"""Who is calling, and what their roles allow.

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

from canonical.errors import FieldError, InvalidInput

__all__ = ["ROLES", "Principal", "expand_roles", "hash_key", "new_secret", "validate_roles"]

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


def expand_roles(roles: Iterable[str]) -> frozenset[str]:
    out = set(roles)
    for role in list(out):
        out |= _IMPLIES.get(role, set())
    return frozenset(out)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return "mdm_" + secrets.token_urlsafe(32)


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
