"""Steward tasks, merge events, not-a-match pairs, labels, trained settings and the
audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from mdm.db.tables.columns import bigid, json_column, ts

__all__ = [
    "AuditRow",
    "MatchLabelRow",
    "MatchSettingsRow",
    "MergeEventRow",
    "NotAMatchRow",
    "StewardTaskRow",
]


class StewardTaskRow(SQLModel, table=True):
    __tablename__ = "steward_task"
    __table_args__ = (
        Index("ix_steward_task_status", "status", "entity_type"),
        Index("ix_steward_task_queue", "status", "priority", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    entity_type: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    status: str = Field(default="open", max_length=16)
    record_id: str | None = Field(default=None, max_length=32)
    golden_id: str | None = Field(default=None, max_length=32)
    candidate_golden_id: str | None = Field(default=None, max_length=32)
    score: float | None = None
    settings_version: str | None = Field(default=None, max_length=64)
    explanation: dict[str, Any] = json_column()
    created_at: datetime = ts(nullable=False)
    updated_at: datetime = ts(nullable=False)
    priority: int = Field(default=0)
    source: str | None = Field(default=None, max_length=64)
    assignee: str | None = Field(default=None, max_length=100)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = ts(nullable=True)
    reason: str | None = Field(default=None, max_length=1000)


class MergeEventRow(SQLModel, table=True):
    """One merge of a golden record into a survivor, with what it moved, so it can be undone."""

    __tablename__ = "merge_event"
    __table_args__ = (Index("ix_merge_event_pair", "survivor_id", "merged_id"),)

    id: str = Field(primary_key=True, max_length=32)
    entity_type: str = Field(max_length=32)
    survivor_id: str = Field(max_length=32)
    merged_id: str = Field(max_length=32)
    moved_records: list[Any] = json_column()
    moved_keys: list[Any] = json_column()
    task_id: str | None = Field(default=None, max_length=32)
    actor: str = Field(max_length=100)
    reason: str = Field(max_length=1000)
    correlation_id: str | None = Field(default=None, max_length=100)
    merged_at: datetime = ts(nullable=False)
    undone_at: datetime | None = ts(nullable=True)
    undone_by: str | None = Field(default=None, max_length=100)


class NotAMatchRow(SQLModel, table=True):
    """A steward's 'these are different': the pair never comes back as a task or a merge."""

    __tablename__ = "not_a_match"

    entity_type: str = Field(primary_key=True, max_length=32)
    left_id: str = Field(primary_key=True, max_length=32)
    right_id: str = Field(primary_key=True, max_length=32)
    actor: str = Field(max_length=100)
    reason: str = Field(max_length=1000)
    created_at: datetime = ts(nullable=False)


class MatchLabelRow(SQLModel, table=True):
    """Steward decisions as labelled pairs for training the matcher."""

    __tablename__ = "match_label"

    id: int | None = bigid()
    entity_type: str = Field(max_length=32)
    left_record: dict[str, Any] = json_column()
    right_record: dict[str, Any] = json_column()
    is_match: bool
    task_id: str | None = Field(default=None, max_length=32)
    actor: str = Field(max_length=100)
    created_at: datetime = ts(nullable=False)


class MatchSettingsRow(SQLModel, table=True):
    """Match settings trained from steward labels; the newest per entity type is in use."""

    __tablename__ = "match_settings"

    version: str = Field(primary_key=True, max_length=64)
    entity_type: str = Field(max_length=32, index=True)
    body: dict[str, Any] = json_column()
    labels: int
    created_by: str = Field(max_length=100)
    created_at: datetime = ts(nullable=False)


class AuditRow(SQLModel, table=True):
    """Who did what to which record, why, and when. Never updated."""

    __tablename__ = "audit_log"
    # searches run newest first, narrowed by actor or action (see AuditLog.search)
    __table_args__ = (
        Index("ix_audit_target", "target_id"),
        Index("ix_audit_at", "at", "id"),
        Index("ix_audit_actor_at", "actor", "at", "id"),
        Index("ix_audit_action_at", "action", "at", "id"),
    )

    id: int | None = bigid()
    actor: str = Field(max_length=100)
    action: str = Field(max_length=64)
    target_id: str | None = Field(default=None, max_length=32)
    detail: dict[str, Any] = json_column()
    reason: str | None = Field(default=None, max_length=1000)
    correlation_id: str | None = Field(default=None, max_length=100)
    at: datetime = ts(nullable=False)
