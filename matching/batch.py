"""Batch dedupe: a whole file of records in, one cluster per record out.

Pipeline: standardize every record once -> columnar table -> (optionally)
train: u from random pairs, m and prior by EM on a sample of candidate pairs
-> stream candidate pairs block by block, compare and score each chunk in
bulk, keep only pairs at or above the review threshold -> cluster the links
at or above the link threshold without chaining conflicting strong
identifiers.

Blocking runs once (:mod:`matching.candidates`): the candidate pairs and
their comparison vectors are kept (int32 rows and int8 levels, about 30
bytes a pair) and read by training and by scoring, which goes chunk by
chunk and keeps only pairs at or above the review threshold. The functions
are pure: they read the records given and return results; writing files is
the caller's job. Records are canonical dicts; files are read into them by
``canonical.flat.record_from_flat`` (the columns and aliases a CSV may use).

Scoring uses the term frequencies stored in the settings, exactly as the
hub does (:func:`matching.scoring.settings_term_frequencies`), and a pair
links, goes to review or is left by :func:`matching.decision.verdict`, so a
pair gets the same answer from ``mdm dedupe`` and from the hub under the
same settings version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Unpack

import numpy as np
import numpy.typing as npt

from matching.batch_training import train, train_on_candidates
from matching.batch_values import DedupeOptions, DedupeStats, PairSink
from matching.candidates import Candidates, block_table, blocking_recall, compare_all
from matching.clustering import cluster_links
from matching.decision import outright_disagreement, related_pairs, verdicts
from matching.explanation import PairExplanation, ScoredPair
from matching.forked import forked_map
from matching.hierarchy import group_pairs
from matching.scoring import explain, score_pairs, settings_term_frequencies
from matching.settings import MatchSettings, default_settings
from matching.standardize import standardize_columns as _standardize_columns
from matching.table import DERIVED_SOURCES, RecordTable

__all__ = [
    "DedupeOptions",
    "DedupeResult",
    "DedupeStats",
    "KeptPairs",
    "PairSink",
    "ScoreJob",
    "TableDedupe",
    "blocking_recall",
    "cluster_kept",
    "dedupe",
    "dedupe_table",
    "explain_pairs",
    "related_parties",
    "score_chunk",
    "standardize_columns",
    "strong_codes",
    "table_fields",
    "train",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class TableDedupe(Protocol):
    """An engine that dedupes a standardized table: :func:`dedupe_table` on this machine,
    ``matching.spark.table.spark_dedupe_table`` on Spark. The initial load and the rematch
    take one, and what they do with its :class:`DedupeResult` is the same code either way."""

    def __call__(
        self, table: RecordTable, settings: MatchSettings, *, train_model: bool
    ) -> DedupeResult: ...


@dataclass(slots=True)
class DedupeResult:
    """Cluster label (smallest row index in the cluster) and best link probability per row."""

    labels: IntArray
    match_probability: FloatArray  # NaN for records that joined no one
    settings: MatchSettings
    stats: DedupeStats
    review: list[tuple[int, int, float]] = field(default_factory=list)
    # the row each row's strongest followed link is with (-1: it joined no one)
    partner: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # organisations of one group kept apart: (row, earlier row, reason bits), one per cluster
    related_parties: list[tuple[int, int, int]] = field(default_factory=list)


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

    ``progress`` is called with the number of pairs compared per chunk (after
    ``on_total`` got the total); ``pair_sink`` receives every pair at or above
    ``pair_min_probability`` (default: the review threshold) with its explanation.
    """
    candidates = block_table(settings, table)
    if on_total:
        on_total(len(candidates))
    gammas = compare_all(settings, table, candidates, progress=progress)
    if train_model and table.size >= 2:
        settings = train_on_candidates(settings, table, candidates, gammas, seed=seed)
    sink_at = settings.thresholds.review if pair_min_probability is None else pair_min_probability
    kept = _score(settings, table, candidates, gammas, pair_sink, sink_at)
    result = cluster_kept(settings, table, kept, len(candidates))
    result.related_parties = _related_parties(table, candidates, result)
    return result


def _related_parties(
    table: RecordTable, candidates: Candidates, result: DedupeResult
) -> list[tuple[int, int, int]]:
    left = candidates.left.astype(np.int64)
    right = candidates.right.astype(np.int64)
    bits = group_pairs(table, left, right)
    found = np.flatnonzero(bits)
    return related_parties(left[found], right[found], bits[found], result)


