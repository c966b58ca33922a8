"""What sources write (records, batches, transactional events, webhooks) and what the hub
answers: ``routes_ingest``, ``routes_records``, ``routes_events`` and the quarantine's
resubmit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mdm.http.refusals import FieldError

__all__ = [
    "BatchAnswer",
    "BatchItem",
    "BatchResult",
    "EventBatchAnswer",
    "EventOutcome",
    "RecordOutcome",
    "SourceRecord",
    "StripeAnswer",
    "WebhookSecret",
    "WebhookSecretAnswer",
]

Time = str  # ISO 8601, UTC


class RecordOutcome(BaseModel):
    """What happened to an accepted record and its golden record."""

    source_id: str
    golden_id: str = Field(description="The golden record the source record belongs to now")
    action: str = Field(
        description="created, updated, linked, review (a steward decides), unchanged, ...",
        examples=["created"],
    )
    golden_version: int
    record_version: int = Field(description="The source record's version in the hub")
    issues: list[FieldError] = Field(
        default=[],
        description="A lenient source's malformed optional values: each left out or mapped "
        "and kept as a data-quality issue (only when there are any)",
    )
    quarantine_id: str | None = Field(
        default=None, description="Where the issues are kept (only with issues)"
    )


class BatchResult(BaseModel):
    """One item of a batch: accepted (with its golden record) or rejected (with every
    error and the quarantine id)."""

    index: int = Field(description="The item's position in the batch")
    source_id: str | None
    action: str = Field(description="As for one record, or rejected", examples=["rejected"])
    golden_id: str | None = None
    golden_version: int | None = None
    record_version: int | None = None
    errors: list[FieldError] = Field(default=[], description="Why a rejected item was refused")
    issues: list[FieldError] = []
    quarantine_id: str | None = None


class BatchAnswer(BaseModel):
    results: list[BatchResult]
    summary: dict[str, int] = Field(
        description="Items per action", examples=[{"created": 2, "rejected": 1}]
    )


# One item of a batch: {source_id, record}. Not constrained, since an item of any other
# shape is reported as a rejected item, not a refused batch.
BatchItem = Annotated[
    Any,
    Field(
        description="{source_id, record}: an item of another shape is reported as a rejected item",
        examples=[{"source_id": "C-1", "record": {"kind": "person", "last_name": "Ng"}}],
    ),
]


class SourceRecord(BaseModel):
    """A source record's current version, upcast to the newest schema version."""

    source: str
    entity_type: str
    source_id: str
    golden_id: str
    version: int
    schema_version: str = Field(description="The version it was validated with")
    read_as: str = Field(description="The version the payload is shown in (the newest)")
    payload: dict[str, Any] = Field(description="The record as the source sent it, upcast")
    source_updated_at: Time | None
    received_at: Time | None
    masked: list[str] = Field(
        default=[], description="Personal attributes shown as *** (keys without pii)"
    )


class EventOutcome(BaseModel):
    """What happened to one transactional event: stored, duplicate, parked (its customer
    not known yet), stale (older than the object's state) or rejected."""

    index: int | None = Field(default=None, description="The event's position in the request")
    id: str | None = Field(description="The event's id")
    status: str = Field(examples=["stored"])
    type: str | None = None
    object_id: str | None = None
    golden_id: str | None = Field(default=None, description="The customer's golden record")
    errors: list[FieldError] = Field(default=[], description="Why a rejected event was refused")
    quarantine_id: str | None = None


class EventBatchAnswer(BaseModel):
    results: list[EventOutcome]
    summary: dict[str, int] = Field(description="Events per status", examples=[{"stored": 2}])


class StripeAnswer(BaseModel):
    received: str | None = Field(description="The Stripe event's id")
    ignored: bool = Field(default=False, description="A type the mapping does not take")
    results: list[EventOutcome]


class WebhookSecret(BaseModel):
    """How a source signs its webhooks, and the secret (kept encrypted, never shown)."""

    model_config = ConfigDict(extra="forbid")

    scheme: Literal["stripe", "standard-webhooks"]
    secret: str = Field(min_length=1, examples=["whsec_..."])


class WebhookSecretAnswer(BaseModel):
    source: str
    scheme: str
    secret: dict[str, bool] = Field(description="{configured: true}: never the secret itself")
    previous_valid_until: Time | None = Field(
        description="Until when the secret it replaced still verifies"
    )
