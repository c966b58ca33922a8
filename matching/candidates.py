"""All candidate pairs of a table, blocked once and compared once.

Batch dedupe used to run the blocking rules three times (to count, to train,
to score) and compare the training sample twice. Here the rules run once:
:func:`block_table` keeps every candidate pair with the rule that found it
(``int32`` rows, so 20 million pairs take 180 MB), and :func:`compare_all`
computes each pair's comparison vector once; training (which needs only
level counts) and scoring (which needs m/u) both read those vectors. Chunks of
pairs are independent: after the first chunk (which builds every derived column
the comparisons read) the rest are compared in worker processes forked from this
one (:mod:`matching.forked`), so the table is shared, not copied, and only the
vectors come back.

:func:`blocking_recall` is the ceiling of recall: the share of true pairs
that some blocking rule puts side by side. Benchmarks call it with the truth
labels of a data set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from matching.blocking import pairs_by_rule, rule_codes
from matching.compare import comparison_vectors
from matching.forked import forked_map
from matching.settings import MatchSettings
from matching.table import RecordTable

__all__ = ["Candidates", "block_table", "blocking_recall", "compare_all", "in_rule_block"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate pairs ``(left[k], right[k])``, ``left < right``, each found by ``rule[k]``."""

    left: npt.NDArray[np.int32]
    right: npt.NDArray[np.int32]
    rule: npt.NDArray[np.int16]

    def __len__(self) -> int:
        return len(self.left)


def block_table(settings: MatchSettings, table: RecordTable) -> Candidates:
    """Every candidate pair of ``table`` under ``settings``' blocking rules, once each."""
    lefts: list[npt.NDArray[np.int32]] = []
    rights: list[npt.NDArray[np.int32]] = []
    rules: list[npt.NDArray[np.int16]] = []
    for index, left, right in pairs_by_rule(settings, table):
        lefts.append(left.astype(np.int32))
        rights.append(right.astype(np.int32))
        rules.append(np.full(len(left), index, dtype=np.int16))
    if not lefts:
        empty = np.zeros(0, dtype=np.int32)
        return Candidates(empty, empty, np.zeros(0, dtype=np.int16))
    return Candidates(np.concatenate(lefts), np.concatenate(rights), np.concatenate(rules))


WARM_UP_PAIRS = 100_000
"""Pairs compared in this process before the workers fork (they then share its columns)."""


def compare_all(
    settings: MatchSettings,
    table: RecordTable,
    candidates: Candidates,
    *,
    chunk_size: int = 1_000_000,
    progress: Callable[[int], None] | None = None,
    processes: int | None = None,
) -> npt.NDArray[np.int8]:
    """Comparison vectors of every candidate pair (rows), computed chunk by chunk.

    The first ``WARM_UP_PAIRS`` are compared here, which builds every derived column the
    comparisons read; the other chunks on ``processes`` forked workers
    (:func:`matching.forked.forked_map`), with the same result.
    """
    out = np.empty((len(candidates), len(settings.comparisons)), dtype=np.int8)
    total = len(candidates)
    warm = min(WARM_UP_PAIRS, chunk_size, total)  # builds the derived columns, then the workers
    bounds = [(0, warm)] if warm else []
    bounds += [(start, min(start + chunk_size, total)) for start in range(warm, total, chunk_size)]
    shared = (settings, table, candidates)
    first = [_compare_chunk(shared, bounds[0])] if bounds else []
    rest = forked_map(_compare_chunk, shared, bounds[1:], processes=processes)
    for (start, stop), gammas in zip(bounds, chain(first, rest), strict=True):
        out[start:stop] = gammas
        if progress:
            progress(stop - start)
    return out


def _compare_chunk(
    shared: tuple[MatchSettings, RecordTable, Candidates], bounds: tuple[int, int]
) -> npt.NDArray[np.int8]:
    settings, table, candidates = shared
    left = candidates.left[bounds[0] : bounds[1]].astype(np.int64)
    right = candidates.right[bounds[0] : bounds[1]].astype(np.int64)
    return comparison_vectors(settings, table, left, right)


def in_rule_block(
    settings: MatchSettings, table: RecordTable, candidates: Candidates, index: int
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs share a block of rule ``index`` (whichever rule found them)."""
    codes = rule_codes(settings.blocking[index], table)
    if not len(codes) or codes.max() < 0:  # the rule gives no record a key
        return np.zeros(len(candidates), dtype=bool)
    narrow = codes.astype(np.int32)  # half the memory traffic of gathering 10M pairs
    a, b = narrow[candidates.left], narrow[candidates.right]
    shared: npt.NDArray[np.bool_] = (a >= 0) & (a == b)
    return shared


def blocking_recall(
    table: RecordTable, settings: MatchSettings, truth: Sequence[object]
) -> dict[str, float | int]:
    """Share of true pairs (rows with equal, non-empty ``truth``) the blocking keeps.

    Returns ``true_pairs``, ``kept_true_pairs``, ``candidate_pairs`` and
    ``recall`` (1.0 when there are no true pairs). The table is the
    standardized one batch dedupe builds.
    """
    labels = [None if t is None or t == "" else t for t in truth]
    index: dict[object, int] = {}
    codes = np.array(
        [-1 if t is None else index.setdefault(t, len(index)) for t in labels], dtype=np.int64
    )
    counts = np.bincount(codes[codes >= 0], minlength=len(index))
    true_pairs = int((counts * (counts - 1) // 2).sum())
    cands = block_table(settings, table)
    a, b = codes[cands.left], codes[cands.right]
    kept = int(((a >= 0) & (a == b)).sum())
    return {
        "true_pairs": true_pairs,
        "kept_true_pairs": kept,
        "candidate_pairs": len(cands),
        "recall": kept / true_pairs if true_pairs else 1.0,
    }
