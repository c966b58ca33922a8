"""Rematch: records clustered once already, clustered again, and what would change.

A rematch runs the batch engine (:func:`matching.batch.dedupe_table`) over records
that already sit in groups (the hub's golden records), under other settings. This
module reads the new clustering against the groups of now: which groups would merge
and which would split (:func:`membership_changes`), which open questions (review
pairs) would come up or go away (:func:`review_changes`), and scores any pair of rows
on demand (:class:`PairScorer`), so each change can be shown with the pair behind it.
Laying people's decisions over the new clustering is :mod:`matching.decided`.

Everything works on row indices of one :class:`~matching.table.RecordTable` and
integer labels; what a row is (a source record) and a group (a golden record) is the
caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.compare import comparison_vectors
from matching.decision import outright_disagreement, related_pairs
from matching.scoring import score_pairs, settings_term_frequencies
from matching.settings import MatchSettings
from matching.table import RecordTable

__all__ = [
    "BestPairs",
    "Groups",
    "MembershipChanges",
    "PairScorer",
    "ReviewChanges",
    "Sides",
    "membership_changes",
    "review_changes",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Sides = tuple[IntArray, IntArray]
"""Two disjoint sets of rows that a decision or a change is about (a pair of groups)."""

SCORE_CHUNK = 500_000
"""Pairs compared per step: the comparison vectors and parts of a chunk stay under 100 MB."""


@dataclass(frozen=True, slots=True)
class BestPairs:
    """Per pair of sides, the most probable pair of rows between them (``-1``: a side was
    empty) and its probability (NaN then)."""

    left: IntArray
    right: IntArray
    probability: FloatArray


class PairScorer:
    """Scores any pairs of a table's rows as batch dedupe scores its candidate pairs:
    compared by the settings' comparisons, weighed with the term frequencies the settings
    recorded, and judged linkable as :mod:`matching.batch` judges (at or above the link
    threshold, no outright identifier disagreement, not relatives). Blocking aside, a
    pair gets the probability here that dedupe gives it."""

    def __init__(self, settings: MatchSettings, table: RecordTable) -> None:
        self.settings = settings
        self.table = table
        self._tf = settings_term_frequencies(settings, table)

    def score(self, left: IntArray, right: IntArray) -> tuple[FloatArray, BoolArray]:
        """(probability, may link) of each pair ``(left[k], right[k])``."""
        left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        probability = np.empty(len(left), dtype=np.float64)
        linkable = np.empty(len(left), dtype=bool)
        link = self.settings.thresholds.link
        for start in range(0, len(left), SCORE_CHUNK):
            stop = min(start + SCORE_CHUNK, len(left))
            a, b = left[start:stop], right[start:stop]
            gammas = comparison_vectors(self.settings, self.table, a, b)
            scored = score_pairs(self.settings, gammas, self.table, a, self._tf, b)
            veto = outright_disagreement(self.settings, gammas) | related_pairs(
                self.settings, gammas
            )
            probability[start:stop] = scored.probability
            linkable[start:stop] = (scored.probability >= link) & ~veto
        return probability, linkable

    def best(self, sides: Sequence[Sides], *, per_side: int = 25) -> BestPairs:
        """The most probable pair between the two sides of each entry of ``sides``,
        looking at the first ``per_side`` rows of each side (a group's strongest pair is
        almost always among them; a sample needs one pair, not the proof of the best)."""
        lefts, rights, owners = [], [], []
        for index, (a, b) in enumerate(sides):
            a, b = a[:per_side], b[:per_side]
            lefts.append(np.repeat(a, len(b)))
            rights.append(np.tile(b, len(a)))
            owners.append(np.full(len(a) * len(b), index, dtype=np.int64))
        n = len(sides)
        out = BestPairs(
            np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64), np.full(n, np.nan)
        )
        if not n or not sum(len(o) for o in owners):
            return out
        left, right, owner = (np.concatenate(x) for x in (lefts, rights, owners))
        probability, _ = self.score(left, right)
        order = np.lexsort((-probability, owner))
        first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
        out.left[owner[first]] = left[first]
        out.right[owner[first]] = right[first]
        out.probability[owner[first]] = probability[first]
        return out


class Groups:
    """The rows of each label, found by binary search after one sort of the labels."""

    def __init__(self, labels: IntArray) -> None:
        self._order = np.argsort(labels, kind="stable")
        self._sorted = labels[self._order]

    def rows(self, label: int) -> IntArray:
        lo = int(np.searchsorted(self._sorted, label, side="left"))
        hi = int(np.searchsorted(self._sorted, label, side="right"))
        return self._order[lo:hi]


@dataclass(frozen=True, slots=True)
class MembershipChanges:
    """``merged``: new labels whose rows come from two or more current groups;
    ``split``: current groups whose rows get two or more new labels; ``changed``: every
    current group in either (a group can be both: part of it leaves, the rest merges)."""

    merged: IntArray
    split: IntArray
    changed: IntArray


def membership_changes(current: IntArray, new: IntArray) -> MembershipChanges:
    """Compare the current group of every row (``current``, codes ``0..G-1``) with its new
    label (``new``, row indices as :func:`matching.batch.dedupe_table` gives them)."""
    n = len(new)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return MembershipChanges(empty, empty, empty)
    # one integer per (group, label) pair present: no structured sort of a million pairs
    both = np.unique(current.astype(np.int64) * n + new.astype(np.int64))
    group, label = both // n, both % n
    labels, per_label = np.unique(label, return_counts=True)
    groups, per_group = np.unique(group, return_counts=True)
    merged = labels[per_label > 1]
    split = groups[per_group > 1]
    in_merged = np.unique(group[np.isin(label, merged)])
    return MembershipChanges(merged, split, np.union1d(in_merged, split))


@dataclass(frozen=True, slots=True)
class ReviewChanges:
    """``opened``: review pairs (left row, right row, probability; the most probable pair
    of each two clusters) that no open question or kept-apart pair covers; ``closed``:
    ``(index of the question, why)`` for each open question the new clustering answers,
    ``linked`` (both sides in one cluster) or ``below_review`` (no pair between them is
    doubtful any more)."""

    opened: list[tuple[int, int, float]]
    closed: list[tuple[int, str]]


def review_changes(
    labels: IntArray,
    review: Sequence[tuple[int, int, float]],
    questions: Sequence[Sides],
    apart: Sequence[Sides],
) -> ReviewChanges:
    """Review pairs of a clustering (``labels``, after decisions were laid over it) against
    the open ``questions`` (each a pair of row sets a steward is asked about) and the pairs
    people already kept ``apart`` (never asked again)."""
    best = _best_per_cluster_pair(labels, review)
    asked = set().union(*(_cluster_pairs(labels, s) for s in (*questions, *apart)))
    opened = [pair for key, pair in best.items() if key not in asked]
    closed: list[tuple[int, str]] = []
    for index, (a, b) in enumerate(questions):
        x, y = set(np.unique(labels[a]).tolist()), set(np.unique(labels[b]).tolist())
        if x & y:
            closed.append((index, "linked"))
        elif not any(_key(p, q) in best for p in x for q in y):
            closed.append((index, "below_review"))
    return ReviewChanges(opened, closed)


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _cluster_pairs(labels: IntArray, sides: Sides) -> set[tuple[int, int]]:
    x, y = np.unique(labels[sides[0]]).tolist(), np.unique(labels[sides[1]]).tolist()
    return {_key(p, q) for p in x for q in y if p != q}


def _best_per_cluster_pair(
    labels: IntArray, review: Sequence[tuple[int, int, float]]
) -> dict[tuple[int, int], tuple[int, int, float]]:
    """The most probable review pair of each two different clusters."""
    best: dict[tuple[int, int], tuple[int, int, float]] = {}
    for a, b, p in sorted(review, key=lambda pair: -pair[2]):
        x, y = int(labels[a]), int(labels[b])
        if x != y:
            best.setdefault(_key(x, y), (a, b, p))
    return best
