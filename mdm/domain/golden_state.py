"""A golden record as a unit of work holds it in memory, and the ids the hub gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import uuid_utils

from mdm.db.repositories.records import SourceRecord

__all__ = ["GoldenState", "new_id"]


def new_id() -> str:
    """A new identifier: a UUID version 7 in hex, ordered by the time it was made (RFC
    9562), so rows written one after another land at the end of every index keyed by
    their id instead of at random pages: a million-record initial load spent most of its
    write step on index pages spilled out of SQLite's cache."""
    return uuid_utils.uuid7().hex


@dataclass
class GoldenState:
    id: str
    entity_type: str
    version: int
    status: str
    merged_into: str | None
    attributes: dict[str, Any]
    lineage: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    members: dict[str, SourceRecord] = field(default_factory=dict)  # record id -> record
    is_new: bool = False
    dirty: bool = False
    # derived attributes the next recompute sets (name -> (value, lineage)), see carry
    derived: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    # values a steward asserts at the next recompute (name -> (value, lineage)), see keep_asserted
    asserted: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> GoldenState:
        return cls(
            id=row["id"],
            entity_type=row["entity_type"],
            version=row["version"],
            status=row["status"],
            merged_into=row["merged_into"],
            attributes=dict(row["attributes"]),
            lineage=dict(row["lineage"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_type": self.entity_type,
            "version": self.version,
            "status": self.status,
            "merged_into": self.merged_into,
            "attributes": self.attributes,
            "lineage": self.lineage,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
