"""People's decisions laid over a clustering: what was put together stays together, what
was kept apart stays apart, and where the model alone would have decided otherwise.

A rematch must never undo a steward silently (DESIGN.md: steward decisions refine the
model "and are never silently undone by it"). Two kinds of decision arrive here as pairs
of row sets (:data:`matching.rematch.Sides`):

- ``together``: a steward put the two sides in one group (an approved match, a manual
  merge). Their clusters are joined after clustering.
- ``apart``: a steward said the two sides are different (not a match, a split). A
  cluster holding rows of both sides is clustered again, link by link, strongest first,
  refusing every union that would join them (as :func:`matching.clustering.cluster_links`
  refuses conflicting identifiers); no join of ``together`` may join them either.

When two decisions cannot both hold (one steward joined what another kept apart), the
``together`` decision is the one left out, and said so: a false merge is worse than a
missed one (DESIGN.md).

:func:`contradicted` says which decisions the model's own clustering contradicts: a
``together`` pair it puts apart without even asking (its best pair is below the review
threshold), an ``apart`` pair it puts in one cluster. Doubt is no contradiction: a pair in
the review band is one the model leaves to a person, who decided it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.rematch import FloatArray, IntArray, PairScorer, Sides

__all__ = ["Kept", "contradicted", "keep_decisions"]

Mark = tuple[int, int]
"""(index of an ``apart`` decision, side 0 or 1): what a cluster holding that side carries."""


@dataclass(frozen=True, slots=True)
class Kept:
    """Labels (the smallest row of each cluster) with every decision kept; ``refused`` holds
    the indices of ``together`` decisions left out because they would join an ``apart``
    pair."""

    labels: IntArray
    refused: tuple[int, ...]


def keep_decisions(
    raw: IntArray,
    together: Sequence[Sides],
    apart: Sequence[Sides],
    scorer: PairScorer,
    strong: Mapping[str, npt.NDArray[np.int32]],
) -> Kept:
    """``raw`` labels (from :func:`matching.batch.dedupe_table`) with the decisions kept.

    ``strong`` are the validated strong identifiers per row
    (:func:`matching.batch.strong_codes`): a cluster clustered again refuses to join two
    values of one, as the batch engine does.
    """
    labels = raw.astype(np.int64, copy=True)
    marks = _row_marks(apart)
    for cluster in _holding_both_sides(labels, apart):
        rows = np.flatnonzero(labels == cluster)
        labels[rows] = _recluster(rows, scorer, strong, marks)
    labels, refused = _join(labels, together, apart)
    return Kept(_smallest_row(labels), tuple(refused))


def contradicted(
    raw: IntArray,
    together: Sequence[Sides],
    together_best: FloatArray,
    apart: Sequence[Sides],
    review_threshold: float,
) -> tuple[list[int], list[int]]:
    """Indices of the ``together`` and of the ``apart`` decisions the model's clustering
    (``raw``) contradicts; ``together_best`` is each together pair's best probability."""
    split = [
        i
        for i, (a, b) in enumerate(together)
        if not _share(raw, a, b)
        and not (np.isfinite(together_best[i]) and together_best[i] >= review_threshold)
    ]
    joined = [k for k, (a, b) in enumerate(apart) if _share(raw, a, b)]
    return split, joined


def _share(labels: IntArray, a: IntArray, b: IntArray) -> bool:
    return bool(len(np.intersect1d(labels[a], labels[b])))


def _row_marks(apart: Sequence[Sides]) -> dict[int, set[Mark]]:
    marks: dict[int, set[Mark]] = {}
    for k, sides in enumerate(apart):
        for side, rows in enumerate(sides):
            for row in rows.tolist():
                marks.setdefault(row, set()).add((k, side))
    return marks


def _clash(marks: set[Mark]) -> bool:
    return any((k, 1 - side) in marks for k, side in marks)


def _holding_both_sides(labels: IntArray, apart: Sequence[Sides]) -> list[int]:
    held: set[int] = set()
    for a, b in apart:
        held.update(np.intersect1d(labels[a], labels[b]).tolist())
    return sorted(held)


def _recluster(
    rows: IntArray,
    scorer: PairScorer,
    strong: Mapping[str, npt.NDArray[np.int32]],
    marks: Mapping[int, set[Mark]],
) -> IntArray:
    """One cluster's rows clustered again from every linkable pair among them, strongest
    first, never joining two sides of an ``apart`` decision nor two values of a strong
    identifier. Returns the new label (a row of it) of each row."""
    i, j = np.triu_indices(len(rows), k=1)
    left, right = rows[i], rows[j]
    probability, linkable = scorer.score(left, right)
    edges = np.flatnonzero(linkable)
    edges = edges[np.argsort(-probability[edges], kind="stable")]
    parent = {int(r): int(r) for r in rows}
    held = {int(r): set(marks.get(int(r), ())) for r in rows}
    idents = {
        int(r): {name: int(codes[r]) for name, codes in strong.items() if codes[r] >= 0}
        for r in rows
    }

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for edge in edges.tolist():
        a, b = find(int(left[edge])), find(int(right[edge]))
        if a == b or _clash(held[a] | held[b]):
            continue
        if any(idents[b].get(name, code) != code for name, code in idents[a].items()):
            continue
        a, b = min(a, b), max(a, b)
        parent[b] = a
        held[a] |= held[b]
        idents[a].update(idents[b])
    return np.array([find(int(r)) for r in rows], dtype=np.int64)


def _join(
    labels: IntArray, together: Sequence[Sides], apart: Sequence[Sides]
) -> tuple[IntArray, list[int]]:
    """Join the clusters of each ``together`` decision, in order, unless that would put
    both sides of an ``apart`` decision in one cluster (then it is refused)."""
    held: dict[int, set[Mark]] = {}
    for k, sides in enumerate(apart):
        for side, rows in enumerate(sides):
            for label in np.unique(labels[rows]).tolist():
                held.setdefault(label, set()).add((k, side))
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    refused: list[int] = []
    for index, (a, b) in enumerate(together):
        roots = {find(label) for label in np.unique(labels[np.concatenate([a, b])]).tolist()}
        if len(roots) < 2:
            continue
        joined = set().union(*(held.get(r, set()) for r in roots))
        if _clash(joined):
            refused.append(index)
            continue
        root = min(roots)
        for r in roots:
            parent[r] = root
        held[root] = joined
    if parent:
        mapping = np.arange(len(labels), dtype=np.int64)
        keys = np.array(list(parent), dtype=np.int64)
        mapping[keys] = [find(int(k)) for k in keys.tolist()]
        labels = mapping[labels]
    return labels, refused


def _smallest_row(labels: IntArray) -> IntArray:
    """Each cluster named by its smallest row, as :func:`matching.batch.dedupe_table` names
    them."""
    n = len(labels)
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n, dtype=np.int64))
    return smallest[labels]
