"""Training for batch dedupe: u from random pairs, m by EM per blocking rule, the prior by EM.

Every parameter comes from the table being deduplicated, each time, as in
splink: nothing fitted to one generator survives training except the shape
of the model (which comparisons, which levels). Steps:

- ``u`` from random pairs (:func:`matching.training.estimate_u`);
- one EM session per blocking rule over (a sample of) the candidate pairs
  sharing that rule's block, in which the comparisons on the rule's fields
  take no part, because blocking forced them to agree (a rule on ``name``
  forces ``org_name``, ``first_name`` and ``last_name`` too); a comparison's
  ``m`` is the mean over the sessions where it took part, weighted by the
  matches each session found;
- the prior of a candidate pair by EM with ``m`` and ``u`` fixed, turned into
  the prior of a random pair (the Bayes factors already count the agreement
  blocking selected on);
- a comparison none of whose fields holds a value in the table keeps the
  settings' ``m`` and ``u``: there is nothing to learn them from, and the
  hub may still meet records that carry the field.

It reads the comparison vectors :func:`matching.candidates.compare_all`
computed once; the same vectors are then scored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.candidates import Candidates, block_table, compare_all, in_rule_block
from matching.settings import Comparison, MatchSettings, TrainedOn
from matching.table import DERIVED_SOURCES, RecordTable
from matching.tf_tables import rest_term_frequencies, top_term_frequencies
from matching.training import (
    M_FLOOR,
    EMResult,
    PatternCounts,
    combine_sessions,
    estimate_m_em,
    estimate_prior,
    estimate_priors,
    estimate_u,
    with_estimates,
)
from matching.transforms import parse_key

__all__ = [
    "TermFrequencies",
    "TrainingCounts",
    "fit",
    "rule_counts",
    "train",
    "train_on_candidates",
]

_NAME_PARTS = {"name": ("org_name", "first_name", "last_name")}


def _rule_fields(settings: MatchSettings, index: int) -> set[str]:
    """Fields a rule forces to agree; a rule on the full name forces its parts too.

    A key that keeps only a letter or two of a field (``last_name:prefix1``)
    forces little, and the field keeps informing the session: with names and
    a date of birth only, a session on ``date_of_birth`` and ``last_name``
    would otherwise have the given name alone to tell matches apart, and EM
    would learn that matches never differ in it.
    """
    fields: set[str] = set()
    for key in settings.blocking[index].keys:
        name, steps = parse_key(key)
        if not any(word in ("prefix", "suffix") and arg < 3 for word, arg in steps):
            fields.add(name)
            fields.update(_NAME_PARTS.get(name, ()))
    return fields


def _compared_fields(comp: Comparison) -> set[str]:
    """The fields a comparison reads, with the ones its derived fields are made of: a rule
    forcing the postcode forces part of the address comparison (street, postcode, city)."""
    out = set(comp.fields)
    for name in comp.fields:
        out.update(DERIVED_SOURCES.get(name, ()))
    return out


def _sample(rows: npt.NDArray[np.int64], limit: int, rng: np.random.Generator) -> Any:
    """About ``limit`` of ``rows`` (Bernoulli: no permutation of ten million rows)."""
    return rows if len(rows) <= limit else rows[rng.random(len(rows)) < limit / len(rows)]


def rule_counts(
    settings: MatchSettings,
    table: RecordTable,
    candidates: Candidates,
    gammas: npt.NDArray[np.int8],
    limit: int,
    rng: np.random.Generator,
) -> list[tuple[int, PatternCounts, int]]:
    """Per blocking rule with pairs in its blocks: (rule index, comparison-vector counts of
    a sample of about ``limit`` of them, how many there are). A step over tables: another
    engine counts the same vectors with an aggregate (:func:`fit` reads only counts)."""
    out = []
    for index in range(len(settings.blocking)):
        rows = np.flatnonzero(in_rule_block(settings, table, candidates, index))
        if not len(rows):
            continue
        counts = PatternCounts.empty(gammas.shape[1])
        counts.add(gammas[_sample(rows, limit, rng)])
        out.append((index, counts, len(rows)))
    return out


def _sessions(
    settings: MatchSettings,
    counted: list[tuple[int, PatternCounts, int]],
    u: list[npt.NDArray[np.float64]],
    present: list[bool],
) -> list[tuple[EMResult, list[bool], float, str]]:
    start = with_estimates(settings, u=u)
    out = []
    for index, counts, pairs in counted:
        fields = _rule_fields(settings, index)
        if not fields:
            continue
        active = [not (_compared_fields(c) & fields) for c in settings.comparisons]
        result = estimate_m_em(start, counts, u, active=active)
        informed = [a and p for a, p in zip(active, present, strict=True)]
        name = settings.blocking[index].name
        out.append((result, active, pairs * _credible(settings, result, informed), name))
    return out


def _present(settings: MatchSettings, table: RecordTable) -> list[bool]:
    """Per comparison: do at least two records hold every field it compares?"""
    return [
        all(int((table.codes[f] >= 0).sum()) > 1 for f in c.fields) for c in settings.comparisons
    ]


def _credible(settings: MatchSettings, result: EMResult, active: list[bool]) -> float:
    """1 when the session's matches look like one entity's records, else 0.

    EM finds the strongest latent class among a rule's pairs, which is not
    always "same entity": in a block of one street it is "same household"
    (same family name and address, different given names and dates of
    birth). Among one entity's records most comparisons agree exactly more
    often than they disagree outright (an email or a phone may well differ,
    not most fields at once); a session whose class breaks that for half of
    its comparisons or more found something else, and its m counts for nothing.
    """
    good = bad = 0
    for col, comp in enumerate(settings.comparisons):
        first = 1 if comp.levels[0].kind == "null" else 0
        if active[col] and comp.levels[first].kind == "exact":
            m = result.m[col]
            if m[-1] > m[first] and m[-1] > 10 * M_FLOOR:
                bad += 1
            elif m[first] > 10 * M_FLOOR:
                good += 1
    return 0.0 if bad and bad >= good else 1.0


def train_on_candidates(
    settings: MatchSettings,
    table: RecordTable,
    candidates: Candidates,
    gammas: npt.NDArray[np.int8],
    *,
    em_pairs_per_rule: int = 150_000,
    prior_pairs: int = 500_000,
    u_pairs: int = 5_000_000,
    seed: int = 0,
) -> MatchSettings:
    """Settings trained on ``table`` whose candidate pairs and their vectors are given."""
    u = estimate_u(settings, table, max_pairs=u_pairs, seed=seed)
    rng = np.random.default_rng(seed + 1)
    counted = rule_counts(settings, table, candidates, gammas, em_pairs_per_rule, rng)
    everything = PatternCounts.empty(gammas.shape[1])
    everything.add(gammas[_sample(np.arange(len(candidates)), prior_pairs, rng)])
    counts = TrainingCounts(table.size, len(candidates), _present(settings, table), counted)
    return fit(
        settings,
        counts,
        u,
        everything,
        lambda trained: _table_term_frequencies(trained, table),
        u_pairs=u_pairs,
    )


@dataclass(frozen=True, slots=True)
class TrainingCounts:
    """What training reads of a table besides ``u``: its size, its candidate pairs, which
    comparisons have values (:func:`_present`) and per rule (:func:`rule_counts`)."""

    records: int
    candidate_pairs: int
    present: list[bool]
    rules: list[tuple[int, PatternCounts, int]]


TermFrequencies = Callable[[MatchSettings], tuple[dict[str, dict[str, float]], dict[str, float]]]
"""(stored shares, share of the rest) of trained settings' tf fields, as :mod:`.tf_tables`."""


