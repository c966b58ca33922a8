"""The Arrow-batch functions Spark runs on its executors: the local engine's own kernels.

Each function takes one Arrow record batch and gives one back; ``mapInArrow`` calls them.
None of them re-implements the model: a batch of records or of pairs becomes a small
:class:`~matching.table.RecordTable` of its own (row ``k`` of the batch, and for pairs
row ``n + k`` for the right side), and the local engine's functions run on it:
standardization (:mod:`matching.standardize`, through the reader the caller passes),
blocking keys (:func:`matching.blocking.rule_codes` on the batch's values),
comparison vectors (:func:`matching.compare.comparison_vectors`, numpy and rapidfuzz),
scoring and the review/veto rules (``matching.batch.score_chunk``). Codes in a batch's
table are equal exactly when the values are, and nothing the kernels read depends on
the rest of the data (term frequencies come from the settings), so a pair gets the
same levels, weight and explanation as in the local engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from matching.batch import ScoreJob, score_chunk, table_fields
from matching.blocking import rule_codes
from matching.candidates import Candidates
from matching.compare import comparison_vectors
from matching.decision import verdicts
from matching.explanation import ScoredPair
from matching.hierarchy import group_pairs
from matching.scoring import settings_term_frequencies
from matching.settings import MatchSettings
from matching.table import DERIVED_SOURCES, RecordTable
from matching.transforms import parse_key

__all__ = [
    "KEY_SEPARATOR",
    "Kernels",
    "RowsReader",
    "std_columns",
    "tf_fields",
]

RowsReader = Callable[[Sequence[str], list[list[str]]], tuple[list[str], RecordTable]]
"""(header, rows of cells) -> (each row's id, the standardized table of the rows): how a
flat file's rows become records is the caller's (``mdm dedupe``'s CSV rules)."""

KEY_SEPARATOR = "\x1f"
"""Joins the parts of a blocking key: a unit separator no standardized value holds."""


def std_columns(settings: MatchSettings) -> list[str]:
    """Every standardized column the kernels read, derived columns' sources included."""
    names = list(table_fields(settings))
    for name in list(names):
        names += [s for s in DERIVED_SOURCES.get(name, ()) if s not in names]
    return names


def tf_fields(settings: MatchSettings) -> list[str]:
    """The columns scoring reads: each term-frequency-adjusted level's field."""
    out: dict[str, None] = {}
    for comp in settings.comparisons:
        for level in comp.levels:
            if level.tf_adjustment or level.tf_exclusive:
                name = comp.fields[0] if level.tf_exclusive else level.field or comp.fields[0]
                out[parse_key(name)[0]] = None
                out[parse_key(level.field or comp.fields[0])[0]] = None
    return list(out)


def _strings(batch: pa.RecordBatch, name: str) -> list[str | None]:
    values: list[str | None] = batch.column(batch.schema.get_field_index(name)).to_pylist()
    return values


def _texts(batch: pa.RecordBatch, name: str) -> list[str]:
    """A column without nulls (record ids; the ``value`` of Spark's text source)."""
    values: list[str] = batch.column(batch.schema.get_field_index(name)).to_pylist()
    return values


def _side_table(batch: pa.RecordBatch, names: Sequence[str]) -> RecordTable:
    """Left rows then right rows of a batch of pairs (columns ``l_<name>``, ``r_<name>``)."""
    n = batch.num_rows
    columns = {name: _strings(batch, f"l_{name}") + _strings(batch, f"r_{name}") for name in names}
    return RecordTable.from_columns(columns, size=2 * n)


@dataclass(frozen=True, slots=True)
class Kernels:
    """The settings and the readers every kernel needs, shipped to the executors once."""

    settings: MatchSettings
    read_rows: RowsReader | None = None
    read_records: Callable[[list[bytes]], tuple[list[str], RecordTable]] | None = None

    # -- records ----------------------------------------------------------------------

    def standardized(self, table: RecordTable, rows: Any, ids: list[str]) -> pa.RecordBatch:
        """One standardized row per record: ``row``, ``id``, the columns, ``sort`` and one
        blocking key per rule (``k<i>``, null where the record has none)."""
        settings = self.settings
        arrays: dict[str, Any] = {"row": rows, "id": pa.array(ids, pa.string())}
        for name in std_columns(settings):
            arrays[name] = pa.array(table.values(name), pa.string())
        sort = settings.sort_field
        values = table.values(sort) if sort else [None] * table.size
        arrays["sort"] = pa.array(values, pa.string())
        for index, rule in enumerate(settings.blocking):
            keys = _block_keys(rule.keys, rule_codes(rule, table), table)
            arrays[f"k{index}"] = pa.array(keys, pa.string())  # typed: a batch may have none
        return pa.RecordBatch.from_pydict(arrays)

    def standardize_rows(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Raw flat rows (every column a string, plus ``row``) to standardized rows."""
        assert self.read_rows is not None
        for batch in batches:
            header = [n for n in batch.schema.names if n != "row"]
            cells = [["" if v is None else v for v in _strings(batch, name)] for name in header]
            rows = [list(r) for r in zip(*cells, strict=True)] if cells else []
            ids, table = self.read_rows(header, rows)
            yield self.standardized(table, batch.column(batch.schema.get_field_index("row")), ids)

    def keyed(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Records standardized already (``row``, ``id`` and the :func:`std_columns`, as
        the hub holds them) to standardized rows with their blocking keys."""
        names = std_columns(self.settings)
        for batch in batches:
            columns = {name: _strings(batch, name) for name in names}
            table = RecordTable.from_columns(columns, size=batch.num_rows)
            rows = batch.column(batch.schema.get_field_index("row"))
            yield self.standardized(table, rows, _texts(batch, "id"))

    def standardize_lines(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """JSON Lines (column ``value``, plus ``row``) to standardized rows."""
        assert self.read_records is not None
        for batch in batches:
            lines = [v.encode() for v in _texts(batch, "value")]
            ids, table = self.read_records(lines)
            yield self.standardized(table, batch.column(batch.schema.get_field_index("row")), ids)

    # -- pairs ------------------------------------------------------------------------

    def compare(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        """Pairs with both sides' columns to their comparison vectors (``g<c>``), the
        blocking rules whose block they share (bit ``i`` of ``blocks``), the evidence
        that two organisations are of one group (``group``,
        :func:`matching.hierarchy.group_pairs`) and the columns scoring reads
        (``l_``/``r_`` of :func:`tf_fields`)."""
        settings = self.settings
        names = std_columns(settings)
        for batch in batches:
            n = batch.num_rows
            table = _side_table(batch, names)
            left = np.arange(n, dtype=np.int64)
            gammas = comparison_vectors(settings, table, left, left + n)
            blocks = np.zeros(n, dtype=np.int64)
            for index, rule in enumerate(settings.blocking):
                codes = rule_codes(rule, table)
                blocks |= ((codes[:n] >= 0) & (codes[:n] == codes[n:])).astype(np.int64) << index
            arrays: dict[str, Any] = {k: batch.column(k) for k in ("l", "r", "rule")}
            arrays["blocks"] = blocks
            arrays["group"] = pa.array(group_pairs(table, left, left + n), pa.int8())
            for col in range(gammas.shape[1]):
                arrays[f"g{col}"] = pa.array(gammas[:, col], pa.int8())
            for name in tf_fields(settings):
                arrays[f"l_{name}"] = batch.column(f"l_{name}")
                arrays[f"r_{name}"] = batch.column(f"r_{name}")
            yield pa.RecordBatch.from_pydict(arrays)

    def score(
        self, batches: Iterator[pa.RecordBatch], sink_at: float | None
    ) -> Iterator[pa.RecordBatch]:
        """Compared pairs to the ones kept for clustering (at or above the review
        threshold, ``veto`` where they may not link) and, with ``sink_at``, the ones at or
        above it with their explanation: exactly ``matching.batch.score_chunk``."""
        settings = self.settings
        width = len(settings.comparisons)
        names = tf_fields(settings)
        for batch in batches:
            n = batch.num_rows
            table = _side_table(batch, names)
            gammas = (
                np.stack(
                    [batch.column(f"g{c}").to_numpy(zero_copy_only=False) for c in range(width)],
                    axis=1,
                )
                .astype(np.int8)
                .reshape(n, width)
            )
            rows = np.arange(n, dtype=np.int32)
            pairs = Candidates(rows, rows + n, np.zeros(n, dtype=np.int16))
            tf = settings_term_frequencies(settings, table)
            job = ScoreJob(settings, table, pairs, gammas, tf, sink_at)
            (left, _, prob, veto), explained = score_chunk(job, (0, n))
            link = (verdicts(settings, prob) == "link") & ~veto
            yield _scored(batch, left, prob, veto, explained, link)


def _scored(
    batch: pa.RecordBatch,
    left: npt.NDArray[np.int64],
    prob: npt.NDArray[np.float64],
    veto: npt.NDArray[np.bool_],
    explained: list[ScoredPair],
    link: npt.NDArray[np.bool_],
) -> pa.RecordBatch:
    """Kept pairs and explained pairs of one batch, one row per pair that is either;
    ``link``: the kept pairs that link (not vetoed), the edges of the link graph."""
    n = batch.num_rows
    kept = np.zeros(n, dtype=bool)
    kept[left] = True
    probability = np.full(n, np.nan)
    probability[left] = prob
    vetoed = np.zeros(n, dtype=bool)
    vetoed[left] = veto
    links = np.zeros(n, dtype=bool)
    links[left] = link
    weight = np.full(n, np.nan)
    shown = np.full(n, np.nan)  # the explanation's probability, as the pairs file has it
    explanation: list[str | None] = [None] * n
    for pair in explained:
        k = pair["left"]
        shown[k] = pair["match_probability"]
        weight[k] = pair["match_weight"]
        explanation[k] = json.dumps(pair["comparisons"], separators=(",", ":"))
    chosen = np.flatnonzero(kept | ~np.isnan(weight))
    return pa.RecordBatch.from_pydict(
        {
            "l": batch.column("l").take(pa.array(chosen)),
            "r": batch.column("r").take(pa.array(chosen)),
            "probability": probability[chosen],
            "weight": pa.array(weight[chosen], from_pandas=True),
            "pair_probability": pa.array(shown[chosen], from_pandas=True),
            "kept": kept[chosen],
            "veto": vetoed[chosen],
            "link": links[chosen],
            "explanation": pa.array([explanation[k] for k in chosen.tolist()], pa.string()),
        }
    )


def _block_keys(
    keys: Sequence[str], codes: npt.NDArray[np.int64], table: RecordTable
) -> list[str | None]:
    """Each row's blocking key as text (null where :func:`rule_codes` gives none)."""
    parts = [table.values(key) for key in keys]
    return [
        None if code < 0 else KEY_SEPARATOR.join(str(p[i]) for p in parts)
        for i, code in enumerate(codes.tolist())
    ]
