"""Use case: register a source system by name."""

from __future__ import annotations

import re

from canonical.commands import RegisterSource
from canonical.errors import Conflict, FieldError, InvalidInput
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork

__all__ = ["SOURCE_NAME", "check_source_name", "handle"]

SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


def check_source_name(name: object) -> str:
    """A source name is lower-case letters, digits, '_' and '-', 2 to 64 long."""
    if not isinstance(name, str) or not SOURCE_NAME.match(name):
        raise InvalidInput(
            "name must match ^[a-z][a-z0-9_-]{1,63}$",
            [FieldError("/name", "invalid source name", "pattern")],
        )
    return name


def handle(cmd: RegisterSource, uow: UnitOfWork) -> dict[str, str]:
    name = check_source_name(cmd.name)
    if uow.sources.exists(name):
        raise Conflict(f"source '{name}' is already registered")
    description = cmd.description[:300]
    uow.sources.add({"name": name, "description": description, "created_at": utcnow()})
    return {"name": name, "description": description}
