"""Columnar view of standardized records, the shape every vectorized step reads.

A :class:`RecordTable` holds, per standardized field, the values as a numpy
object array (``None`` for null) and dense integer codes (``-1`` for null;
equal codes if and only if equal values), so exact comparisons, blocking and
term frequencies are integer array operations instead of Python loops.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = ["RecordTable", "factorize"]

IntArray = npt.NDArray[np.int64]


def factorize(values: Iterable[str | None]) -> tuple[npt.NDArray[np.int32], list[str]]:
    """(codes, uniques): ``uniques[codes[i]] == values[i]``, code ``-1`` for ``None``/empty."""
    index: dict[str, int] = {}
    setdefault = index.setdefault
    codes = np.fromiter((setdefault(v, len(index)) if v else -1 for v in values), dtype=np.int32)
    return codes, list(index)


@dataclass(slots=True)
class RecordTable:
    """Standardized records as columns; row ``i`` is the ``i``-th record given."""

    size: int
    values: dict[str, npt.NDArray[np.object_]]
    codes: dict[str, npt.NDArray[np.int32]]
    uniques: dict[str, list[str]]
    _counts: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    _unique_arrays: dict[str, npt.NDArray[np.object_]] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, rows: Sequence[Mapping[str, str | None]], fields: Iterable[str]
    ) -> RecordTable:
        columns = {name: [row.get(name) for row in rows] for name in fields}
        return cls.from_columns(columns, size=len(rows))

    @classmethod
    def from_columns(
        cls, columns: Mapping[str, Sequence[str | None]], *, size: int | None = None
    ) -> RecordTable:
        values: dict[str, npt.NDArray[np.object_]] = {}
        codes: dict[str, npt.NDArray[np.int32]] = {}
        uniques: dict[str, list[str]] = {}
        n = size if size is not None else len(next(iter(columns.values()), []))
        for name, column in columns.items():
            if len(column) != n:
                raise ValueError(f"column {name!r} has {len(column)} values, expected {n}")
            codes[name], uniques[name] = factorize(column)
            array = np.empty(n, dtype=object)
            array[:] = list(column)
            values[name] = array
        return cls(n, values, codes, uniques)

    def counts(self, name: str) -> npt.NDArray[np.int64]:
        """Occurrences of each distinct value of ``name`` (indexed by code)."""
        if name not in self._counts:
            codes = self.codes[name]
            self._counts[name] = np.bincount(codes[codes >= 0], minlength=len(self.uniques[name]))
        return self._counts[name]

    def unique_values(self, name: str) -> npt.NDArray[np.object_]:
        """Distinct values of ``name`` as an object array indexed by code."""
        if name not in self._unique_arrays:
            array = np.empty(len(self.uniques[name]), dtype=object)
            array[:] = self.uniques[name]
            self._unique_arrays[name] = array
        return self._unique_arrays[name]

    def frequencies(self, name: str) -> npt.NDArray[np.float64]:
        """Share of non-null rows holding each distinct value of ``name``."""
        counts = self.counts(name)
        total = max(int(counts.sum()), 1)
        return counts / total
