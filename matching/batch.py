"""Batch dedupe: a whole file of records in, one cluster per record out.

Pipeline: standardize every record once -> columnar table -> (optionally)
train: u from random pairs, m and prior by EM on a sample of candidate pairs
-> stream candidate pairs block by block, compare and score each chunk in
bulk, keep only pairs at or above the review threshold -> cluster the links
at or above the link threshold without chaining conflicting strong
identifiers.

Memory is the table, one chunk of pairs, and the kept pairs; the full set of
candidate pairs never exists at once. The function is pure: it reads the
records it is given and returns results; writing files is the caller's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.blocking import candidate_pairs, pairs_by_rule
from matching.clustering import cluster_links
from matching.compare import comparison_vectors
from matching.scoring import explain, score_pairs, term_frequencies
from matching.settings import MatchSettings, default_settings
from matching.standardize import standardize_columns as _standardize_columns
from matching.table import RecordTable
from matching.training import (
    PatternCounts,
    combine_sessions,
    estimate_m_em,
    estimate_prior,
    estimate_u,
    top_term_frequencies,
    with_estimates,
)

__all__ = [
    "DedupeResult",
    "PairSink",
    "dedupe",
    "dedupe_table",
    "record_from_flat",
    "standardize_columns",
    "table_fields",
    "train",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
PairSink = Callable[[list[dict[str, Any]]], None]
"""Receives scored pairs as JSON-ready dicts (``left``, ``right`` row, probability, explanation)."""


@dataclass(slots=True)
class DedupeResult:
    """Cluster label (smallest row index in the cluster) and best link probability per row."""

    labels: IntArray
    match_probability: FloatArray  # NaN for records that joined no one
    settings: MatchSettings
    stats: dict[str, Any] = field(default_factory=dict)
    review: list[tuple[int, int, float]] = field(default_factory=list)


def standardize_columns(
    entity_type: str,
    records: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    processes: int | None = None,
    chunk_size: int = 25_000,
    default_region: str | None = None,
) -> dict[str, list[str | None]]:
    """Standardize every record once, returning the requested fields as columns
    (:func:`matching.standardize.standardize_columns`: each distinct value once)."""
    return _standardize_columns(
        entity_type,
        records,
        fields,
        default_region=default_region,
        processes=processes,
        chunk_size=chunk_size,
    )


def _count_pairs(settings: MatchSettings, table: RecordTable) -> int:
    return sum(len(left) for left, _ in candidate_pairs(settings, table))


def _rule_fields(settings: MatchSettings, index: int) -> set[str]:
    return {key.split(":")[0] for key in settings.blocking[index].keys}


def train(
    settings: MatchSettings,
    table: RecordTable,
    *,
    em_pairs_per_rule: int = 150_000,
    prior_pairs: int = 500_000,
    u_pairs: int = 5_000_000,
    seed: int = 0,
) -> MatchSettings:
    """Settings with u from random pairs, m by EM per blocking rule, prior, and a tf table.

    As in splink, each blocking rule is one EM session over (a sample of) its
    own pairs in which the comparisons on the rule's fields take no part,
    because blocking forced them to agree; a comparison's ``m`` is the
    match-weighted mean over the sessions where it took part. The prior is then
    re-estimated over a sample of all candidate pairs with every comparison.
    """
    u = estimate_u(settings, table, max_pairs=u_pairs, seed=seed)
    rng = np.random.default_rng(seed + 1)
    width = len(settings.comparisons)
    per_rule = [0] * len(settings.blocking)
    for index, left, _ in pairs_by_rule(settings, table, exclude_earlier=False):
        per_rule[index] += len(left)
    sessions_counts = [PatternCounts.empty(width) for _ in settings.blocking]
    for index, left, right in pairs_by_rule(settings, table, exclude_earlier=False):
        fraction = min(1.0, em_pairs_per_rule / max(per_rule[index], 1))
        if fraction < 1.0:
            keep = rng.random(len(left)) < fraction
            left, right = left[keep], right[keep]
        sessions_counts[index].add(comparison_vectors(settings, table, left, right))
    sessions = []
    start = with_estimates(settings, u=u)
    for index, counts in enumerate(sessions_counts):
        fields = _rule_fields(settings, index)
        active = [not (set(c.fields) & fields) for c in settings.comparisons]
        result = estimate_m_em(start, counts, u, active=active)
        sessions.append((result, active, float(counts.total)))
    m = combine_sessions(settings, sessions)
    fraction = min(1.0, prior_pairs / max(sum(per_rule), 1))
    everything = PatternCounts.empty(width)
    candidates = 0
    for left, right in candidate_pairs(settings, table):
        candidates += len(left)
        if fraction < 1.0:
            keep = rng.random(len(left)) < fraction
            left, right = left[keep], right[keep]
        everything.add(comparison_vectors(settings, table, left, right))
    blocked_prior = estimate_prior(everything, m, u, start=0.1)
    # The Bayes factors already count the agreement that blocking selected on,
    # so the prior must be that of a random pair, not of a candidate pair.
    all_pairs = table.size * (table.size - 1) / 2
    prior = min(max(blocked_prior * candidates / max(all_pairs, 1.0), 1e-12), 0.5)
    info = {
        "records": table.size,
        "em_sessions": [
            {
                "rule": settings.blocking[i].name,
                "pairs": int(n),
                "iterations": r.iterations,
                "converged": r.converged,
                "prior": round(r.prior, 6),
            }
            for i, ((r, _, n)) in enumerate(sessions)
        ],
        "prior_pairs": everything.total,
        "candidate_pairs": candidates,
        "candidate_match_share": round(blocked_prior, 6),
        "u_random_pairs": min(u_pairs, table.size * (table.size - 1) // 2),
        "term_frequencies": top_term_frequencies(settings, table),
    }
    return with_estimates(settings, m=m, u=u, prior=prior, trained_on=info)


def dedupe_table(
    table: RecordTable,
    settings: MatchSettings,
    *,
    train_model: bool = True,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    pair_sink: PairSink | None = None,
    pair_min_probability: float | None = None,
    seed: int = 0,
) -> DedupeResult:
    """Dedupe a standardized table; see the module docstring for the steps.

    ``progress`` is called with the number of pairs scored per chunk (after
    ``on_total`` got the total); ``pair_sink`` receives every pair at or above
    ``pair_min_probability`` (default: the review threshold) with its explanation.
    """
    total = _count_pairs(settings, table)
    if on_total:
        on_total(total)
    if train_model and table.size >= 2:
        settings = train(settings, table, seed=seed)
    tf = term_frequencies(settings, table, None)
    keep_at = settings.thresholds.review
    sink_at = keep_at if pair_min_probability is None else pair_min_probability
    kept_l: list[IntArray] = []
    kept_r: list[IntArray] = []
    kept_p: list[FloatArray] = []
    for left, right in candidate_pairs(settings, table):
        gammas = comparison_vectors(settings, table, left, right)
        scored = score_pairs(settings, gammas, table, left, tf)
        keep = scored.probability >= min(keep_at, sink_at)
        if pair_sink is not None:
            rows = np.flatnonzero(scored.probability >= sink_at)
            pair_sink(
                [
                    {
                        "left": int(left[k]),
                        "right": int(right[k]),
                        **explain(settings, gammas[k], scored.parts[k]),
                    }
                    for k in rows.tolist()
                ]
            )
        keep &= scored.probability >= keep_at
        kept_l.append(left[keep])
        kept_r.append(right[keep])
        kept_p.append(scored.probability[keep])
        if progress:
            progress(len(left))
    left = np.concatenate(kept_l) if kept_l else np.zeros(0, dtype=np.int64)
    right = np.concatenate(kept_r) if kept_r else np.zeros(0, dtype=np.int64)
    prob = np.concatenate(kept_p) if kept_p else np.zeros(0, dtype=np.float64)
    links = prob >= settings.thresholds.link
    strong = {k: table.codes[k] for k in settings.strong_identifiers if k in table.codes}
    clusters = cluster_links(table.size, left[links], right[links], prob[links], strong)
    best = np.full(table.size, np.nan)
    followed = np.ones(int(links.sum()), dtype=bool)
    followed[clusters.refused] = False
    ll, rr, pp = left[links][followed], right[links][followed], prob[links][followed]
    same = clusters.labels[ll] == clusters.labels[rr]
    for side in (ll[same], rr[same]):
        np.fmax.at(best, side, pp[same])
    review_mask = ~links
    review = list(
        zip(
            left[review_mask].tolist(),
            right[review_mask].tolist(),
            prob[review_mask].tolist(),
            strict=True,
        )
    )
    refused = np.flatnonzero(links)[clusters.refused]
    review += list(
        zip(left[refused].tolist(), right[refused].tolist(), prob[refused].tolist(), strict=True)
    )
    stats = {
        "candidate_pairs": total,
        "links": int(links.sum()),
        "refused_links": len(clusters.refused),
        "settings_version": settings.version,
    }
    return DedupeResult(clusters.labels, best, settings, stats, review)


def dedupe(
    records: Iterable[Mapping[str, Any]],
    entity_type: str,
    *,
    settings: MatchSettings | None = None,
    train_model: bool = True,
    **options: Any,
) -> DedupeResult:
    """Standardize canonical ``records`` of ``entity_type`` and dedupe them."""
    chosen = settings or default_settings(entity_type)
    columns = standardize_columns(entity_type, list(records), table_fields(chosen))
    table = RecordTable.from_columns(columns)
    return dedupe_table(table, chosen, train_model=train_model, **options)


def table_fields(settings: MatchSettings) -> tuple[str, ...]:
    """Every standardized field batch dedupe reads: comparisons, blocking, strong ids, sort."""
    return tuple(
        dict.fromkeys(settings.fields + settings.strong_identifiers + _blocking_fields(settings))
    )


def _blocking_fields(settings: MatchSettings) -> tuple[str, ...]:
    names = {key.split(":")[0] for rule in settings.blocking for key in rule.keys}
    if settings.sort_field:
        names.add(settings.sort_field)
    return tuple(sorted(names - set(settings.fields)))


_ADDRESS_COLUMNS = {
    "address_line1": "line1",
    "address_line2": "line2",
    "city": "city",
    "region": "region",
    "postcode": "postcode",
    "country": "country",
}


def record_from_flat(row: Mapping[str, str | None]) -> dict[str, Any]:
    """Canonical record from a flat CSV row: empty strings are null, address columns nested."""
    record: dict[str, Any] = {}
    address: dict[str, str] = {}
    for column, value in row.items():
        if value is None or value == "" or column in ("id", "source"):
            continue
        if column in _ADDRESS_COLUMNS:
            address[_ADDRESS_COLUMNS[column]] = value
        else:
            record[column] = value
    if address:
        record["address"] = address
    return record