def _table_term_frequencies(
    trained: MatchSettings, table: RecordTable
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    top = top_term_frequencies(trained, table)
    return top, rest_term_frequencies(trained, table, top)


def fit(
    settings: MatchSettings,
    counts: TrainingCounts,
    u: list[npt.NDArray[np.float64]],
    everything: PatternCounts,
    term_frequencies: TermFrequencies,
    *,
    u_pairs: int = 5_000_000,
) -> MatchSettings:
    """Trained settings from counts alone: m by EM per rule, the prior by EM over (a sample
    of) every candidate pair's vector, then the term frequencies of the trained model."""
    present = counts.present
    sessions = _sessions(settings, counts.rules, u, present)
    m = combine_sessions(settings, [(r, a, n) for r, a, n, _ in sessions])
    for col, comp in enumerate(settings.comparisons):
        if not present[col]:
            m[col] = np.array([lv.m for lv in comp.levels])
            u[col] = np.array([lv.u for lv in comp.levels])
        # A level the matches never showed is no evidence of a match: two
        # floors (m and u both unseen) must not make a Bayes factor of 10,000.
        unseen = (m[col] <= 2 * M_FLOOR) & (u[col] < m[col])
        u[col] = np.where(unseen, m[col], u[col])
    size = counts.records
    all_pairs = size * (size - 1) / 2
    shared = [c.shared_by_relatives for c in settings.comparisons]
    blocked_related = 0.0
    if settings.related_prior and any(shared):
        blocked_prior, blocked_related = estimate_priors(everything, m, u, shared)
    else:
        blocked_prior = estimate_prior(everything, m, u, start=0.1)
    scale = counts.candidate_pairs / max(all_pairs, 1.0)
    prior = min(max(blocked_prior * scale, 1e-12), 0.5)
    related_prior = min(max(blocked_related * scale, 1e-12), 0.5) if blocked_related else 0.0
    info: TrainedOn = {
        "records": size,
        "em_sessions": [
            {
                "rule": name,
                "pairs": int(n),
                "iterations": r.iterations,
                "converged": r.converged,
                "prior": round(r.prior, 6),
            }
            for r, _, n, name in sessions
        ],
        "compared": [c.name for c, p in zip(settings.comparisons, present, strict=True) if p],
        "prior_pairs": everything.total,
        "candidate_pairs": counts.candidate_pairs,
        "candidate_match_share": round(blocked_prior, 6),
        "candidate_related_share": round(blocked_related, 6),
        "u_random_pairs": min(u_pairs, size * (size - 1) // 2),
    }
    base = replace(settings, related_prior=related_prior)
    trained = with_estimates(base, m=m, u=u, prior=prior, trained_on=info)
    info["term_frequencies"], info["term_frequency_rest"] = term_frequencies(trained)
    return with_estimates(base, m=m, u=u, prior=prior, trained_on=info)


def train(
    settings: MatchSettings,
    table: RecordTable,
    *,
    em_pairs_per_rule: int = 150_000,
    prior_pairs: int = 500_000,
    u_pairs: int = 5_000_000,
    seed: int = 0,
) -> MatchSettings:
    """Settings with u, m, the prior and a term-frequency table estimated from ``table``."""
    candidates = block_table(settings, table)
    gammas = compare_all(settings, table, candidates)
    return train_on_candidates(
        settings,
        table,
        candidates,
        gammas,
        em_pairs_per_rule=em_pairs_per_rule,
        prior_pairs=prior_pairs,
        u_pairs=u_pairs,
        seed=seed,
    )
