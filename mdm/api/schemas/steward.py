"""Stewardship's answers: the caller's key, the task queue and one task, decisions,
merges, unmerges, splits, a request's trace and the audit log (``routes_steward``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mdm.api.schemas.golden import ATTRIBUTES, LINEAGE

__all__ = [
    "Assigned",
    "AuditPage",
    "BulkApproved",
    "Decided",
    "Me",
    "MergeOutcome",
    "Split",
    "Task",
    "TaskPage",
    "Trace",
    "Unmerged",
]

Time = str  # ISO 8601, UTC


class Me(BaseModel):
    name: str = Field(description="The key's name")
    roles: list[str] = Field(description="Its roles, implied roles included", examples=[["admin"]])


class TaskSummary(BaseModel):
    id: str
    kind: str = Field(
        description="match_review, identifier_conflict, hierarchy_proposal, hierarchy_cycle, "
        "delivery_problem, ...",
        examples=["match_review"],
    )
    entity_type: str
    status: str = Field(description="open, deferred, approved, rejected or resolved")
    priority: int
    score: float | None = Field(description="The pair's match probability")
    source: str | None
    assignee: str | None
    golden_id: str | None
    candidate_golden_id: str | None
    left_name: str | None
    right_name: str | None
    created_at: Time | None
    decided_by: str | None
    decided_at: Time | None
    reason: str | None


class TaskPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[TaskSummary] = Field(description="Highest priority first, then oldest")


class MemberRef(BaseModel):
    source: str
    source_id: str
    record_version: int


class GoldenSide(BaseModel):
    golden_id: str
    status: str
    merged_into: str | None
    version: int
    attributes: dict[str, Any] = Field(description=ATTRIBUTES)
    lineage: dict[str, Any] = Field(default={}, description=LINEAGE)
    masked: list[str] = []
    xrefs: list[MemberRef]


class ComparedSide(BaseModel):
    golden_id: str | None
    chosen_by: str = Field(description="Why this record was compared: incoming record, ...")
    source: str | None
    source_id: str | None
    record_version: int | None
    attributes: dict[str, Any]


class Compared(BaseModel):
    left: ComparedSide | None
    right: ComparedSide | None


class ComparisonRow(BaseModel):
    attribute: str = Field(examples=["address.city"])
    status: str = Field(description="same, equivalent, differs, only_left, only_right, ...")
    conflict: bool
    left: Any
    right: Any


class Preview(BaseModel):
    attributes: dict[str, Any] = Field(description=ATTRIBUTES)
    lineage: dict[str, Any] = Field(default={}, description=LINEAGE)
    masked: list[str] = []


class Task(TaskSummary):
    """One task with everything needed to decide it."""

    explanation: dict[str, Any] = Field(
        description="The matcher's explanation: match weight and probability, each "
        "comparison's level and weight, the candidates (or the conflict, cycle, ...)"
    )
    settings_version: str | None
    left: GoldenSide | None
    right: GoldenSide | None
    compared: Compared = Field(description="The records the matcher compared")
    comparison: list[ComparisonRow]
    preview: Preview | None = Field(description="The golden record after the merge")


class Decided(BaseModel):
    """A decision's outcome: an approved match review also names the merge."""

    task: str
    status: str = Field(examples=["approved"])
    survivor: str | None = None
    merged: list[str] | None = None
    version: int | None = None
    merge_events: list[str] | None = None
    parent: str | None = Field(default=None, description="An approved hierarchy proposal's")
    child: str | None = None


class Assigned(BaseModel):
    task: str
    assignee: str | None


class BulkApproved(BaseModel):
    approved: int
    tasks: list[str]


class MergeOutcome(BaseModel):
    survivor: str
    merged: list[str]
    version: int
    merge_events: list[str]


class Unmerged(BaseModel):
    survivor: str
    restored: str
    survivor_version: int
    restored_version: int
    moved_back: list[str] = Field(description="Source ids of the records moved back")


class Split(BaseModel):
    golden_id: str
    version: int
    new_golden_id: str
    new_version: int


class TraceItem(BaseModel):
    """One thing the request caused; the other fields depend on ``kind``."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(
        description="request, source_record, match_decision, golden_version, outbox_event, "
        "delivery_attempt, audit"
    )
    at: Time | None


class Trace(BaseModel):
    correlation_id: str
    items: list[TraceItem] = Field(description="In time order")


class AuditEntry(BaseModel):
    id: int
    at: Time
    actor: str
    action: str = Field(examples=["task_approved"])
    target_id: str | None
    reason: str | None
    correlation_id: str | None
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    entries: list[AuditEntry] = Field(description="Newest first")
    next: str | None = Field(description="?cursor= of the next page")
    partial: bool = Field(description="The search in reasons stopped at its window")
