"""The operator's reads and writes: sources, quarantine, the event feed and API keys
(``routes_admin``, ``routes_keys``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mdm.http.refusals import FieldError

__all__ = [
    "ApiKey",
    "ApiKeys",
    "Discarded",
    "EventFeed",
    "NewKeyAnswer",
    "QuarantinePage",
    "Quarantined",
    "Resubmission",
    "Revoked",
    "RotatedKey",
    "Source",
    "SourceChange",
    "SourceList",
    "SourceRegistration",
]

Time = str  # ISO 8601, UTC

_REGION = (
    "ISO 3166 alpha-2 country national phone numbers are read in when a record's address names none"
)
_VALIDATION = (
    "lenient (default): a record whose only faults are malformed optional values is taken "
    "in without them, each kept as a data-quality issue; strict: refused"
)


def _unchanged(schema: dict[str, Any]) -> None:
    """A field a PATCH may leave out has no default: left out, it is left as it is."""
    schema.pop("default", None)


class Source(BaseModel):
    name: str
    description: str
    default_region: str | None = Field(description=_REGION)
    validation: str = Field(description=_VALIDATION, examples=["lenient"])


class SourceList(BaseModel):
    sources: list[Source]


class SourceRegistration(BaseModel):
    """The source system to register."""

    name: str = Field(pattern="^[a-z][a-z0-9_-]{1,63}$", examples=["hubspot"])
    description: Any = Field(default="", description="kept up to its first 300 characters")
    default_region: str | None = Field(default=None, pattern="^[A-Za-z]{2}$", description=_REGION)
    validation: Literal["lenient", "strict"] = Field(default="lenient", description=_VALIDATION)


class SourceChange(BaseModel):
    """The source's new default region (null clears it) and/or validation mode."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    default_region: str | None = Field(
        default=None, pattern="^[A-Za-z]{2}$", description=_REGION, json_schema_extra=_unchanged
    )
    validation: Literal["lenient", "strict"] = Field(
        default=None,  # type: ignore[arg-type]  # absent: unchanged (never null)
        description=_VALIDATION,
        json_schema_extra=_unchanged,
    )


class Quarantined(BaseModel):
    """A payload the hub refused (or took in with data-quality issues), kept to be fixed."""

    id: str
    source: str
    entity_type: str = Field(description="The entity type, or event for a transactional event")
    source_id: str | None
    payload: Any = Field(description="As the source sent it; personal data masked without pii")
    masked: list[str]
    errors: list[FieldError]
    status: str = Field(description="open, issue, resubmitted, resolved or discarded")
    correlation_id: str | None
    received_at: Time | None
    count: int = Field(description="How often the same payload arrived")
    last_received_at: Time | None
    resolved_at: Time | None
    resolution: str | None
    resolved_by: str | None


class QuarantinePage(BaseModel):
    total: int
    items: list[Quarantined]


class Resubmission(BaseModel):
    """Optional: a corrected record (and source id) to submit instead of the kept payload."""

    record: dict[str, Any] | None = None
    source_id: str | None = None


class Discarded(BaseModel):
    id: str
    status: str = Field(examples=["discarded"])


class FeedEvent(BaseModel):
    sequence: int = Field(description="Commit order; pass the last one seen as ?after=")
    event: dict[str, Any] = Field(
        description="A CloudEvents 1.0 envelope (the AsyncAPI document describes each type)"
    )


class EventFeed(BaseModel):
    events: list[FeedEvent]
    last: int = Field(description="The last sequence number of this page (?after= of the next)")


class ApiKey(BaseModel):
    """A key without its secret: its prefix, to recognise it by."""

    id: str
    name: str
    prefix: str
    roles: list[str]
    created_at: Time | None
    last_used_at: Time | None
    revoked_at: Time | None
    expires_at: Time | None
    rotated_to: str | None


class ApiKeys(BaseModel):
    keys: list[ApiKey]


class NewKeyAnswer(BaseModel):
    secret: str = Field(description="The key itself: shown this once")
    id: str
    name: str
    prefix: str
    roles: list[str]


class Revoked(BaseModel):
    id: str
    revoked: bool


class RotatedKey(NewKeyAnswer):
    replaces: str = Field(description="The key rotated")
    old_valid_until: Time | None = Field(description="Until when the old secret still works")
