"""Matching's answers: the settings deciding now (what
:func:`matching.describe.describe_settings` returns), find-matches, and a training's
summary (``routes_matching``; a rematch's: :mod:`mdm.api.schemas.rematch`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["MatchSettingsPublic", "Matches", "Retrained", "SettingsInUse", "Trained"]


class LevelPublic(BaseModel):
    label: str = Field(description="What a steward reads: why two values agree this much")
    kind: str = Field(description="null, exact, fuzzy or else (the first that holds decides)")
    field: str | None = Field(description="Another standardized field this level compares")
    scorer: str | None = Field(description="The fuzzy level's rapidfuzz scorer")
    threshold: float | None = Field(description="The fuzzy level's lowest similarity (0..1)")
    tf_adjustment: bool = Field(description="Agreeing on a common value counts less")
    m: float = Field(description="P(this level | the records match)")
    u: float = Field(description="P(this level | they do not)")
    bayes_factor: float = Field(description="m / u")
    weight: float = Field(description="log2(m / u): what this level adds to the match weight")


class ComparisonPublic(BaseModel):
    name: str
    fields: list[str]
    description: str
    levels: list[LevelPublic]


class BlockingRulePublic(BaseModel):
    name: str
    keys: list[str] = Field(description="Standardized fields and transforms forming one key")
    window: int = Field(description="Neighbours a record is compared with inside one block")


class ThresholdsPublic(BaseModel):
    link: float = Field(description="Match probability at and above which records link")
    review: float = Field(description="Match probability at and above which a steward decides")


class MatchSettingsPublic(BaseModel):
    entity_type: str
    version: str = Field(description="The version every decision made with these records")
    thresholds: ThresholdsPublic
    prior: float = Field(description="P(match) of two records picked at random")
    prior_weight: float = Field(description="log2(prior / (1 - prior)), every pair's start")
    blocking: list[BlockingRulePublic]
    comparisons: list[ComparisonPublic]
    strong_identifiers: list[str]
    trained_on: dict[str, int] = Field(
        description="Counts of the training: records, labelled_pairs, candidate_pairs, ..."
    )


class TrainingPublic(BaseModel):
    version: str
    entity_type: str
    labels: int = Field(description="Steward labels it was refined from (0: records only)")
    created_by: str
    created_at: str | None


class SettingsInUse(BaseModel):
    in_use: str = Field(description="The versions deciding now, e.g. customer/3;product/3")
    settings: list[MatchSettingsPublic]
    trained: list[TrainingPublic] = Field(description="Stored trainings, newest first")


class MatchDecision(BaseModel):
    action: str = Field(description="new, link or review: what an ingest would do")
    golden_id: str | None = Field(description="The golden record it would link to")
    score: float | None = Field(description="The best candidate's match probability")
    settings_version: str
    explanation: dict[str, Any] = Field(
        description="Match weight and probability, each comparison's level and weight"
    )
    other_candidates: list[Any]


class Candidate(BaseModel):
    golden_id: str
    shared_keys: list[str] = Field(description="The blocking keys it shares with the record")
    match_probability: float | None
    attributes: dict[str, Any] = Field(description="Personal data masked without pii")


class Matches(BaseModel):
    """The decision an ingest of the record would make; nothing is stored."""

    entity_type: str
    decision: MatchDecision
    keys: list[str] = Field(description="The record's blocking keys")
    candidates: list[Candidate]


class Trained(BaseModel):
    """The settings refined from the steward decisions, stored and in use."""

    entity_type: str
    version: str
    labels: int
    matches: int
    non_matches: int
    refined_from: str | None
    previous_versions: str | None = Field(description="The versions deciding before")
    in_use: str = Field(description="The versions deciding now")


class Retrained(BaseModel):
    """Settings re-estimated from the hub's records (and refined with the decisions);
    ``skipped`` says why nothing was trained."""

    entity_type: str
    in_use: str
    version: str | None = None
    from_records: str | None = None
    records: int
    labels: int | None = None
    matches: int | None = None
    non_matches: int | None = None
    labels_used: bool | None = None
    labels_needed: int | None = None
    previous_versions: str | None = None
    skipped: str | None = None
