"""Use cases: register a source system by name; change its default region."""

from __future__ import annotations

import re

from canonical.commands import RegisterSource, UpdateSource
from canonical.errors import Conflict, FieldError, InvalidInput, UnknownSource
from matching.standardize import is_region
from mdm.db.uow import UnitOfWork

__all__ = [
    "SOURCE_NAME",
    "VALIDATION_MODES",
    "check_default_region",
    "check_source_name",
    "check_validation",
    "handle",
    "update",
]

VALIDATION_MODES = ("lenient", "strict")

SOURCE_NAME = re.compile(r"[a-z][a-z0-9_-]{1,63}")


def check_source_name(name: object) -> str:
    """A source name is lower-case letters, digits, '_' and '-', 2 to 64 long.

    The whole name must match (``fullmatch``: a ``$`` would let a trailing newline in).
    """
    if not isinstance(name, str) or not SOURCE_NAME.fullmatch(name):
        raise InvalidInput(
            "name must match ^[a-z][a-z0-9_-]{1,63}$",
            [FieldError("/name", "invalid source name", "pattern")],
        )
    return name


def check_default_region(region: object) -> str | None:
    """None, or an ISO 3166 alpha-2 country code (any case; stored upper case)."""
    if region is None:
        return None
    code = region.strip().upper() if isinstance(region, str) else ""
    if not is_region(code):
        raise InvalidInput(
            "default_region must be an ISO 3166 alpha-2 country code such as 'US' or 'DE'",
            [FieldError("/default_region", "not an ISO 3166 alpha-2 country code", "region")],
        )
    return code


MAX_DESCRIPTION = 300


def check_description(description: str) -> str:
    """The description as given: one longer than its column is refused, not cut."""
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description is longer than {MAX_DESCRIPTION} characters",
            [FieldError("/description", f"at most {MAX_DESCRIPTION} characters", "too_long")],
        )
    return description


def check_validation(mode: object) -> str:
    """``lenient`` or ``strict``."""
    if mode not in VALIDATION_MODES:
        raise InvalidInput(
            "validation must be 'lenient' or 'strict'",
            [FieldError("/validation", "must be 'lenient' or 'strict'", "enum")],
        )
    return str(mode)


def handle(cmd: RegisterSource, uow: UnitOfWork) -> dict[str, str | None]:
    name = check_source_name(cmd.name)
    region = check_default_region(cmd.default_region)
    mode = check_validation(cmd.validation)
    if uow.sources.exists(name):
        raise Conflict(f"source '{name}' is already registered")
    description = check_description(cmd.description)
    uow.sources.add(
        {
            "name": name,
            "description": description,
            "created_at": uow.clock.now(),
            "default_region": region,
            "validation": mode,
        }
    )
    return {
        "name": name,
        "description": description,
        "default_region": region,
        "validation": mode,
    }


def update(cmd: UpdateSource, uow: UnitOfWork) -> dict[str, str | None]:
    region = check_default_region(cmd.default_region) if cmd.change_region else None
    mode = check_validation(cmd.validation) if cmd.validation is not None else None
    row = uow.sources.get(cmd.name) if isinstance(cmd.name, str) else None
    if row is None:
        raise UnknownSource(f"unknown source '{cmd.name}'; register it first")
    if cmd.change_region:
        uow.sources.set_default_region(cmd.name, region)
    if mode is not None:
        uow.sources.set_validation(cmd.name, mode)
    return {
        "name": cmd.name,
        "description": row["description"],
        "default_region": region if cmd.change_region else row["default_region"],
        "validation": mode or row["validation"],
    }
