"""Comparison vectors for arrays of record pairs, in bulk.

:func:`comparison_vectors` gives, for every pair ``(left[k], right[k])`` and
every comparison of the settings, the index of the first level whose
condition holds. Null and exact levels are integer-code array operations;
fuzzy levels call rapidfuzz's ``process.cpdist`` once per (comparison, scorer)
on only the pairs no earlier level has claimed. There is no Python loop per
pair.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel, JaroWinkler, Levenshtein

from matching.settings import Comparison, MatchSettings
from matching.table import RecordTable

__all__ = ["PARALLEL_MIN_PAIRS", "comparison_vectors", "similarity"]

PARALLEL_MIN_PAIRS = 20_000
"""Below this many pairs one thread is faster than starting rapidfuzz's workers."""

# name -> (rapidfuzz scorer, factor turning its result into 0..1)
_SCORERS: dict[str, tuple[Callable[..., Any], float]] = {
    "jaro_winkler": (JaroWinkler.normalized_similarity, 1.0),
    "ratio": (Indel.normalized_similarity, 1.0),
    "levenshtein": (Levenshtein.normalized_similarity, 1.0),
    "token_sort_ratio": (fuzz.token_sort_ratio, 100.0),
    "token_set_ratio": (fuzz.token_set_ratio, 100.0),
    "partial_ratio": (fuzz.partial_ratio, 100.0),
    "wratio": (fuzz.WRatio, 100.0),
    # optimal string alignment: one typo or one transposition of neighbours is one edit
    "osa": (OSA.normalized_similarity, 1.0),
}


def _transposed(left: list[str], right: list[str], workers: int) -> npt.NDArray[np.float32]:
    """1 where the two values differ only by two neighbouring characters swapped, else 0.

    One edit in optimal string alignment that takes two in Levenshtein is
    exactly one transposition: ``12345`` / ``12354`` yes, ``12345`` / ``12346`` no.
    """
    osa = process.cpdist(left, right, scorer=OSA.distance, workers=workers, dtype=np.int32)
    lev = process.cpdist(left, right, scorer=Levenshtein.distance, workers=workers, dtype=np.int32)
    swapped: npt.NDArray[np.bool_] = (osa == 1) & (lev == 2)
    return swapped.astype(np.float32)


def similarity(
    scorer: str, left: list[str], right: list[str], cutoff: float = 0.0
) -> npt.NDArray[np.float32]:
    """Element-wise similarity in 0..1 of two equally long string lists (0 below ``cutoff``).

    ``transposition`` is 1 or 0: two neighbouring characters swapped, nothing else.
    """
    if not left:
        return np.zeros(0, dtype=np.float32)
    if scorer == "transposition":
        return _transposed(left, right, -1 if len(left) >= PARALLEL_MIN_PAIRS else 1)
    func, scale = _SCORERS[scorer]
    workers = -1 if len(left) >= PARALLEL_MIN_PAIRS else 1
    scores = process.cpdist(
        left,
        right,
        scorer=func,
        score_cutoff=cutoff * scale if cutoff else None,
        workers=workers,
        dtype=np.float32,
    )
    return np.asarray(scores / scale if scale != 1.0 else scores, dtype=np.float32)


