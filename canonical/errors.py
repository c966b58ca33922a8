"""Domain errors: one small hierarchy with stable codes.

The service layer raises these; the web layer translates them to HTTP in one
place (``mdm.http.errors``). Codes are part of the public API and never change
meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Conflict",
    "DomainError",
    "FieldError",
    "HierarchyCycle",
    "IncompatibleSchema",
    "InvalidInput",
    "NotFound",
    "UnknownEntityType",
    "UnknownSource",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one place in a payload, addressed by a JSON pointer."""

    pointer: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message, "code": self.code}


class DomainError(Exception):
    code = "domain_error"
    errors: list[FieldError]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.errors = []


class NotFound(DomainError):
    code = "not_found"


class UnknownSource(NotFound):
    code = "unknown_source"


class UnknownEntityType(NotFound):
    code = "unknown_entity_type"


class Conflict(DomainError):
    code = "conflict"


class HierarchyCycle(Conflict):
    """A parent that would close a loop in a customer hierarchy."""

    code = "hierarchy_cycle"

    def __init__(self, message: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


class IncompatibleSchema(Conflict):
    """A proposed schema version its subject's compatibility mode refuses; each error's
    ``code`` is the rule and its ``pointer`` the place the change breaks."""

    code = "incompatible_schema"

    def __init__(self, message: str, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


class InvalidInput(DomainError):
    """The payload breaks the canonical model; ``errors`` lists every breach, and
    ``quarantine_id`` names where the rejected payload was kept (if it was)."""

    code = "invalid_record"

    def __init__(
        self, message: str, errors: Sequence[FieldError] = (), *, quarantine_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.errors = list(errors)
        self.quarantine_id = quarantine_id
