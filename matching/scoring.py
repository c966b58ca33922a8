"""Fellegi-Sunter match weights, probabilities and explanations.

For a pair at level ``l`` of comparison ``c`` the Bayes factor is
``m[c][l] / u[c][l]`` and its log2 is the comparison's part of the match
weight; null levels have ``m = u = 1`` and so weigh nothing. The match weight
is ``log2(prior / (1 - prior))`` plus the parts, and the probability is
``2**w / (1 + 2**w)``. A term-frequency adjustment replaces ``u`` of an exact
level by the share of records holding the agreed value when that share is
larger, so agreeing on a common value ("london", "gmail.com") counts less;
it never raises the weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.settings import MatchSettings
from matching.table import RecordTable

__all__ = [
    "ScoredPairs",
    "explain",
    "log2_prior_odds",
    "probability",
    "score_pairs",
    "settings_term_frequencies",
    "term_frequencies",
]

FloatArray = npt.NDArray[np.float64]


def log2_prior_odds(prior: float) -> float:
    """Match weight of knowing nothing about a pair."""
    prior = min(max(prior, 1e-12), 1 - 1e-12)
    return float(np.log2(prior / (1 - prior)))


def probability(weight: FloatArray | float) -> Any:
    """Match probability of a match weight (log2 odds)."""
    return 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))


def _level_weights(settings: MatchSettings) -> list[FloatArray]:
    return [
        np.array([np.log2(lv.m / lv.u) for lv in comp.levels], dtype=np.float64)
        for comp in settings.comparisons
    ]


def term_frequencies(
    settings: MatchSettings, table: RecordTable, reference: Mapping[str, Mapping[str, float]] | None
) -> dict[str, FloatArray]:
    """Per tf-adjusted field, the frequency of each of ``table``'s distinct values.

    With ``reference`` (value -> share, e.g. stored at training) unknown values
    get NaN, meaning no adjustment; without it, shares within ``table``.
    """
    out: dict[str, FloatArray] = {}
    for comp in settings.comparisons:
        for level in comp.levels:
            if level.kind != "exact" or not level.tf_adjustment:
                continue
            name = level.field or comp.fields[0]
            table.column(name)
            if reference is None:
                out[name] = table.frequencies(name)
            else:
                known = reference.get(name, {})
                out[name] = np.array(
                    [known.get(v, np.nan) for v in table.uniques[name]], dtype=np.float64
                )
    return out


def settings_term_frequencies(settings: MatchSettings, table: RecordTable) -> dict[str, FloatArray]:
    """Term frequencies as the settings recorded them at training (none when untrained).

    Batch dedupe and the hub both score with these, never with the shares of
    whatever table is at hand, so the same pair under the same settings
    version gets the same probability on both paths.
    """
    return term_frequencies(settings, table, settings.trained_on.get("term_frequencies", {}))


@dataclass(frozen=True, slots=True)
class ScoredPairs:
    """Per pair: the match weight, its probability and each comparison's part."""

    weight: FloatArray
    probability: FloatArray
    parts: FloatArray  # (pairs, comparisons)


def score_pairs(
    settings: MatchSettings,
    gammas: npt.NDArray[np.int8],
    table: RecordTable,
    left: npt.NDArray[np.int64],
    tf: Mapping[str, FloatArray] | None = None,
) -> ScoredPairs:
    """Score pairs whose comparison vectors are ``gammas`` (``left`` indexes agreed values)."""
    n = len(gammas)
    parts = np.empty((n, len(settings.comparisons)), dtype=np.float64)
    for col, (comp, weights) in enumerate(
        zip(settings.comparisons, _level_weights(settings), strict=True)
    ):
        parts[:, col] = weights[gammas[:, col]]
        for index, level in enumerate(comp.levels):
            name = level.field or comp.fields[0]
            if level.kind != "exact" or not level.tf_adjustment or not tf or name not in tf:
                continue
            rows = np.flatnonzero(gammas[:, col] == index)
            if not len(rows):
                continue
            freq = tf[name][table.column(name)[0][left[rows]]]
            adjust = np.log2(level.u / np.maximum(freq, level.u))
            parts[rows, col] += np.minimum(np.nan_to_num(adjust, nan=0.0), 0.0)
    weight = log2_prior_odds(settings.prior) + parts.sum(axis=1)
    return ScoredPairs(weight, probability(weight), parts)


def explain(
    settings: MatchSettings, gammas: npt.NDArray[np.int8], parts: FloatArray
) -> dict[str, Any]:
    """JSON-ready explanation of one pair: prior, each comparison's level and part.

    ``prior_log2_odds + sum(c["log2_weight"] for c in comparisons) == match_weight``
    (to float rounding); ``bayes_factor`` is ``2 ** log2_weight`` and includes
    the term-frequency adjustment, which is also reported on its own.
    """
    rows: list[dict[str, Any]] = []
    for col, comp in enumerate(settings.comparisons):
        level = comp.levels[int(gammas[col])]
        part = float(parts[col])
        base = float(np.log2(level.m / level.u))
        row: dict[str, Any] = {
            "comparison": comp.name,
            "level": level.label,
            "log2_weight": round(part, 6),
            "bayes_factor": float(f"{2.0**part:.6g}"),
        }
        if abs(part - base) > 1e-9:
            row["tf_adjustment"] = round(part - base, 6)
        rows.append(row)
    prior = log2_prior_odds(settings.prior)
    total = prior + sum(r["log2_weight"] for r in rows)
    return {
        "settings_version": settings.version,
        "prior_log2_odds": round(prior, 6),
        "match_weight": round(total, 6),
        "match_probability": float(probability(total)),
        "comparisons": rows,
    }
