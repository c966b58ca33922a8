"""Transactional events: every event a source reported (history, and the tracking row
that makes intake idempotent), the current state of each object they describe, and the
webhook secrets sources sign with.

An event or object is linked to a golden customer through its *anchor*: the source
record of the customer (``record_id``, the xref) or, for an id a target gave a golden
record, the crosswalk's golden record (``anchor_golden_id``). ``golden_id`` is where
the anchor stands now (merges and unmerges move it); NULL while the customer is unknown
(parked), which the partial ``*_parked`` indexes find cheaply.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from mdm.db.tables.columns import bigid, json_column, ts

__all__ = ["SourceWebhookRow", "TransactionalEventRow", "TransactionalObjectRow"]

_PARKED: dict[str, Any] = {
    "sqlite_where": text("golden_id IS NULL"),
    "postgresql_where": text("golden_id IS NULL"),
}


def _big(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(BigInteger(), nullable=nullable))


class TransactionalEventRow(SQLModel, table=True):
    """One reported event, never updated but for its link. ``(source, event_id)`` is
    unique: inserting it in the transaction of the event's effect is what makes a second
    delivery a duplicate. ``outcome``: ``applied``, or ``stale`` (older than the state
    applied for its object: kept, not applied)."""

    __tablename__ = "transactional_event"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_transactional_event_key"),
        Index("ix_transactional_event_golden", "golden_id", "occurred_at"),
        Index("ix_transactional_event_record", "record_id"),
        Index("ix_transactional_event_parked", "customer_source", "customer_id", **_PARKED),
    )

    id: int | None = bigid()
    source: str = Field(max_length=64)
    event_id: str = Field(max_length=200)
    event_type: str = Field(max_length=64)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=200)
    customer_source: str = Field(max_length=64)
    customer_id: str = Field(max_length=200)
    golden_id: str | None = Field(default=None, max_length=32)
    record_id: str | None = Field(default=None, max_length=32)
    anchor_golden_id: str | None = Field(default=None, max_length=32)
    outcome: str = Field(max_length=16)
    occurred_at: datetime = ts(nullable=False)
    version: int | None = _big()
    payload: dict[str, Any] = json_column()
    origin: str = Field(max_length=16)
    correlation_id: str | None = Field(default=None, max_length=100)
    received_at: datetime = ts(nullable=False)


class TransactionalObjectRow(SQLModel, table=True):
    """The current state of one object (order, invoice, payment, subscription, case) of
    one source: the newest applied event's. Amounts are integer millionths."""

    __tablename__ = "transactional_object"
    __table_args__ = (
        Index("ix_transactional_object_golden", "golden_id", "object_type"),
        Index("ix_transactional_object_record", "record_id"),
        Index("ix_transactional_object_parked", "customer_source", "customer_id", **_PARKED),
    )

    source: str = Field(primary_key=True, max_length=64)
    object_type: str = Field(primary_key=True, max_length=32)
    object_id: str = Field(primary_key=True, max_length=200)
    customer_source: str = Field(max_length=64)
    customer_id: str = Field(max_length=200)
    golden_id: str | None = Field(default=None, max_length=32)
    record_id: str | None = Field(default=None, max_length=32)
    anchor_golden_id: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=32)
    currency: str | None = Field(default=None, max_length=3)
    amount: int | None = _big()
    amount_paid: int | None = _big()
    amount_due: int | None = _big()
    amount_refunded: int | None = _big()
    reference: str | None = Field(default=None, max_length=200)
    due_on: date | None = None
    renews_at: datetime | None = ts(nullable=True)
    occurred_at: datetime = ts(nullable=False)
    stage: int
    version: int | None = _big()
    event_id: str = Field(max_length=200)
    event_type: str = Field(max_length=64)
    data: dict[str, Any] = json_column()
    updated_at: datetime = ts(nullable=False)


class SourceWebhookRow(SQLModel, table=True):
    """How a source signs its webhooks. Secrets are Fernet tokens (HMAC verification needs
    the secret itself, so a hash would not do); the one replaced last stays valid until
    ``previous_until`` so a sender can switch over without a gap."""

    __tablename__ = "source_webhook"

    source: str = Field(primary_key=True, max_length=64)
    scheme: str = Field(max_length=32)
    secret: str = Field(max_length=1000)
    previous_secret: str | None = Field(default=None, max_length=1000)
    previous_until: datetime | None = ts(nullable=True)
    created_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)
