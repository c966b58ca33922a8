"""Estimating the Fellegi-Sunter parameters from data, as splink does.

- ``u`` (P(level | non-match)) from random pairs: almost every random pair is
  a non-match, so the share of random pairs at each level estimates ``u``.
- ``m`` (P(level | match)) and the prior by expectation-maximisation over
  blocked candidate pairs, without labels, with ``u`` held fixed. EM runs on
  distinct comparison vectors weighted by their counts, so its cost does not
  grow with the number of pairs.
- Labelled pairs (steward decisions) then refine ``m`` and ``u`` as extra
  evidence on top of the estimates, with the estimates acting as a prior of
  ``strength`` pseudo-pairs.

Every function returns new settings (the version gains ``+trained.<hash>``);
nothing is mutated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.compare import comparison_vectors
from matching.sampling import random_pairs
from matching.settings import Comparison, MatchSettings, TrainedOn
from matching.standardize import standardize
from matching.table import RecordTable

__all__ = [
    "EMResult",
    "PatternCounts",
    "combine_sessions",
    "estimate_m_em",
    "estimate_prior",
    "estimate_priors",
    "estimate_u",
    "level_shares",
    "random_pairs",
    "refine_from_records",
    "refine_with_labels",
    "with_estimates",
]

FloatArray = npt.NDArray[np.float64]
_FLOOR = 1e-7
M_FLOOR = 1e-3
"""No level is deemed impossible among matches: one typo in an identifier must not veto."""
M_PRIOR_STRENGTH = 50.0
"""How many matches the shipped ``m`` of a level counts for when EM estimates it from data."""


@dataclass(slots=True)
class PatternCounts:
    """Distinct comparison vectors and how many pairs had each; adds up across chunks."""

    patterns: dict[bytes, int]
    width: int

    @classmethod
    def empty(cls, width: int) -> PatternCounts:
        return cls({}, width)

    def add(self, gammas: npt.NDArray[np.int8]) -> None:
        if not len(gammas):
            return
        rows = np.ascontiguousarray(gammas).view(f"V{self.width}").ravel()
        uniq, counts = np.unique(rows, return_counts=True)
        for key, count in zip(uniq.tolist(), counts.tolist(), strict=True):
            self.patterns[key] = self.patterns.get(key, 0) + count

    def arrays(self) -> tuple[npt.NDArray[np.int8], FloatArray]:
        keys = list(self.patterns)
        matrix = np.frombuffer(b"".join(keys), dtype=np.int8).reshape(len(keys), self.width)
        return matrix, np.array([self.patterns[k] for k in keys], dtype=np.float64)

    @property
    def total(self) -> int:
        return sum(self.patterns.values())


def level_shares(
    comp: Comparison, column: npt.NDArray[np.int8], weights: FloatArray, floor: float = _FLOOR
) -> FloatArray:
    """Share of each level among pairs with a value on both sides (floored).

    Null levels leave the denominator; a neutral level stays in it (its pairs
    are real agreements, it only weighs nothing), then reads 1 like a null.
    """
    totals = np.bincount(column, weights=weights, minlength=len(comp.levels)).astype(np.float64)
    null = np.array([lv.kind == "null" for lv in comp.levels])
    weightless = np.array([lv.weightless for lv in comp.levels])
    totals[null] = 0.0
    shares: FloatArray = np.maximum(totals / max(totals.sum(), 1e-300), floor)
    shares[null] = 0.0
    shares /= shares.sum()
    shares[weightless] = 1.0
    return shares


def _capped(comp: Comparison, shares: FloatArray) -> FloatArray:
    """Shares with each level's ``max_m`` applied, the excess spread over the other levels."""
    caps = np.array([lv.max_m or 1.0 for lv in comp.levels])
    real = np.array([not lv.weightless for lv in comp.levels])
    capped = real & (shares > caps)
    if not capped.any():
        return shares
    out = shares.copy()
    out[capped] = caps[capped]
    free = real & ~capped
    if free.any():
        out[free] *= (1.0 - out[capped].sum()) / max(float(out[free].sum()), 1e-300)
    return out


