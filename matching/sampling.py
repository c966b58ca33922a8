"""Random pairs of rows, drawn in fixed chunks so any engine can draw any chunk alone.

Chunk ``i`` of the pairs comes from its own generator, seeded by ``(seed, i)``: the
local engine draws every chunk in turn, Spark draws each in a task of its own
(:mod:`matching.spark.train`), and both get the same pairs without shipping them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["PAIR_CHUNK", "random_pair_chunk", "random_pairs"]

PAIR_CHUNK = 1_000_000
"""Pairs per chunk (16 MB of row numbers)."""

IntArray = npt.NDArray[np.int64]


def random_pair_chunk(size: int, count: int, seed: int, index: int) -> tuple[IntArray, IntArray]:
    """Chunk ``index`` of :func:`random_pairs` ``(size, count, seed)``."""
    start = index * PAIR_CHUNK
    n = max(min(PAIR_CHUNK, count - start), 0)
    rng = np.random.default_rng([seed, index])
    left = rng.integers(0, size, n, dtype=np.int64)
    right = rng.integers(0, size - 1, n, dtype=np.int64)
    right[right >= left] += 1
    return left, right


def random_pairs(size: int, count: int, seed: int) -> tuple[IntArray, IntArray]:
    """``count`` random pairs of distinct rows of a table of ``size`` rows (seeded)."""
    chunks = [random_pair_chunk(size, count, seed, i) for i in range(-(-count // PAIR_CHUNK))]
    if not chunks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks])
