"""Initial load, step *plan*: every source's file validated, standardized, and clustered
by the batch engine at once, before anything is written.

Each source's items go through the ingest *validate* step (:mod:`mdm.domain.ingest.validate`:
the same schema, lenient salvage, quarantine rows and data-quality issues as the API) and
become new source records (:func:`mdm.domain.ingest.store.new_record`, which keeps the
matcher's standardized form, read in the source's default region). The standardized
records of all sources form one table; :func:`matching.batch.dedupe_table` blocks,
scores and clusters it under the hub's settings version, with the hub's decision
function (anti-chaining, review band, vetoes). Reading is done here, in no transaction:
on SQLite the API keeps writing while a million records are clustered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from canonical.commands import IngestItem
from canonical.schemas import CanonicalSchema
from matching.batch import DedupeResult, TableDedupe, dedupe_table, explain_pairs, table_fields
from matching.exact import SETTINGS_VERSION as EXACT_VERSION
from matching.forked import forked_map
from matching.hierarchy import reasons_of
from matching.port import Matcher
from matching.scoring import settings_term_frequencies
from matching.settings import MatchSettings, default_settings
from matching.table import RecordTable
from mdm.db.repositories.records import SourceRecord
from mdm.domain.ingest.run import Intake, ItemResult
from mdm.domain.ingest.store import new_record
from mdm.domain.ingest.validate import validate
from mdm.domain.learning_table import MIN_TRAINING_RECORDS

__all__ = ["BulkPlan", "SourcePart", "plan"]


@dataclass
class SourcePart:
    """One source's file after validation: its intake, a result per item, the quarantine
    rows of rejected items and the issues of accepted ones (as :class:`~mdm.domain.ingest.
    validate.Validated` holds them), and its new records, in file order, with their
    blocking keys."""

    intake: Intake
    results: list[ItemResult] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    records: list[SourceRecord] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)


@dataclass
class BulkPlan:
    """Every source's part, and the clustering of their records taken together: row
    ``r`` of ``clusters`` is the ``r``-th record over the parts in order."""

    entity_type: str
    settings_version: str
    parts: list[SourcePart]
    labels: npt.NDArray[np.int64]  # the cluster of each row
    partner: npt.NDArray[np.int64]  # the row each row's strongest link is with (-1: none)
    # rows -> why each that joined a cluster joined it (computed when its step is written)
    explain: Callable[[Sequence[int]], dict[int, Mapping[str, Any]]]
    review: list[tuple[int, int, float, Mapping[str, Any]]]  # rows, probability, explanation
    trained: MatchSettings | None = None  # settings estimated on these records, to store
    # organisations of one group kept apart: (later row, earlier row, reasons), see
    # matching.hierarchy; each becomes a proposed hierarchy link, as ingest proposes it
    related: list[tuple[int, int, list[str]]] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per step, for the user

    @property
    def rows(self) -> list[tuple[SourcePart, SourceRecord, list[str], int]]:
        """Per plan row: its part, record, blocking keys, and place in the part."""
        return [
            (p, r, k, i)
            for p in self.parts
            for i, (r, k) in enumerate(zip(p.records, p.keys, strict=True))
        ]


PART_CHUNK = 20_000
"""Items validated and standardized per task; a file of more runs on every core."""


@dataclass(frozen=True, slots=True)
class _PartJob:
    intake: Intake
    items: Sequence[IngestItem]


def source_part(
    *,
    matcher: Matcher,
    source: str,
    entity_type: str,
    schema: CanonicalSchema,
    items: Sequence[IngestItem],
    region: str | None,
    lenient: bool,
    correlation_id: str,
    now: datetime,
) -> SourcePart:
    """Validate one source's items and make its new records (no database needed: the
    run's unit of work is set when the plan is written). Chunks of the file run on
    processes forked from this one (:func:`matching.forked.forked_map`): validation and
    standardization are most of an initial load's time."""
    intake = Intake(
        matcher=matcher,
        source=source,
        entity_type=entity_type,
        schema=schema,
        correlation_id=correlation_id,
        quarantine_invalid=True,
        now=now,
        default_region=region,
        lenient=lenient,
    )
    bounds = [(i, min(i + PART_CHUNK, len(items))) for i in range(0, len(items), PART_CHUNK)]
    part = SourcePart(intake)
    at: dict[str, int] = {}  # source id -> its place in the part
    for chunk in forked_map(_chunk, _PartJob(intake, items), bounds):
        results, quarantine, issues, made = chunk
        part.results += results
        part.quarantine += quarantine
        part.issues += issues
        for record, keys in made:
            place = at.get(record["source_id"])
            if place is None:
                at[record["source_id"]] = len(part.records)
                part.records.append(record)
                part.keys.append(keys)
            else:
                # the file holds the record twice: the later row is its next version, as
                # two PUTs would make it; the initial load keeps the last one only
                record["id"] = part.records[place]["id"]
                part.records[place], part.keys[place] = record, keys
    return part


_Made = tuple[SourceRecord, list[str]]


