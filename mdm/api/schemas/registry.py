"""The schema registry's answers, and the bodies its routes read (``routes_schemas``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "ModeChange",
    "ModeSet",
    "Registration",
    "SchemaCheck",
    "SchemaProposal",
    "Subject",
    "SubjectMode",
    "SubjectVersion",
    "Subjects",
]

Time = str  # ISO 8601, UTC

_REASON = "Why, for the audit log (a text of at most 1,000 characters; anything else is ignored)"
_MODE = "BACKWARD, FORWARD, FULL, their _TRANSITIVE forms, or NONE"


class SubjectMode(BaseModel):
    subject: str = Field(examples=["customer"])
    kind: str = Field(description="entity or event")
    mode: str = Field(description=f"The compatibility mode in force: {_MODE}")
    mode_is_default: bool = Field(description="The kind's default (no mode was set)")


class SubjectSummary(SubjectMode):
    version: int | None = Field(description="The newest version")
    entity_type: str | None = Field(default=None, description="An entity subject's type")


class Subjects(BaseModel):
    schemas: list[SubjectSummary] = Field(description="Canonical entity types")
    events: list[SubjectSummary] = Field(description="Golden event types")


class VersionMeta(BaseModel):
    version: int
    fingerprint: str
    derived_from: str | None = Field(description="The version of another subject it derives")
    registered_by: str
    registered_at: Time | None


class Subject(SubjectMode):
    latest: int | None
    versions: list[VersionMeta] = Field(description="Oldest first")
    schema_: dict[str, Any] | None = Field(
        alias="schema", description="The newest version's JSON Schema document"
    )


class SubjectVersion(SubjectMode, VersionMeta):
    schema_: dict[str, Any] = Field(alias="schema", description="The JSON Schema document")


class Registered(BaseModel):
    subject: str
    kind: str
    version: int
    fingerprint: str
    mode: str
    created: bool = Field(description="false: the same document was registered already")
    derived_from: str | None


class Registration(Registered):
    derived: list[Registered] = Field(description="Event revisions derived from this version")


class Incompatibility(BaseModel):
    subject: str
    rule: str = Field(examples=["property_removed_from_closed_model"])
    pointer: str
    message: str
    breaks: list[str] = Field(description="Who it breaks: readers, writers")
    against_version: int
    location: str


class SchemaCheck(Registration):
    compatible: bool
    incompatibilities: list[Incompatibility]


class ModeSet(BaseModel):
    subject: str
    mode: str
    default: bool = Field(description="The mode returned to the kind's default")


class SchemaProposal(BaseModel):
    """A JSON Schema (2020-12) document for the subject, and why."""

    schema_: dict[str, Any] = Field(alias="schema")
    reason: Any = Field(default=None, description=_REASON, json_schema_extra={"maxLength": 1000})


class ModeChange(BaseModel):
    """The compatibility mode, or null for the kind's default."""

    mode: str | None = Field(description=_MODE, examples=["FULL_TRANSITIVE"])
    reason: Any = Field(default=None, description=_REASON, json_schema_extra={"maxLength": 1000})
