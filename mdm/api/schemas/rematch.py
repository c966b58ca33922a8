"""The documented shapes of ``POST /api/v1/matching/{entity_type}/rematch``: what the
route reads, and what :func:`mdm.domain.rematch_report.impact` answers, for the OpenAPI
document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mdm.http.body import RequestBody

__all__ = ["RematchImpact", "RematchRequest"]


class RematchRequest(RequestBody):
    # strict: JSON true is not a count of samples, 1 is not true
    model_config = ConfigDict(strict=True, extra="forbid")

    settings: dict[str, Any] | None = Field(
        default=None,
        description="Proposed match settings, in the shape GET /api/v1/matching/settings "
        "trainings are stored in (as `mdm dedupe --settings` reads them)",
    )
    version: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="A stored (trained) or shipped settings version, e.g. customer/3",
    )
    apply: bool = Field(
        default=False,
        description="Carry the rematch out as one audited change (409 when a steward "
        "decided, or a golden record taking part changed, while it ran)",
    )
    reason: str | None = Field(default=None, max_length=1000, description="Why, for the audit")
    samples: int = Field(default=10, ge=0, le=100, description="Samples of each kind")


class SampleRecord(BaseModel):
    record_id: str
    source: str | None = None
    source_id: str | None = None
    golden_id: str | None = None
    name: str | None = None
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="What matching reads; personal data masked without pii"
    )


class Sample(BaseModel):
    model_config = ConfigDict(extra="allow")

    left: SampleRecord | None
    right: SampleRecord | None
    score: float | None = Field(
        description="The pair's match probability under the proposed settings"
    )


class DecisionCounts(BaseModel):
    together: int = Field(description="Merges not undone (approved matches, manual merges)")
    apart: int = Field(description="Not-a-match pairs (rejected matches, splits)")
    together_not_kept: int = Field(
        description="Merges left out because they would join a not-a-match pair"
    )


class ImpactCounts(BaseModel):
    merge: int = Field(description="New clusters that join two or more golden records")
    golden_records_merging: int
    split: int = Field(description="Golden records whose records fall apart")
    changed_golden_records: int
    review_open: int = Field(description="Doubtful pairs no open task or decision covers")
    review_close: int = Field(description="Open tasks the new clustering answers")
    contradict_approved: int = Field(
        description="Merges a steward made that the proposed settings alone would split"
    )
    contradict_rejected: int = Field(
        description="Not-a-match pairs the proposed settings alone would merge"
    )
    steward_decisions: DecisionCounts
    open_tasks: int


class ImpactSamples(BaseModel):
    merge: list[Sample]
    split: list[Sample]
    review_open: list[Sample]
    review_close: list[Sample]
    contradict_approved: list[Sample]
    contradict_rejected: list[Sample]


class Written(BaseModel):
    moved_records: int
    merged_away: int = Field(description="Golden records merged into another (ids resolve)")
    created: int = Field(description="Golden records created for clusters split off")
    changed_golden_records: int
    groups_left_out: int = Field(
        description="Groups left as they are: they touch a merge that would join a not-a-match pair"
    )
    tasks_opened: int
    tasks_closed: int


class RematchImpact(BaseModel):
    entity_type: str
    settings_version: str = Field(description="The proposed settings' version")
    in_use: str | None = Field(description="The version deciding now")
    thresholds: dict[str, float]
    records: int
    golden_records: int
    golden_records_after: int = Field(description="With every steward decision kept")
    counts: ImpactCounts
    samples: ImpactSamples | None = Field(default=None, description="A preview's samples")
    stats: dict[str, Any] = Field(description="Candidate pairs, links, seconds per step")
    applied: bool = Field(description="Whether it was carried out (false: a preview)")
    written: Written | None = Field(default=None, description="What applying it wrote")
