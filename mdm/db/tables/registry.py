"""The schema registry: subjects (canonical entity types, golden event types) and their
registered versions. Versions are only ever added, never changed or removed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from mdm.db.tables.columns import json_column, ts

__all__ = ["SchemaSubjectRow", "SchemaVersionRow"]


class SchemaSubjectRow(SQLModel, table=True):
    """A subject and its compatibility mode; a null mode is its kind's default, so a
    change of the default reaches every subject nobody configured."""

    __tablename__ = "registry_subject"

    subject: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=16)
    mode: str | None = Field(default=None, max_length=32)
    updated_at: datetime = ts(nullable=False)


class SchemaVersionRow(SQLModel, table=True):
    """One registered version of a subject's schema. ``derived_from`` names the canonical
    version an event schema revision was derived from (``customer/v2``)."""

    __tablename__ = "registry_version"

    subject: str = Field(primary_key=True, max_length=200)
    version: int = Field(primary_key=True)
    document: dict[str, Any] = json_column()
    fingerprint: str = Field(max_length=64)
    derived_from: str | None = Field(default=None, max_length=200)
    registered_by: str = Field(max_length=100)
    registered_at: datetime = ts(nullable=False)
