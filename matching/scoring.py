"""Fellegi-Sunter match weights, probabilities and explanations.

For a pair at level ``l`` of comparison ``c`` the Bayes factor is
``m[c][l] / u[c][l]`` and its log2 is the comparison's part of the match
weight; null levels have ``m = u = 1`` and so weigh nothing. The match weight
is ``log2(prior / (1 - prior))`` plus the parts, and the probability is
``2**w / (1 + 2**w)``. A term-frequency adjustment replaces ``u`` of an exact
level by the share of records holding the agreed value when that share is
larger, so agreeing on a common value ("london", "gmail.com") counts less;
it never raises the weight.

Except on ``tf_exclusive`` levels (organization names): there ``u`` is the
stored chance that an unrelated record holds the value (see
:func:`matching.training.top_term_frequencies`), both ways, so a rare name
weighs more than the level's average. A name held by no one else would weigh
without bound; its weight is capped where, with nothing else known, it would
give a match probability of 94% (``2**4 : 1`` odds). That is what lets
name-only records link: two leads spelling one rare company name exactly are
one company unless something else disagrees, and any disagreement (another
country, another validated tax id) pulls the pair back under the link
threshold. Term frequencies decide what rare means: a name many records
share (``smith consulting``) gets no boost, only its ordinary downweight.
A ``tf_upweight`` level (given and family names) is adjusted both ways as
splink does, ``u`` becoming the value's share, so a rare surname agreeing
counts more than ``smith``; the gain is capped at :data:`UPWEIGHT_MAX_LOG2`.
A ``tf_exclusive`` fuzzy level (one typo in that rare name) gets the same
change as the exact level would, taken for the more common of the two values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from matching.explanation import ComparisonPart, PairExplanation
from matching.settings import Comparison, ComparisonLevel, MatchSettings
from matching.table import RecordTable

__all__ = [
    "ScoredPairs",
    "explain",
    "log2_prior_odds",
    "probability",
    "relatives_part",
    "score_pairs",
    "settings_term_frequencies",
    "term_frequencies",
]

FloatArray = npt.NDArray[np.float64]


UPWEIGHT_MAX_LOG2 = 6.0
"""Most a rare value may add to its level's weight on a ``tf_upweight`` level (64x)."""

EXCLUSIVE_ODDS_LOG2 = 4.0
"""log2 odds an exact match on a value no one else holds gives on its own (94%)."""


def log2_prior_odds(prior: float) -> float:
    """Match weight of knowing nothing about a pair."""
    prior = min(max(prior, 1e-12), 1 - 1e-12)
    return float(np.log2(prior / (1 - prior)))


@overload
def probability(weight: FloatArray) -> FloatArray: ...
@overload
def probability(weight: float) -> float: ...
def probability(weight: FloatArray | float) -> FloatArray | float:
    """Match probability of a match weight (log2 odds)."""
    odds: FloatArray | float = 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))
    return odds


def _level_weights(settings: MatchSettings) -> list[FloatArray]:
    return [
        np.array([np.log2(lv.m / lv.u) for lv in comp.levels], dtype=np.float64)
        for comp in settings.comparisons
    ]


