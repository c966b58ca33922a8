"""Independent pieces of work on processes forked from this one, sharing its memory.

Batch steps read one big table (a million records' codes and values) and cut the
work into chunks that need nothing from each other. Forked workers see the table
as it is in this process, copy-on-write, so nothing is pickled but each chunk's
bounds going out and its result coming back. Where ``fork`` does not exist, with
one core or one piece, everything runs here, with the same result.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["can_fork", "forked_map"]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def forked_map(
    func: Callable[[S, T], R],
    shared: S,
    items: Sequence[T],
    *,
    processes: int | None = None,
) -> Iterator[R]:
    """``func(shared, item)`` for every item, in order, on up to ``processes`` workers
    (default: every core). ``shared`` reaches the workers by fork, never pickled."""
    global _SHARED
    workers = min(processes or os.cpu_count() or 1, len(items))
    if workers <= 1 or not can_fork():
        for item in items:
            yield func(shared, item)
        return
    _SHARED = (func, shared)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            yield from pool.map(_call, items)
    finally:
        _SHARED = None


def _call(item: Any) -> Any:
    assert _SHARED is not None, "forked_map's workers are forked after it sets _SHARED"
    func, shared = _SHARED
    return func(shared, item)
