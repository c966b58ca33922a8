"""Outbound sync: targets, one delivery per (target, golden record), its attempts, the
crosswalk of ids targets gave our golden records, and relay positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from mdm.db.tables.columns import bigid, json_column, ts

__all__ = ["CrosswalkRow", "DeliveryAttemptRow", "DeliveryRow", "RelayPositionRow", "SyncTargetRow"]


class SyncTargetRow(SQLModel, table=True):
    """A system golden records are pushed to. Credentials are stored encrypted."""

    __tablename__ = "sync_target"

    name: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32)
    base_url: str = Field(max_length=500)
    credentials: str = Field(max_length=4000)  # Fernet token of the JSON credentials
    source: str | None = Field(default=None, max_length=64)
    entity_types: list[Any] = json_column()
    rate_limit_per_s: float | None = None
    mapping: dict[str, Any] | None = json_column(nullable=True)
    options: dict[str, Any] = json_column()
    # readiness rules per entity type (sync.readiness); null: the kind's defaults
    readiness: dict[str, Any] | None = json_column(nullable=True)
    enabled: bool = True
    # a target-wide pause (429 with Retry-After, a concurrency limit) shared by every worker
    paused_until: datetime | None = ts(nullable=True)
    pause_reason: str | None = Field(default=None, max_length=500)
    # the shared token bucket behind rate_limit_per_s
    tokens: float = 0.0
    tokens_at: datetime | None = ts(nullable=True)
    created_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)


class DeliveryRow(SQLModel, table=True):
    """One golden record's latest state on its way to one target.

    ``wanted_version`` is the newest golden version the target should have,
    ``delivered_version`` the one it acknowledged; intermediate versions coalesce.
    A worker claims a pending delivery (``in_flight`` with a lease); at most one
    claim per (target, golden record) exists at a time.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("target", "golden_id", name="uq_delivery_target_golden"),
        Index("ix_delivery_due", "target", "state", "next_attempt_at"),
        Index("ix_delivery_golden", "golden_id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    target: str = Field(max_length=64)
    golden_id: str = Field(max_length=32)
    entity_type: str = Field(max_length=32)
    parent_golden_id: str | None = Field(default=None, max_length=32)
    # pending | in_flight | delivered | dead | held (not ready for the target: sync.readiness)
    state: str = Field(default="pending", max_length=16)
    wanted_version: int
    delivered_version: int | None = None
    delivered_hash: str | None = Field(default=None, max_length=64)
    force: bool = False
    attempts: int = 0  # every try, replays included (never reset)
    failures: int = 0  # failed tries since the last success or replay (dead at the limit)
    next_attempt_at: datetime = ts(nullable=False)
    lease_until: datetime | None = ts(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=100)
    last_error: dict[str, Any] | None = json_column(nullable=True)
    correlation_id: str | None = Field(default=None, max_length=100)
    changed_at: datetime = ts(nullable=False)  # when the golden change that queued it committed
    created_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)
    delivered_at: datetime | None = ts(nullable=True)


class DeliveryAttemptRow(SQLModel, table=True):
    """Every call made for a delivery and how it ended; never updated."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (
        Index("ix_delivery_attempt_delivery", "delivery_id"),
        # success rates per target over the last hour read only recent attempts
        Index("ix_delivery_attempt_at", "at", "target", "outcome"),
    )

    id: int | None = bigid()
    delivery_id: str = Field(max_length=32)
    target: str = Field(max_length=64)
    golden_id: str = Field(max_length=32)
    version: int
    outcome: str = Field(max_length=16)  # delivered | skipped | retry | dead
    error: dict[str, Any] | None = json_column(nullable=True)
    correlation_id: str | None = Field(default=None, max_length=100)
    at: datetime = ts(nullable=False)
    duration_ms: float | None = None


class CrosswalkRow(SQLModel, table=True):
    """The id a target gave a golden record, kept as a cross-reference: when the target
    sends the record back as ``source``, it links to the golden record through here."""

    __tablename__ = "crosswalk"
    __table_args__ = (
        UniqueConstraint("source", "entity_type", "target_id", name="uq_crosswalk_source_id"),
        Index("ix_crosswalk_golden", "golden_id"),
    )

    target: str = Field(primary_key=True, max_length=64)
    golden_id: str = Field(primary_key=True, max_length=32)
    entity_type: str = Field(max_length=32)
    source: str | None = Field(default=None, max_length=64)
    target_id: str = Field(max_length=200)
    created_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)


class RelayPositionRow(SQLModel, table=True):
    """How far a relay (delivery planning, stream publishing) has read the outbox."""

    __tablename__ = "relay_position"

    name: str = Field(primary_key=True, max_length=64)
    seq: int = Field(sa_column=Column(BigInteger(), nullable=False))
    updated_at: datetime = ts(nullable=False)