def term_frequencies(
    settings: MatchSettings,
    table: RecordTable,
    reference: Mapping[str, Mapping[str, float]] | None,
    rest: Mapping[str, float] | None = None,
) -> dict[str, FloatArray]:
    """Per tf-adjusted field, the frequency of each of ``table``'s distinct values.

    With ``reference`` (value -> share, e.g. stored at training) unknown values
    get NaN, meaning no adjustment, except on a ``tf_exclusive`` level whose
    field the reference holds, where they get 0 (held by no unrelated record),
    and on a ``tf_upweight`` level, where they get ``rest[field]`` (the mean
    share of the values training did not store); without a reference, shares
    within ``table``.
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
                unknown = np.nan
                if level.tf_exclusive and name in reference:
                    unknown = 0.0
                elif level.tf_upweight and rest and name in rest:
                    unknown = rest[name]
                out[name] = np.array(
                    [known.get(v, unknown) for v in table.uniques[name]], dtype=np.float64
                )
    return out


def settings_term_frequencies(settings: MatchSettings, table: RecordTable) -> dict[str, FloatArray]:
    """Term frequencies as the settings recorded them at training (none when untrained).

    Batch dedupe and the hub both score with these, never with the shares of
    whatever table is at hand, so the same pair under the same settings
    version gets the same probability on both paths.
    """
    info = settings.trained_on
    return term_frequencies(
        settings, table, info.get("term_frequencies", {}), info.get("term_frequency_rest", {})
    )


@dataclass(frozen=True, slots=True)
class ScoredPairs:
    """Per pair: the match weight, its probability, each comparison's part, and the part
    of the chance that the two are relatives (0, or negative)."""

    weight: FloatArray
    probability: FloatArray
    parts: FloatArray  # (pairs, comparisons)
    related: FloatArray


def relatives_part(settings: MatchSettings, parts: FloatArray) -> FloatArray:
    """log2 of how much the chance that a pair are relatives takes off its match odds.

    Three kinds of pair: matches (M), relatives (R) and strangers (U). Relatives agree on
    the ``shared_by_relatives`` comparisons as matches do and on the rest as strangers
    do, so ``P(R, g) / P(U, g)`` is the relatives' prior odds times the Bayes factors of
    the shared comparisons alone, and the match log-odds against both kinds,
    ``log2(P(M, g) / (P(U, g) + P(R, g)))``, is the two-kind weight minus
    ``log2(1 + P(R, g) / P(U, g))``. A pair that agrees on everything loses nothing;
    one that agrees on a family name and an address and differs on the given name and
    birth date (a household) loses about what the shared comparisons gave it.
    """
    shared = [c.shared_by_relatives for c in settings.comparisons]
    if not settings.related_prior or not any(shared):
        return np.zeros(len(parts), dtype=np.float64)
    odds = log2_prior_odds(settings.related_prior) + parts[:, shared].sum(axis=1)
    return np.asarray(-np.logaddexp2(0.0, odds), dtype=np.float64)


def score_pairs(
    settings: MatchSettings,
    gammas: npt.NDArray[np.int8],
    table: RecordTable,
    left: npt.NDArray[np.int64],
    tf: Mapping[str, FloatArray] | None = None,
    right: npt.NDArray[np.int64] | None = None,
) -> ScoredPairs:
    """Score pairs whose comparison vectors are ``gammas``.

    ``left`` (and ``right``, needed for ``tf_exclusive`` fuzzy levels) index
    the table rows whose values the term frequencies look up.
    """
    n = len(gammas)
    parts = np.empty((n, len(settings.comparisons)), dtype=np.float64)
    for col, (comp, weights) in enumerate(
        zip(settings.comparisons, _level_weights(settings), strict=True)
    ):
        parts[:, col] = weights[gammas[:, col]]
        for index, level in enumerate(comp.levels):
            name = comp.fields[0] if level.tf_exclusive else level.field or comp.fields[0]
            if not tf or name not in tf or not (level.tf_adjustment or level.tf_exclusive):
                continue
            rows = np.flatnonzero(gammas[:, col] == index)
            if not len(rows) or (
                level.kind != "exact" and (not level.tf_exclusive or right is None)
            ):
                continue
            codes = table.column(name)[0]
            freq = tf[name][codes[left[rows]]]
            if level.kind != "exact" and right is not None:
                freq = np.fmax(freq, tf[name][codes[right[rows]]])
            parts[rows, col] += _tf_adjustment(settings, comp, level, freq)
    related = relatives_part(settings, parts)
    weight = log2_prior_odds(settings.prior) + parts.sum(axis=1) + related
    return ScoredPairs(weight, probability(weight), parts, related)


def _tf_adjustment(
    settings: MatchSettings, comp: Comparison, level: ComparisonLevel, freq: FloatArray
) -> FloatArray:
    """log2 change of a level's weight for values of share ``freq`` (NaN: no change)."""
    if level.tf_upweight:
        adjust = np.minimum(np.log2(level.u / freq), UPWEIGHT_MAX_LOG2)
        return np.asarray(np.nan_to_num(adjust, nan=0.0))
    if not level.tf_exclusive:
        adjust = np.minimum(np.log2(level.u / np.maximum(freq, level.u)), 0.0)
        return np.asarray(np.nan_to_num(adjust, nan=0.0))
    exact = next(
        (lv for lv in comp.levels if lv.kind == "exact" and lv.tf_exclusive and not lv.field),
        level,
    )
    base = float(np.log2(exact.m / exact.u))
    ceiling = max(EXCLUSIVE_ODDS_LOG2 - log2_prior_odds(settings.prior) - base, 0.0)
    with np.errstate(divide="ignore"):
        adjust = np.minimum(np.log2(exact.u / freq), ceiling)
    return np.asarray(np.nan_to_num(adjust, nan=0.0))


def explain(
    settings: MatchSettings,
    gammas: npt.NDArray[np.int8],
    parts: FloatArray,
    related: float = 0.0,
) -> PairExplanation:
    """JSON-ready explanation of one pair: prior, each comparison's level and part, and,
    when the settings know relatives, the part the chance of relatives takes off
    (a last row, ``comparison: "relatives"``).

    ``prior_log2_odds + sum(c["log2_weight"] for c in comparisons) == match_weight``
    (to float rounding); ``match_probability`` is that of the unrounded weight,
    the very number decisions compare with the thresholds; ``bayes_factor`` is
    ``2 ** log2_weight`` and includes the term-frequency adjustment, which is
    also reported on its own.
    """
    rows: list[ComparisonPart] = []
    for col, comp in enumerate(settings.comparisons):
        level = comp.levels[int(gammas[col])]
        part = float(parts[col])
        base = float(np.log2(level.m / level.u))
        row: ComparisonPart = {
            "comparison": comp.name,
            "level": level.label,
            "log2_weight": round(part, 6),
            "bayes_factor": float(f"{2.0**part:.6g}"),
        }
        if abs(part - base) > 1e-9:
            row["tf_adjustment"] = round(part - base, 6)
        rows.append(row)
    if settings.related_prior:
        shared = [c.name for c in settings.comparisons if c.shared_by_relatives]
        rows.append(
            {
                "comparison": "relatives",
                "level": f"relatives share {', '.join(shared)}; this pair's chance of being "
                "relatives, not one party",
                "log2_weight": round(float(related), 6),
                "bayes_factor": float(f"{2.0 ** float(related):.6g}"),
            }
        )
    prior = log2_prior_odds(settings.prior)
    total = prior + sum(r["log2_weight"] for r in rows)
    return {
        "settings_version": settings.version,
        "prior_log2_odds": round(prior, 6),
        "match_weight": round(total, 6),
        "match_probability": float(probability(prior + float(parts.sum()) + float(related))),
        "comparisons": rows,
    }
