"""Steward tasks as the domain sees them: kinds, statuses, the filter over the queue,
and the one function every use case builds a new task with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from canonical.commands import TaskSelection
from canonical.errors import FieldError, InvalidInput
from canonical.states import TaskStatus
from mdm.db.repositories import TaskQuery
from mdm.domain.golden_state import new_id

__all__ = [
    "HIERARCHY",
    "MERGEABLE",
    "OPEN",
    "PRIORITY",
    "STATUSES",
    "display_name",
    "new_task",
    "task_query",
]

OPEN = (TaskStatus.OPEN, TaskStatus.DEFERRED)
MERGEABLE = ("match_review", "identifier_conflict")
STATUSES = tuple(TaskStatus)
# a proposed parent link between two organisations of one group (never a merge)
HIERARCHY = "hierarchy_proposal"
# rule breaches first: a hierarchy cycle refused a record, a parent dispute blurs a tree
PRIORITY = {"hierarchy_cycle": 100, "parent_disagreement": 50, HIERARCHY: 20}


def new_task(
    *,
    kind: str,
    entity_type: str,
    now: datetime,
    explanation: Mapping[str, Any],
    golden_id: str | None,
    candidate_golden_id: str | None = None,
    record_id: str | None = None,
    score: float | None = None,
    settings_version: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """A new open task row; match reviews are prioritised by score, rule breaches by kind."""
    priority = PRIORITY.get(kind, round((score or 0) * 100))
    return {
        "id": new_id(),
        "entity_type": entity_type,
        "kind": kind,
        "status": TaskStatus.OPEN,
        "record_id": record_id,
        "golden_id": golden_id,
        "candidate_golden_id": candidate_golden_id,
        "score": score,
        "settings_version": settings_version,
        "explanation": dict(explanation),
        "created_at": now,
        "updated_at": now,
        "priority": priority,
        "source": source,
    }


def task_query(
    sel: TaskSelection, *, now: datetime, kinds: tuple[str, ...] | None = None
) -> TaskQuery:
    """The repository query for a steward's selection; an unknown status is invalid input."""
    if sel.status and sel.status not in STATUSES:
        raise InvalidInput(
            "unknown status",
            [FieldError("/status", f"status must be one of {', '.join(STATUSES)}", "enum")],
        )
    before = None
    if sel.older_than_hours is not None:
        before = now - timedelta(hours=sel.older_than_hours)
    return TaskQuery(
        entity_type=sel.entity_type or None,
        status=sel.status or None,
        kind=sel.kind or None,
        kinds=kinds,
        min_score=sel.min_score,
        max_score=sel.max_score,
        source=sel.source or None,
        assignee=sel.assignee or None,
        created_before=before,
    )


def display_name(attrs: Mapping[str, Any] | None) -> str | None:
    """What a steward calls a record: its name, a person's full name, or a product's sku."""
    if not attrs:
        return None
    if attrs.get("name"):
        return str(attrs["name"])
    full = " ".join(str(attrs[k]) for k in ("first_name", "last_name") if attrs.get(k))
    return full or attrs.get("sku")