def estimate_u(
    settings: MatchSettings,
    table: RecordTable,
    *,
    max_pairs: int = 5_000_000,
    fuzzy_pairs: int = 300_000,
    seed: int = 0,
) -> list[FloatArray]:
    """u per comparison level from random pairs (null levels get 1).

    Exact agreement is rare and decides the strongest weights, so its rate is
    measured on up to ``max_pairs`` random pairs with integer codes alone;
    the fuzzy levels, which cost a string comparison each, share the rest in
    the proportions seen on the first ``fuzzy_pairs`` of them.
    """
    if table.size < 2:
        return [np.array([lv.u for lv in c.levels]) for c in settings.comparisons]
    count = min(max_pairs, table.size * (table.size - 1) // 2)
    left, right = random_pairs(table.size, count, seed)
    small = min(fuzzy_pairs, count)
    gammas = comparison_vectors(settings, table, left[:small], right[:small])
    ones = np.ones(small)
    out = []
    for col, comp in enumerate(settings.comparisons):
        shares = level_shares(comp, gammas[:, col], ones)
        exact = [i for i, lv in enumerate(comp.levels) if lv.kind == "exact" and not lv.field]
        if len(exact) == 1 and count > small:
            codes = table.codes[comp.fields[0]]
            a, b = codes[left], codes[right]
            present = (a >= 0) & (b >= 0)
            for name in comp.fields[1:]:
                present &= (table.codes[name][left] >= 0) & (table.codes[name][right] >= 0)
            rate = (int(((a == b) & present).sum()) + 1) / (int(present.sum()) + 2)
            first = 1 if comp.levels[0].kind == "null" else 0
            rest = [i for i in range(first, len(shares)) if i != exact[0]]
            scale = (1.0 - rate) / max(float(shares[rest].sum()), 1e-300)
            shares[rest] *= scale
            shares[exact[0]] = rate
        out.append(shares)
    return out


@dataclass(frozen=True, slots=True)
class EMResult:
    m: list[FloatArray]
    prior: float
    iterations: int
    converged: bool


def estimate_m_em(
    settings: MatchSettings,
    counts: PatternCounts,
    u: Sequence[FloatArray],
    *,
    active: Sequence[bool] | None = None,
    max_iterations: int = 50,
    tolerance: float = 1e-5,
) -> EMResult:
    """EM over candidate pairs' comparison vectors with ``u`` fixed.

    ``active`` marks the comparisons that take part; the others (typically
    those a blocking rule forced to agree, as in splink's training sessions)
    neither inform the posterior nor get new ``m``. Starts from the settings'
    ``m`` and prior; stops when no ``m`` moves by more than ``tolerance`` or
    after ``max_iterations``.
    """
    patterns, weights = counts.arrays()
    m = [np.array([lv.m for lv in c.levels], dtype=np.float64) for c in settings.comparisons]
    prior = settings.prior
    cols = [c for c in range(len(m)) if active is None or active[c]]
    if not len(patterns) or not cols:
        return EMResult(m, prior, 0, True)
    log_u = sum(np.log(np.asarray(u[c])[patterns[:, c]]) for c in cols)
    for iteration in range(1, max_iterations + 1):
        log_m = sum(np.log(m[c][patterns[:, c]]) for c in cols)
        logit = np.log(prior / (1 - prior)) + log_m - log_u
        post = weights / (1.0 + np.exp(-np.clip(logit, -500, 500)))
        prior = float(np.clip(post.sum() / weights.sum(), 1e-9, 1 - 1e-9))
        new_m = list(m)
        for c in cols:
            shares = level_shares(settings.comparisons[c], patterns[:, c], post, M_FLOOR)
            new_m[c] = _capped(settings.comparisons[c], shares)
        shift = max(float(np.abs(new_m[c] - m[c]).max()) for c in cols)
        m = new_m
        if shift < tolerance:
            return EMResult(m, prior, iteration, True)
    return EMResult(m, prior, max_iterations, False)


def estimate_prior(
    counts: PatternCounts,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    *,
    start: float = 0.1,
    max_iterations: int = 200,
) -> float:
    """Share of matches among candidate pairs, with ``m`` and ``u`` fixed (EM on the prior)."""
    patterns, weights = counts.arrays()
    if not len(patterns):
        return start
    log_bf = sum(
        np.log(np.asarray(m[c])[patterns[:, c]]) - np.log(np.asarray(u[c])[patterns[:, c]])
        for c in range(patterns.shape[1])
    )
    prior = start
    for _ in range(max_iterations):
        logit = np.log(prior / (1 - prior)) + log_bf
        new = float(
            np.clip(
                (weights / (1.0 + np.exp(-np.clip(logit, -500, 500)))).sum() / weights.sum(),
                1e-9,
                1 - 1e-9,
            )
        )
        if abs(new - prior) < 1e-7:
            return new
        prior = new
    return prior


def estimate_priors(
    counts: PatternCounts,
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    shared: Sequence[bool],
    *,
    start: tuple[float, float] = (0.1, 0.1),
    max_iterations: int = 500,
) -> tuple[float, float]:
    """Shares of matches and of relatives among candidate pairs, ``m`` and ``u`` fixed.

    Three kinds of pair (as Winkler's three-class EM for households): matches follow
    ``m``; relatives follow ``m`` on the ``shared`` comparisons and ``u`` on the rest;
    strangers follow ``u``. EM on the two shares alone: the kinds' level distributions
    are those estimated already.
    """
    patterns, weights = counts.arrays()
    if not len(patterns):
        return start
    cols = range(patterns.shape[1])
    log_m = sum(np.log(np.asarray(m[c])[patterns[:, c]]) for c in cols)
    log_u = sum(np.log(np.asarray(u[c])[patterns[:, c]]) for c in cols)
    log_r = sum(np.log(np.asarray(m[c] if shared[c] else u[c])[patterns[:, c]]) for c in cols)
    kinds = np.vstack([log_m, log_r, log_u])
    total = weights.sum()
    share = np.array([start[0], start[1], 1.0 - start[0] - start[1]])
    for _ in range(max_iterations):
        joint = kinds + np.log(share)[:, None]
        post = np.exp(joint - np.logaddexp.reduce(joint, axis=0))
        new = np.clip((post * weights).sum(axis=1) / total, 1e-9, 1.0)
        new /= new.sum()
        if np.abs(new - share).max() < 1e-7:
            share = new
            break
        share = new
    return float(share[0]), float(share[1])


def combine_sessions(
    settings: MatchSettings,
    sessions: Sequence[tuple[EMResult, Sequence[bool], float]],
    *,
    strength: float = M_PRIOR_STRENGTH,
) -> list[FloatArray]:
    """m per comparison averaged over the training sessions where it was active.

    Each session counts with the number of matches it found (prior x pairs), so
    a rule that blocks mostly non-matches says little about what matches look
    like. The settings' own ``m`` counts as ``strength`` matches more: a
    Dirichlet prior, so a few dozen pairs (a file of 500 records) nudge the
    starting values instead of replacing them with whatever those pairs
    happened to show, while thousands of matches decide on their own.
    """
    out: list[FloatArray] = []
    for col, comp in enumerate(settings.comparisons):
        start = np.array([lv.m for lv in comp.levels], dtype=np.float64)
        total, weight = start * strength, strength
        for result, active, pairs in sessions:
            if active[col]:
                share = result.prior * pairs
                total += result.m[col] * share
                weight += share
        out.append(total / weight)
    return out


def with_estimates(
    settings: MatchSettings,
    *,
    m: Sequence[FloatArray] | None = None,
    u: Sequence[FloatArray] | None = None,
    prior: float | None = None,
    trained_on: TrainedOn | None = None,
) -> MatchSettings:
    """New settings with the given parameters in place of the current ones."""
    comparisons = []
    for col, comp in enumerate(settings.comparisons):
        levels = []
        for index, level in enumerate(comp.levels):
            if level.weightless:
                levels.append(level)
                continue
            new_m = float(m[col][index]) if m is not None else level.m
            new_u = float(u[col][index]) if u is not None else level.u
            levels.append(
                replace(level, m=min(max(new_m, _FLOOR), 1.0), u=min(max(new_u, _FLOOR), 1.0))
            )
        comparisons.append(replace(comp, levels=tuple(levels)))
    info = TrainedOn(**settings.trained_on)
    info.update(trained_on or {})
    return settings.with_parameters(
        comparisons, prior if prior is not None else settings.prior, info
    )


def refine_with_labels(
    settings: MatchSettings,
    gammas: npt.NDArray[np.int8],
    labels: Sequence[bool],
    *,
    strength: float = 100.0,
) -> MatchSettings:
    """Refine m from pairs a steward called matches and u from those called non-matches.

    Each comparison's current shares count as ``strength`` pseudo-pairs, so a
    handful of decisions nudges the model and many decisions dominate it.
    """
    is_match = np.asarray(labels, dtype=bool)
    m: list[FloatArray] = []
    u: list[FloatArray] = []
    for col, comp in enumerate(settings.comparisons):
        column = gammas[:, col]
        for target, mask, attr in ((m, is_match, "m"), (u, ~is_match, "u")):
            current = np.array([getattr(lv, attr) for lv in comp.levels], dtype=np.float64)
            counts = np.bincount(column[mask], minlength=len(comp.levels)).astype(np.float64)
            weightless = np.array([lv.weightless for lv in comp.levels])
            counts[weightless] = 0.0
            current[weightless] = 0.0
            shares = (current * strength + counts) / max(
                float(current.sum()) * strength + counts.sum(), 1e-300
            )
            shares[~weightless] /= shares[~weightless].sum()
            shares[weightless] = 1.0
            target.append(shares)
    return with_estimates(settings, m=m, u=u, trained_on={"labelled_pairs": len(is_match)})


def refine_from_records(
    settings: MatchSettings,
    labelled: Sequence[tuple[Mapping[str, Any], Mapping[str, Any], bool]],
    *,
    strength: float = 100.0,
) -> MatchSettings:
    """:func:`refine_with_labels` from steward decisions given as canonical record pairs.

    Each item is ``(record, other, is_match)``, e.g. an approved (True) or
    rejected (False) steward task's two records.
    """
    if not labelled:
        return settings
    rows: list[Mapping[str, str | None]] = []
    for first, second, _ in labelled:
        rows.append(standardize(settings.entity_type, first))
        rows.append(standardize(settings.entity_type, second))
    names = tuple(dict.fromkeys(settings.fields + settings.strong_identifiers))
    table = RecordTable.from_rows(rows, names)
    left = np.arange(0, len(rows), 2, dtype=np.int64)
    gammas = comparison_vectors(settings, table, left, left + 1)
    return refine_with_labels(
        settings, gammas, [bool(label) for _, _, label in labelled], strength=strength
    )