def _cross(
    table: RecordTable,
    main: str,
    other: str,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """This side's ``main`` equals the other side's ``other`` and the other way round."""
    codes, uniques = table.column(main)
    index = {v: i for i, v in enumerate(uniques)}
    other_codes, other_uniques = table.column(other)
    lookup = np.array([index.get(v, -2) for v in other_uniques] + [-3], dtype=np.int64)
    mapped = lookup[other_codes]  # null (-1) indexes the trailing -3: never equal
    a, b = codes[left].astype(np.int64), codes[right].astype(np.int64)
    crossed: npt.NDArray[np.bool_] = (a >= 0) & (a == mapped[right]) & (mapped[left] == b)
    return crossed


def _fuzzy_cross(
    table: RecordTable,
    main: str,
    other: str,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    scorer: str,
    threshold: float,
) -> npt.NDArray[np.bool_]:
    """Crossed over with typos: this side's ``main`` is like the other side's ``other``
    (``scorer`` at or above ``threshold``) and the other way round."""
    out = np.zeros(len(left), dtype=bool)
    a, b = table.codes.get(main), table.codes.get(other)
    if a is None or b is None:
        return out
    rows = np.flatnonzero((a[left] >= 0) & (b[right] >= 0) & (b[left] >= 0) & (a[right] >= 0))
    for first, second in ((main, other), (other, main)):
        if not len(rows):
            break
        scores = _scores_across(table, first, second, left[rows], right[rows], scorer, threshold)
        rows = rows[scores >= threshold - 1e-6]
    out[rows] = True
    return out


def _scores_across(
    table: RecordTable,
    first: str,
    second: str,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    scorer: str,
    cutoff: float,
) -> npt.NDArray[np.float32]:
    """Similarity of ``first`` on the left to ``second`` on the right, once per distinct pair."""
    a = table.codes[first][left].astype(np.int64)
    b = table.codes[second][right].astype(np.int64)
    return _distinct_scores(table, first, second, a, b, scorer, cutoff)


def _distinct_scores(
    table: RecordTable,
    first: str,
    second: str,
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    scorer: str,
    cutoff: float,
) -> npt.NDArray[np.float32]:
    """``scorer`` of value ``a[k]`` of ``first`` and ``b[k]`` of ``second``, each distinct
    pair of codes scored once."""
    width = len(table.uniques[second])
    distinct, inverse = np.unique(a * width + b, return_inverse=True)
    scores = similarity(
        scorer,
        table.unique_values(first)[distinct // width].tolist(),
        table.unique_values(second)[distinct % width].tolist(),
        cutoff,
    )
    return scores[inverse]


def _initial(
    table: RecordTable, main: str, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """One side is a single letter and the other starts with it."""
    codes, _ = table.column(main)
    first, _ = table.column(f"{main}:prefix1")
    lengths = np.append(table.lengths(main), 0)
    a, b = codes[left], codes[right]
    short = (lengths[a] == 1) | (lengths[b] == 1)
    initial: npt.NDArray[np.bool_] = (a >= 0) & (b >= 0) & short & (first[left] == first[right])
    return initial


def _prefix(
    table: RecordTable, main: str, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """One side is a proper prefix of the other (a year only against a full date)."""
    codes, uniques = table.column(main)
    a, b = codes[left].astype(np.int64), codes[right].astype(np.int64)
    both = (a >= 0) & (b >= 0) & (a != b)
    out = np.zeros(len(left), dtype=bool)
    if not both.any():
        return out
    width = len(uniques)
    keys = np.minimum(a[both], b[both]) * width + np.maximum(a[both], b[both])
    distinct, inverse = np.unique(keys, return_inverse=True)
    hit = np.array(
        [
            (x := uniques[k // width]).startswith(y := uniques[k % width]) or y.startswith(x)
            for k in distinct.tolist()
        ],
        dtype=bool,
    )
    out[both] = hit[inverse]
    return out


def _levels(
    comp: Comparison,
    table: RecordTable,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
) -> npt.NDArray[np.int8]:
    n = len(left)
    out = np.full(n, len(comp.levels) - 1, dtype=np.int8)
    open_ = np.ones(n, dtype=bool)
    main = comp.fields[0]
    cached: dict[tuple[str, str], tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = {}
    for index, level in enumerate(comp.levels[:-1]):
        if not open_.any():
            break
        name = level.field or main
        rows = np.flatnonzero(open_)
        hit = np.zeros(n, dtype=bool)
        if level.kind == "null":
            for fname in comp.fields:
                codes = table.codes[fname]
                hit |= (codes[left] < 0) | (codes[right] < 0)
        elif level.kind == "exact":
            codes, _ = table.column(name)
            a, b = codes[left[rows]], codes[right[rows]]
            hit[rows[(a == b) & (a >= 0)]] = True
        elif level.kind == "cross" and level.scorer is not None:
            assert level.threshold is not None
            found = _fuzzy_cross(
                table, main, name, left[rows], right[rows], level.scorer, level.threshold
            )
            hit[rows[found]] = True
        elif level.kind == "cross":
            hit[rows[_cross(table, main, name, left[rows], right[rows])]] = True
        elif level.kind == "initial":
            hit[rows[_initial(table, name, left[rows], right[rows])]] = True
        elif level.kind == "prefix":
            hit[rows[_prefix(table, name, left[rows], right[rows])]] = True
        elif level.kind == "differ":
            codes, _ = table.column(name)
            a, b = codes[left[rows]], codes[right[rows]]
            hit[rows[(a >= 0) & (b >= 0) & (a != b)]] = True
        else:
            assert level.scorer is not None and level.threshold is not None
            key = (name, level.scorer)
            if key not in cached:
                codes, _ = table.column(name)
                rows = rows[(codes[left[rows]] >= 0) & (codes[right[rows]] >= 0)]
                cutoff = min(
                    lv.threshold or 1.0
                    for lv in comp.levels
                    if lv.kind == "fuzzy"
                    and lv.scorer == level.scorer
                    and (lv.field or main) == name
                )
                cached[key] = (
                    rows,
                    _scores(table, name, level.scorer, left[rows], right[rows], cutoff),
                )
            rows, scores = cached[key]
            hit[rows[scores >= level.threshold - 1e-6]] = True
            if level.one_side_valid:
                flag = table.codes.get(level.one_side_valid)
                if flag is None:
                    hit[:] = False
                else:
                    hit &= (flag[left] >= 0) != (flag[right] >= 0)
        hit &= open_
        out[hit] = index
        open_ &= ~hit
    return out


def _scores(
    table: RecordTable,
    name: str,
    scorer: str,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    cutoff: float,
) -> npt.NDArray[np.float32]:
    """Similarity per pair, computed once per distinct pair of values (scorers are symmetric,
    so ``(x, y)`` and ``(y, x)`` are one pair)."""
    codes, _ = table.column(name)
    a, b = codes[left].astype(np.int64), codes[right].astype(np.int64)
    return _distinct_scores(table, name, name, np.minimum(a, b), np.maximum(a, b), scorer, cutoff)


def comparison_vectors(
    settings: MatchSettings,
    table: RecordTable,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
) -> npt.NDArray[np.int8]:
    """Level index per pair (rows) and comparison (columns) of ``settings``."""
    gammas = np.empty((len(left), len(settings.comparisons)), dtype=np.int8)
    for col, comp in enumerate(settings.comparisons):
        gammas[:, col] = _levels(comp, table, left, right)
    return gammas