def related_parties(
    left: IntArray, right: IntArray, bits: npt.NDArray[np.int8], result: DedupeResult
) -> list[tuple[int, int, int]]:
    """Per cluster, one pair of organisations of one group (:mod:`matching.hierarchy`) with
    the earliest other cluster, where the two clusters are neither one nor under review: the
    hierarchy link the hub proposes to a steward, as ingest does when the later arrives.

    ``left``, ``right`` and ``bits`` are the candidate pairs with group evidence
    (:func:`matching.hierarchy.group_pairs`); they are taken in (left, right) order, so the
    pair chosen does not depend on the order another engine found them in."""
    order = np.lexsort((right, left))
    left, right, bits = left[order], right[order], bits[order]
    labels = result.labels
    reviewed = {
        (min(x, y), max(x, y))
        for x, y in ((int(labels[p]), int(labels[q])) for p, q, _ in result.review)
    }
    best: dict[int, tuple[int, int, int]] = {}
    for k in range(len(left)):
        lo, hi = sorted((int(left[k]), int(right[k])), key=lambda row: labels[row])
        a, b = int(labels[lo]), int(labels[hi])
        if a == b or (a, b) in reviewed:
            continue
        if b not in best or a < labels[best[b][1]]:
            best[b] = (hi, lo, int(bits[k]))
    return [best[b] for b in sorted(best)]


SCORE_CHUNK_PAIRS = 1_000_000
"""Candidate pairs scored per task (probabilities and parts of a chunk: about 100 MB)."""

KeptPairs = tuple[IntArray, IntArray, FloatArray, npt.NDArray[np.bool_]]
"""Kept pairs: left, right, probability, and whether an unvalidated identifier vetoes."""


def _score(
    settings: MatchSettings,
    table: RecordTable,
    candidates: Candidates,
    gammas: npt.NDArray[np.int8],
    pair_sink: PairSink | None,
    sink_at: float,
) -> KeptPairs:
    """Pairs at or above the review threshold, scored chunk by chunk (the rest is dropped),
    the chunks on forked workers (:func:`matching.forked.forked_map`)."""
    tf = settings_term_frequencies(settings, table)
    chunk_size = SCORE_CHUNK_PAIRS
    bounds = [
        (start, min(start + chunk_size, len(candidates)))
        for start in range(0, len(candidates), chunk_size)
    ]
    shared = ScoreJob(settings, table, candidates, gammas, tf, sink_at if pair_sink else None)
    kept: list[KeptPairs] = []
    for part, pairs in forked_map(score_chunk, shared, bounds):
        if pair_sink is not None:
            pair_sink(pairs)
        kept.append(part)
    if not kept:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), np.zeros(0, dtype=bool)
    return tuple(np.concatenate([k[i] for k in kept]) for i in range(4))  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class ScoreJob:
    settings: MatchSettings
    table: RecordTable
    candidates: Candidates
    gammas: npt.NDArray[np.int8]
    tf: dict[str, FloatArray]
    sink_at: float | None  # None: no pair sink, no explanations


def score_chunk(job: ScoreJob, bounds: tuple[int, int]) -> tuple[KeptPairs, list[ScoredPair]]:
    start, stop = bounds
    left = job.candidates.left[start:stop].astype(np.int64)
    right = job.candidates.right[start:stop].astype(np.int64)
    chunk = job.gammas[start:stop]
    scored = score_pairs(job.settings, chunk, job.table, left, job.tf, right)
    pairs: list[ScoredPair] = []
    if job.sink_at is not None:
        pairs = [
            {
                "left": int(left[k]),
                "right": int(right[k]),
                **explain(job.settings, chunk[k], scored.parts[k], scored.related[k]),
            }
            for k in np.flatnonzero(scored.probability >= job.sink_at).tolist()
        ]
    thresholds = job.settings.thresholds
    # a related pair under the link threshold is two parties, not a review (verdict)
    related = related_pairs(job.settings, chunk)
    keep = (scored.probability >= thresholds.review) & ~(
        related & (scored.probability < thresholds.link)
    )
    # neither an outright identifier disagreement nor relatives link automatically
    veto = outright_disagreement(job.settings, chunk[keep]) | related[keep]
    return (left[keep], right[keep], scored.probability[keep], veto), pairs


def strong_codes(settings: MatchSettings, table: RecordTable) -> dict[str, npt.NDArray[np.int32]]:
    """Codes of each checksum-validated strong identifier per row (``-1``: absent or invalid).

    Only two validated values can veto a link across a whole cluster: an
    identifier that fails its checksum is most often a typo of the right one,
    and weighs as evidence through its comparison levels instead. Strong
    identifiers without a checksum (registration numbers) veto pair by pair,
    when they disagree outright (:func:`matching.decision.outright_disagreement`).
    """
    out: dict[str, npt.NDArray[np.int32]] = {}
    for name in settings.strong_identifiers:
        flag = settings.identifier_validity.get(name)
        if name not in table.codes or not flag:
            continue
        codes = table.codes[name]
        if flag in table.codes:
            codes = np.where(table.codes[flag] >= 0, codes, -1).astype(np.int32)
        out[name] = codes
    return out


