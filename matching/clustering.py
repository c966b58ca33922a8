"""Clustering links into entities without chaining unrelated records together.

Plain connected components over links chain: A~B and B~C put A and C
together even when A and C carry different tax ids. Here links are first
grouped into connected components with vectorized label propagation; a
component whose records carry more than one distinct value of any strong
identifier is then rebuilt link by link, strongest link first, refusing every
union that would put two different values of a strong identifier into one
cluster. Refused links are returned for steward review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Clusters", "cluster_links", "connected_components"]

IntArray = npt.NDArray[np.int64]


def connected_components(size: int, left: IntArray, right: IntArray) -> IntArray:
    """Component label per node: the smallest node index in its component."""
    label = np.arange(size, dtype=np.int64)
    if not len(left):
        return label
    while True:
        low = np.minimum(label[left], label[right])
        before = label.copy()
        np.minimum.at(label, left, low)
        np.minimum.at(label, right, low)
        np.minimum.at(label, before, label)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label


@dataclass(frozen=True, slots=True)
class Clusters:
    """``labels[i]`` is the cluster of row ``i`` (the smallest row index in it);
    ``refused`` indexes the links that were not followed because of a conflict."""

    labels: IntArray
    refused: IntArray


def _conflicted(labels: IntArray, strong: Mapping[str, npt.NDArray[np.int32]]) -> IntArray:
    bad: list[IntArray] = []
    for codes in strong.values():
        rows = np.flatnonzero(codes >= 0)
        if not len(rows):
            continue
        pairs = np.unique(np.stack([labels[rows], codes[rows].astype(np.int64)]), axis=1)
        comp, count = np.unique(pairs[0], return_counts=True)
        bad.append(comp[count > 1])
    return np.unique(np.concatenate(bad)) if bad else np.zeros(0, dtype=np.int64)


def cluster_links(
    size: int,
    left: IntArray,
    right: IntArray,
    strength: npt.NDArray[np.float64],
    strong: Mapping[str, npt.NDArray[np.int32]],
) -> Clusters:
    """Cluster ``size`` rows joined by links ``(left[k], right[k])`` of ``strength[k]``.

    ``strong`` maps each strong identifier to its codes per row (``-1`` null).
    Links inside components without conflicts are all followed (vectorized);
    only conflicted components are resolved link by link.
    """
    labels = connected_components(size, left, right)
    bad = _conflicted(labels, strong)
    if not len(bad):
        return Clusters(labels, np.zeros(0, dtype=np.int64))
    in_bad = np.isin(labels[left], bad)
    edges = np.flatnonzero(in_bad)
    nodes = np.flatnonzero(np.isin(labels, bad))
    parent = {int(n): int(n) for n in nodes}
    idents: dict[int, dict[str, int]] = {
        int(n): {k: int(c[n]) for k, c in strong.items() if c[n] >= 0} for n in nodes
    }

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    refused: list[int] = []
    for edge in edges[np.argsort(-strength[edges], kind="stable")].tolist():
        a, b = find(int(left[edge])), find(int(right[edge]))
        if a == b:
            continue
        ia, ib = idents[a], idents[b]
        if any(ib.get(k, v) != v for k, v in ia.items()):
            refused.append(edge)
            continue
        if a > b:
            a, b, ia, ib = b, a, ib, ia
        parent[b] = a
        ia.update(ib)
    out = labels.copy()
    for n in nodes.tolist():
        out[n] = find(n)
    return Clusters(out, np.array(refused, dtype=np.int64))