def _chunk(
    job: _PartJob, bounds: tuple[int, int]
) -> tuple[list[ItemResult], list[dict[str, Any]], list[dict[str, Any]], list[_Made]]:
    """Validate ``items[start:stop]`` and make their records and blocking keys (each
    record's first version is made when it is written: held for a million records, those
    rows were a tenth of the load's memory)."""
    start, stop = bounds
    intake = job.intake
    validated = validate(intake, job.items[start:stop])
    made: list[_Made] = []
    for item in validated.valid:
        record = new_record(intake, item)
        keys = intake.matcher.keys(
            intake.entity_type, item.record, default_region=intake.default_region
        )
        made.append((record, keys))
    for result in validated.results:
        result.index += start
    return validated.results, validated.quarantine, validated.issues, made


def plan(
    entity_type: str,
    settings: MatchSettings | None,
    parts: list[SourcePart],
    *,
    train: bool = False,
    dedupe: TableDedupe = dedupe_table,
) -> BulkPlan:
    """Cluster the records of every part at once (``settings`` None: the entity type is
    matched on its identifier alone, as :mod:`matching.exact` does for prices). With
    ``train`` (and enough records), ``u``, ``m`` and the prior are estimated on the
    records first, from the shipped settings, exactly as ``mdm dedupe`` trains.
    ``dedupe`` is the batch engine (:mod:`mdm.domain.batch_engine`): this machine's or
    Spark's, the rest is the same."""
    if settings is None:
        return _exact_plan(entity_type, parts)
    std = [r["match_std"] or {} for p in parts for r in p.records]
    table = RecordTable.from_rows(std, table_fields(settings))
    if table.size == 0:
        return _exact_plan(entity_type, parts)
    train = train and table.size >= MIN_TRAINING_RECORDS
    base = default_settings(entity_type) if train else settings
    result = dedupe(table, base, train_model=train)
    if train:
        sources = sorted({p.intake.source for p in parts})
        settings = replace(
            result.settings, trained_on={**result.settings.trained_on, "sources": sources}
        )
    review = _review(settings, table, result)
    return BulkPlan(
        entity_type,
        settings.version,
        parts,
        result.labels,
        result.partner,
        _explainer(settings, table, result),
        review,
        settings if train else None,
        related=[(r, e, reasons_of(bits)) for r, e, bits in result.related_parties],
    )


def _explainer(
    settings: MatchSettings, table: RecordTable, result: DedupeResult
) -> Callable[[Sequence[int]], dict[int, Mapping[str, Any]]]:
    """Explanations of the rows given that joined a cluster, made when asked: held for a
    million records, they were the largest part of a load's memory."""
    first = _first_rows(result.labels)  # the first row of a cluster created it
    tf = settings_term_frequencies(settings, table)

    def explain(rows: Sequence[int]) -> dict[int, Mapping[str, Any]]:
        linked = [r for r in rows if result.partner[r] >= 0 and not first[r]]
        at = np.asarray(linked, dtype=np.int64)
        why = explain_pairs(settings, table, at, result.partner[at], tf=tf)
        return dict(zip(linked, why, strict=True))

    return explain


def _exact_plan(entity_type: str, parts: list[SourcePart]) -> BulkPlan:
    """Records that share their first identifier key are one cluster, as the exact
    matcher links them (a price: its product, price book, currency, period and start)."""
    keys = [k[0] if k else None for p in parts for k in p.keys]
    labels = np.arange(len(keys), dtype=np.int64)
    partner = np.full(len(keys), -1, dtype=np.int64)
    explanations: dict[int, dict[str, Any]] = {}  # a handful: prices are few
    first_of: dict[str, int] = {}
    for row, key in enumerate(keys):
        if key is None:
            continue
        if key in first_of:
            labels[row] = partner[row] = first_of[key]
            explanations[row] = {"match_probability": 1.0, "identifier": key}
        else:
            first_of[key] = row

    def explain(rows: Sequence[int]) -> dict[int, Mapping[str, Any]]:
        return {r: explanations[r] for r in rows if r in explanations}

    return BulkPlan(entity_type, EXACT_VERSION, parts, labels, partner, explain, [])


def _first_rows(labels: Iterable[int]) -> np.ndarray:
    """True for the first row of each cluster (in file order)."""
    labels = np.asarray(labels)
    first = np.zeros(len(labels), dtype=bool)
    _, index = np.unique(labels, return_index=True)
    first[index] = True
    return first


def _review(
    settings: MatchSettings, table: RecordTable, result: DedupeResult
) -> list[tuple[int, int, float, Mapping[str, Any]]]:
    """One review pair per two clusters (the most probable), with its explanation."""
    best: dict[tuple[int, int], tuple[int, int, float]] = {}
    for left, right, prob in result.review:
        a, b = int(result.labels[left]), int(result.labels[right])
        key = (min(a, b), max(a, b))
        if key not in best or prob > best[key][2]:
            best[key] = (left, right, prob)
    pairs = sorted(best.values())
    lefts = np.asarray([p[0] for p in pairs], dtype=np.int64)
    rights = np.asarray([p[1] for p in pairs], dtype=np.int64)
    why = explain_pairs(settings, table, lefts, rights)
    return [(a, b, p, w) for (a, b, p), w in zip(pairs, why, strict=True)]
