"""Match settings as a steward reads them: thresholds, prior, blocking and each level's weight.

:func:`describe_settings` is the JSON shape ``GET /api/v1/matching/settings``
answers with (one object per entity type). Each level shows its label, ``m``,
``u``, the Bayes factor ``m / u`` and the match weight ``log2(m / u)`` it adds
to a pair, as splink's ``match_weights_chart`` does; a null level (a value
missing on either side) weighs nothing. The prior is shown as a probability and
as its weight ``log2(prior / (1 - prior))``, the starting point every pair's
weight is added to, so the weights on the page add up to the score a decision
explains.
"""

from __future__ import annotations

import math
from typing import TypedDict

from matching.settings import (
    Comparison,
    ComparisonLevel,
    LevelKind,
    MatchSettings,
    Scorer,
    TrainedOn,
)

__all__ = [
    "BlockingDescription",
    "ComparisonDescription",
    "LevelDescription",
    "SettingsDescription",
    "describe_settings",
    "level_weight",
]


class LevelDescription(TypedDict):
    """A comparison level with its Bayes factor and weight (``log2`` of it)."""

    label: str
    kind: LevelKind
    field: str | None
    scorer: Scorer | None
    threshold: float | None
    tf_adjustment: bool
    m: float
    u: float
    bayes_factor: float
    weight: float


class ComparisonDescription(TypedDict):
    name: str
    fields: list[str]
    description: str
    levels: list[LevelDescription]


class BlockingDescription(TypedDict):
    name: str
    keys: list[str]
    window: int


class SettingsThresholds(TypedDict):
    link: float
    review: float


class SettingsDescription(TypedDict):
    """What :func:`describe_settings` shows of a settings object (``trained_on``: only
    the counts)."""

    entity_type: str
    version: str
    thresholds: SettingsThresholds
    prior: float
    prior_weight: float
    blocking: list[BlockingDescription]
    comparisons: list[ComparisonDescription]
    strong_identifiers: list[str]
    trained_on: dict[str, int]


def level_weight(level: ComparisonLevel) -> float:
    """``log2(m / u)``: what agreeing at this level adds to a pair's match weight."""
    if level.kind == "null":
        return 0.0
    return math.log2(level.m / level.u)


def _prior_weight(prior: float) -> float:
    prior = min(max(prior, 1e-12), 1 - 1e-12)
    return math.log2(prior / (1 - prior))


def _level(level: ComparisonLevel) -> LevelDescription:
    return {
        "label": level.label,
        "kind": level.kind,
        "field": level.field,
        "scorer": level.scorer,
        "threshold": level.threshold,
        "tf_adjustment": level.tf_adjustment,
        "m": level.m,
        "u": level.u,
        "bayes_factor": 1.0 if level.kind == "null" else level.m / level.u,
        "weight": level_weight(level),
    }


def _comparison(comp: Comparison) -> ComparisonDescription:
    return {
        "name": comp.name,
        "fields": list(comp.fields),
        "description": comp.description,
        "levels": [_level(level) for level in comp.levels],
    }


def _training(trained_on: TrainedOn) -> dict[str, int]:
    """The counts a training left in ``trained_on`` (term-frequency tables stay out)."""
    facts = {
        "records": trained_on.get("records"),
        "labelled_pairs": trained_on.get("labelled_pairs"),
        "candidate_pairs": trained_on.get("candidate_pairs"),
        "u_random_pairs": trained_on.get("u_random_pairs"),
    }
    return {name: int(n) for name, n in facts.items() if isinstance(n, int | float)}


def describe_settings(settings: MatchSettings) -> SettingsDescription:
    """JSON-ready description of ``settings``; reads nothing but its argument."""
    return {
        "entity_type": settings.entity_type,
        "version": settings.version,
        "thresholds": {"link": settings.thresholds.link, "review": settings.thresholds.review},
        "prior": settings.prior,
        "prior_weight": _prior_weight(settings.prior),
        "blocking": [
            {"name": rule.name, "keys": list(rule.keys), "window": rule.window}
            for rule in settings.blocking
        ],
        "comparisons": [_comparison(comp) for comp in settings.comparisons],
        "strong_identifiers": list(settings.strong_identifiers),
        "trained_on": _training(settings.trained_on),
    }
