"""Source records, golden records, their histories, the key index, match decisions
and the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from mdm.db.tables.columns import bigid, json_column, ts

__all__ = [
    "GoldenRecordRow",
    "GoldenVersionRow",
    "MatchDecisionRow",
    "MatchKeyRow",
    "OutboxRow",
    "OutboxSequenceRow",
    "SourceRecordRow",
    "SourceRecordVersionRow",
    "SourceSystemRow",
]


class SourceSystemRow(SQLModel, table=True):
    __tablename__ = "source_system"

    name: str = Field(primary_key=True, max_length=64)
    description: str = Field(default="", max_length=300)
    created_at: datetime = ts(nullable=False)
    # ISO 3166 alpha-2: where this source's national phone numbers are read when the
    # record's address names no country
    default_region: str | None = Field(default=None, max_length=2, nullable=True)
    # lenient: a record whose only faults are malformed optional values is taken in without
    # them (kept as a data-quality issue); strict: such a record is refused whole
    validation: str = Field(
        default="lenient", max_length=8, sa_column_kwargs={"server_default": "lenient"}
    )


class SourceRecordRow(SQLModel, table=True):
    """The current version of one source's record, and its link (xref) to a golden record."""

    __tablename__ = "source_record"
    __table_args__ = (
        UniqueConstraint("source", "entity_type", "source_id", name="uq_source_record_key"),
        Index("ix_source_record_golden", "golden_id"),
        Index("ix_source_record_ref", "ref_key"),
    )

    id: str = Field(primary_key=True, max_length=32)
    source: str = Field(max_length=64)
    entity_type: str = Field(max_length=32)
    source_id: str = Field(max_length=200)
    golden_id: str = Field(max_length=32)
    version: int
    payload: dict[str, Any] = json_column()
    payload_hash: str = Field(max_length=64)
    schema_version: str = Field(max_length=32)
    source_updated_at: datetime | None = ts(nullable=True)
    received_at: datetime = ts(nullable=False)
    ref_key: str | None = Field(default=None, max_length=300)
    # the matcher's prepared (standardized) form of payload, so candidates are not
    # standardized again on every decision that finds them
    match_std: dict[str, Any] | None = json_column(nullable=True)


class SourceRecordVersionRow(SQLModel, table=True):
    """Every accepted version of every source record, never updated."""

    __tablename__ = "source_record_version"
    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_source_record_version"),)

    id: int | None = bigid()
    record_id: str = Field(max_length=32)
    version: int
    payload: dict[str, Any] = json_column()
    payload_hash: str = Field(max_length=64)
    schema_version: str = Field(max_length=32)
    source_updated_at: datetime | None = ts(nullable=True)
    received_at: datetime = ts(nullable=False)
    correlation_id: str | None = Field(default=None, max_length=100)


class GoldenRecordRow(SQLModel, table=True):
    __tablename__ = "golden_record"
    __table_args__ = (Index("ix_golden_record_type", "entity_type", "status"),)

    id: str = Field(primary_key=True, max_length=32)
    entity_type: str = Field(max_length=32)
    version: int
    status: str = Field(default="active", max_length=16)
    merged_into: str | None = Field(default=None, max_length=32)
    attributes: dict[str, Any] = json_column()
    lineage: dict[str, Any] = json_column()
    created_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)


class GoldenVersionRow(SQLModel, table=True):
    """One row per golden change: the snapshot, what changed, why, and who asked."""

    __tablename__ = "golden_version"
    __table_args__ = (
        UniqueConstraint("golden_id", "version", name="uq_golden_version"),
        Index("ix_golden_version_time", "golden_id", "recorded_at"),
    )

    id: int | None = bigid()
    golden_id: str = Field(max_length=32)
    version: int
    status: str = Field(default="active", max_length=16)
    attributes: dict[str, Any] = json_column()
    lineage: dict[str, Any] = json_column()
    members: list[Any] = json_column()
    changed: list[Any] = json_column()
    cause: str = Field(max_length=32)
    correlation_id: str | None = Field(default=None, max_length=100)
    recorded_at: datetime = ts(nullable=False)


class MatchKeyRow(SQLModel, table=True):
    """The persisted key index that candidate lookup goes through."""

    __tablename__ = "match_key"
    __table_args__ = (Index("ix_match_key_golden", "golden_id"),)

    entity_type: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=300)
    golden_id: str = Field(primary_key=True, max_length=32)


class MatchDecisionRow(SQLModel, table=True):
    """Why a source record was linked, sent to review or given a new golden record."""

    __tablename__ = "match_decision"
    __table_args__ = (Index("ix_match_decision_record", "record_id"),)

    id: int | None = bigid()
    entity_type: str = Field(max_length=32)
    record_id: str = Field(max_length=32)
    golden_id: str = Field(max_length=32)
    action: str = Field(max_length=16)
    score: float | None = None
    settings_version: str = Field(max_length=64)
    explanation: dict[str, Any] = json_column()
    correlation_id: str | None = Field(default=None, max_length=100)
    decided_at: datetime = ts(nullable=False)


class OutboxRow(SQLModel, table=True):
    """Events written in the same transaction as the change; delivery reads from here.

    ``seq`` is the commit order: the unit of work takes it from
    :class:`OutboxSequenceRow` as the last step before committing, holding that row's
    lock until the commit, so a reader paging by ``seq`` never passes an event whose
    transaction commits later (``id`` is assigned at insert and can be committed out of
    order on PostgreSQL).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "published_at", "id"),
        Index("ix_outbox_seq", "seq", unique=True),
    )

    id: int | None = bigid()
    seq: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    event_id: str = Field(max_length=36, unique=True)
    event_type: str = Field(max_length=100)
    subject: str = Field(max_length=32)
    entity_type: str | None = Field(default=None, max_length=32)
    golden_version: int | None = None
    envelope: dict[str, Any] = json_column()
    correlation_id: str | None = Field(default=None, max_length=100)
    created_at: datetime = ts(nullable=False)
    published_at: datetime | None = ts(nullable=True)


class OutboxSequenceRow(SQLModel, table=True):
    """The last outbox sequence number handed out (one row, ``name = 'outbox'``)."""

    __tablename__ = "outbox_sequence"

    name: str = Field(primary_key=True, max_length=32)
    last: int = Field(sa_column=Column(BigInteger(), nullable=False))
