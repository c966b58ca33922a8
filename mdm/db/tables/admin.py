"""Quarantine and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from mdm.db.tables.columns import bigid, json_column, ts

__all__ = ["ApiKeyRow", "QuarantineRow", "RequestLogRow"]


class QuarantineRow(SQLModel, table=True):
    """Rejected payloads, kept verbatim with every error, until re-submitted."""

    __tablename__ = "quarantine"
    __table_args__ = (
        Index("ix_quarantine_status", "status", "source"),
        Index("ix_quarantine_fingerprint", "fingerprint"),
        Index("ix_quarantine_record", "source", "entity_type", "source_id"),
    )

    id: str = Field(primary_key=True, max_length=32)
    source: str = Field(max_length=64)
    entity_type: str = Field(max_length=32)
    source_id: str | None = Field(default=None, max_length=200)
    payload: Any = json_column(nullable=True)
    errors: list[Any] = json_column()
    correlation_id: str | None = Field(default=None, max_length=100)
    received_at: datetime = ts(nullable=False)
    status: str = Field(default="open", max_length=16)
    resolved_at: datetime | None = ts(nullable=True)
    # the same rejected payload again counts here instead of making a second entry
    fingerprint: str | None = Field(default=None, max_length=64)
    count: int = 1
    last_received_at: datetime | None = ts(nullable=True)
    resolution: str | None = Field(default=None, max_length=1000)
    resolved_by: str | None = Field(default=None, max_length=100)


class ApiKeyRow(SQLModel, table=True):
    """API keys: only a SHA-256 of the secret is stored; the secret is shown once."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    roles: list[Any] = json_column()
    created_at: datetime = ts(nullable=False)
    revoked_at: datetime | None = ts(nullable=True)
    # a rotated key stays valid until then, so its users can switch without an outage
    expires_at: datetime | None = ts(nullable=True)
    rotated_to: str | None = Field(default=None, max_length=32)
    last_used_at: datetime | None = ts(nullable=True)


class RequestLogRow(SQLModel, table=True):
    """Every command the hub carried out: what was asked, through which channel (an HTTP
    method and path, the CLI, a worker), by whom, under which correlation id. Written
    in the command's own transaction, so a trace starts from the request itself."""

    __tablename__ = "request_log"
    __table_args__ = (Index("ix_request_log_correlation", "correlation_id"),)

    id: int | None = bigid()
    correlation_id: str | None = Field(default=None, max_length=100)
    command: str = Field(max_length=64)
    channel: str = Field(max_length=16)
    method: str | None = Field(default=None, max_length=10)
    path: str | None = Field(default=None, max_length=500)
    actor: str | None = Field(default=None, max_length=100)
    at: datetime = ts(nullable=False)
