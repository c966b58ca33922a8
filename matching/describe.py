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
from collections.abc import Mapping
from typing import Any

from matching.settings import Comparison, ComparisonLevel, MatchSettings

__all__ = ["describe_settings", "level_weight"]

_TRAINING_FACTS = ("records", "labelled_pairs", "candidate_pairs", "u_random_pairs")


def level_weight(level: ComparisonLevel) -> float:
    """``log2(m / u)``: what agreeing at this level adds to a pair's match weight."""
    if level.kind == "null":
        return 0.0
    return math.log2(level.m / level.u)


def _prior_weight(prior: float) -> float:
    prior = min(max(prior, 1e-12), 1 - 1e-12)
    return math.log2(prior / (1 - prior))


def _level(level: ComparisonLevel) -> dict[str, Any]:
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


def _comparison(comp: Comparison) -> dict[str, Any]:
    return {
        "name": comp.name,
        "fields": list(comp.fields),
        "description": comp.description,
        "levels": [_level(level) for level in comp.levels],
    }


def _training(trained_on: Mapping[str, Any]) -> dict[str, int]:
    """The counts a training left in ``trained_on`` (term-frequency tables stay out)."""
    return {
        name: int(trained_on[name])
        for name in _TRAINING_FACTS
        if isinstance(trained_on.get(name), int | float)
    }


def describe_settings(settings: MatchSettings) -> dict[str, Any]:
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
