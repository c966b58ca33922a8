"""The documented shapes of the sync API (:mod:`sync.api`): targets, deliveries, replay,
and the target body the route reads itself. They document; the routes answer with
:class:`mdm.http.responses.JsonResponse`, never filtered through them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from sync.connectors import CONNECTORS

__all__ = [
    "Deliveries",
    "DeliveryDetail",
    "Replayed",
    "Target",
    "TargetBody",
    "TargetList",
    "TargetRemoved",
]

Time = str  # ISO 8601, UTC


class Target(BaseModel):
    """A target's configuration without its credentials, and its queue."""

    name: str
    kind: str = Field(examples=["salesforce"])
    base_url: str
    credentials: dict[str, Any] = Field(description="{configured: true}: never the secret")
    source: str | None = Field(description="The source whose ids the target's records carry")
    entity_types: list[str]
    rate_limit_per_s: float | None
    mapping: dict[str, Any] | None
    options: dict[str, Any] = Field(description="The kind's options (docs: configure a target)")
    readiness: dict[str, Any] = Field(
        default={}, description="Per entity type, what a record needs before it is sent"
    )
    enabled: bool
    pending: int
    in_flight: int
    delivered: int
    dead: int
    held: int = Field(default=0, description="Waiting for what the record lacks")
    lag_seconds: float = Field(description="Since the oldest change not yet acknowledged")
    attempts_last_hour: int
    success_rate: float | None = Field(description="Of the last hour's attempts (0..1)")
    paused_until: Time | None = Field(description="The target asked to be left alone")
    pause_reason: str | None
    updated_at: Time | None


class TargetList(BaseModel):
    targets: list[Target]


class TargetRemoved(BaseModel):
    name: str
    removed: bool


class Delivery(BaseModel):
    """One golden record's way to one target."""

    id: str
    target: str
    golden_id: str
    entity_type: str
    state: str = Field(description="pending, in_flight, delivered, held or dead")
    wanted_version: int
    delivered_version: int | None
    attempts: int
    failures: int
    last_error: dict[str, Any] | None = Field(
        description="code, message, retryable, scope, the target's status and code"
    )
    missing: list[str] | None = Field(description="A held delivery's: what the record lacks")
    next_attempt_at: Time | None
    correlation_id: str | None
    changed_at: Time | None
    updated_at: Time | None
    delivered_at: Time | None


class Deliveries(BaseModel):
    total: int
    items: list[Delivery]


class Attempt(BaseModel):
    """One call made for the delivery and how it ended."""

    model_config = ConfigDict(extra="allow")

    id: int
    delivery_id: str
    target: str
    golden_id: str
    version: int
    outcome: str = Field(description="delivered, skipped, retry or dead")
    error: dict[str, Any] | None
    correlation_id: str | None
    at: Time | None
    duration_ms: float | None


class DeliveryDetail(Delivery):
    attempts: list[Attempt]  # type: ignore[assignment]  # the list, where a page counts them


class Replayed(BaseModel):
    replayed: int
    delivery_ids: list[str] = Field(description="The first 1,000 of them")


class TargetBody(BaseModel):
    """The target's configuration (credentials are kept encrypted and never shown). The
    route reads it itself, so the handler names what is wrong field by field."""

    kind: str = Field(
        description="One of the registered connectors",
        json_schema_extra={"enum": list[JsonValue](sorted(CONNECTORS))},
    )
    base_url: str
    credentials: dict[str, Any] = Field(description='{"token": ...}, or the kind\'s own keys')
    source: str | None = None
    entity_types: list[str] = ["customer"]
    rate_limit_per_s: float | None = None
    mapping: dict[str, Any] | None = None
    options: dict[str, Any] = {}
    enabled: bool = True