def cluster_kept(
    settings: MatchSettings, table: RecordTable, kept: KeptPairs, total: int
) -> DedupeResult:
    """Clusters from the links, the review pairs, and each row's strongest followed link.

    The pairs are taken in (left, right) order, so links of equal strength meet the
    anti-chaining rule in one order whatever order the pairs were found in (another
    engine, :mod:`matching.spark`, finds them in another)."""
    order = np.lexsort((kept[1], kept[0]))
    left, right, prob, veto = kept[0][order], kept[1][order], kept[2][order], kept[3][order]
    links = np.flatnonzero((verdicts(settings, prob) == "link") & ~veto)
    clusters = cluster_links(
        table.size, left[links], right[links], prob[links], strong_codes(settings, table)
    )
    followed = np.ones(len(links), dtype=bool)
    followed[clusters.refused] = False
    ll, rr, pp = (x[links][followed] for x in (left, right, prob))
    same = clusters.labels[ll] == clusters.labels[rr]
    best = np.full(table.size, np.nan)
    for side in (ll[same], rr[same]):
        np.fmax.at(best, side, pp[same])
    partner = _partners(table.size, ll[same], rr[same], pp[same])
    # pairs whose records ended in one cluster anyway leave nothing to decide
    to_review = clusters.labels[left] != clusters.labels[right]
    to_review[links[followed]] = False
    review = list(
        zip(
            left[to_review].tolist(),
            right[to_review].tolist(),
            prob[to_review].tolist(),
            strict=True,
        )
    )
    stats: DedupeStats = {
        "candidate_pairs": total,
        "links": len(links),
        "refused_links": len(clusters.refused),
        "settings_version": settings.version,
    }
    return DedupeResult(clusters.labels, best, settings, stats, review, partner)


def _partners(size: int, left: IntArray, right: IntArray, prob: FloatArray) -> IntArray:
    """Per row, the other side of its most probable link (-1: none): the pair an
    explanation of why the row joined its cluster shows."""
    partner = np.full(size, -1, dtype=np.int64)
    rows = np.concatenate([left, right])
    others = np.concatenate([right, left])
    order = np.argsort(np.concatenate([prob, prob]), kind="stable")
    partner[rows[order]] = others[order]  # the last write, the most probable, wins
    return partner


def explain_pairs(
    settings: MatchSettings,
    table: RecordTable,
    left: IntArray,
    right: IntArray,
    *,
    tf: Mapping[str, FloatArray] | None = None,
) -> list[PairExplanation]:
    """The explanation of each pair ``(left[k], right[k])`` of ``table``'s rows, as the
    hub stores with a decision: compared, scored and explained exactly as in dedupe
    (``tf``: the settings' term frequencies on the table, when the caller has them)."""
    if len(left) == 0:
        return []
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    pairs = Candidates(lo.astype(np.int32), hi.astype(np.int32), np.zeros(len(lo), np.int16))
    gammas = compare_all(settings, table, pairs, processes=1)
    tf = settings_term_frequencies(settings, table) if tf is None else tf
    scored = score_pairs(settings, gammas, table, lo.astype(np.int64), tf, hi.astype(np.int64))
    return [
        explain(settings, gammas[k], scored.parts[k], scored.related[k]) for k in range(len(lo))
    ]


def dedupe(
    records: Iterable[Mapping[str, Any]],
    entity_type: str,
    *,
    settings: MatchSettings | None = None,
    train_model: bool = True,
    **options: Unpack[DedupeOptions],
) -> DedupeResult:
    """Standardize canonical ``records`` of ``entity_type`` and dedupe them."""
    chosen = settings or default_settings(entity_type)
    columns = standardize_columns(entity_type, list(records), table_fields(chosen))
    table = RecordTable.from_columns(columns)
    return dedupe_table(table, chosen, train_model=train_model, **options)


def table_fields(settings: MatchSettings) -> tuple[str, ...]:
    """Every standardized field batch dedupe reads: comparisons, blocking, strong ids, sort."""
    derived = tuple(n for d in settings.fields for n in DERIVED_SOURCES.get(d, ()))
    return tuple(
        dict.fromkeys(
            settings.fields
            + derived
            + settings.strong_identifiers
            + tuple(settings.identifier_validity.values())
            + _blocking_fields(settings)
        )
    )


def _blocking_fields(settings: MatchSettings) -> tuple[str, ...]:
    names = {key.split(":")[0] for rule in settings.blocking for key in rule.keys}
    names.update(name for rule in settings.blocking for name in rule.unless)
    if settings.sort_field:
        names.add(settings.sort_field)
    return tuple(sorted(names - set(settings.fields)))
