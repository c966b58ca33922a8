"""Columnar view of standardized records, the shape every vectorized step reads.

A :class:`RecordTable` holds, per standardized field, dense integer codes
(``-1`` for null; equal codes if and only if equal values) and the distinct
values they stand for, so exact comparisons, blocking and term frequencies
are integer array operations instead of Python loops, and a million records
cost 4 bytes a field plus their distinct values.

Columns are derived here, so that the hub (rows) and batch dedupe (columns)
see the very same values: ``org_name``, the ``name`` of records whose name is
not just their given and family name (so persons are compared on
``first_name`` and ``last_name`` and organizations on the name, without
counting a person's name twice); ``place`` (street line and city), ``site``
(street line and postcode) and ``address`` (all three, present when any is),
so that street, postcode and city are read by one comparison of ordered
levels: agreeing on the street already says the postcode and city agree, so
independent comparisons would count one fact two or three times; and transformed
columns such as
``date_of_birth:prefix4`` (see :mod:`matching.transforms`), built on first
use by :meth:`RecordTable.column`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from matching.transforms import parse_key, transform

__all__ = ["DERIVED_SOURCES", "RecordTable", "TableBuilder", "factorize"]

IntArray = npt.NDArray[np.int64]
T = TypeVar("T")


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
    codes: dict[str, npt.NDArray[np.int32]]
    uniques: dict[str, list[str]]
    _counts: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    _unique_arrays: dict[str, npt.NDArray[np.object_]] = field(default_factory=dict)
    _lengths: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, rows: Sequence[Mapping[str, str | None]], fields: Iterable[str]
    ) -> RecordTable:
        names = list(dict.fromkeys(fields))
        for derived, sources in DERIVED_SOURCES.items():
            if derived in names:
                names += [n for n in sources if n not in names]
        columns = {name: [row.get(name) for row in rows] for name in names}
        return cls.from_columns(columns, size=len(rows))

    @classmethod
    def from_columns(
        cls, columns: Mapping[str, Sequence[str | None]], *, size: int | None = None
    ) -> RecordTable:
        codes: dict[str, npt.NDArray[np.int32]] = {}
        uniques: dict[str, list[str]] = {}
        n = size if size is not None else len(next(iter(columns.values()), []))
        columns = _with_derived(columns)
        for name, column in columns.items():
            if len(column) != n:
                raise ValueError(f"column {name!r} has {len(column)} values, expected {n}")
            codes[name], uniques[name] = factorize(column)
        return cls(n, codes, uniques)

    @classmethod
    def concat(cls, parts: Iterable[RecordTable]) -> RecordTable:
        """The rows of ``parts`` one after another: equal to one table of all their rows."""
        builder = TableBuilder()
        for part in parts:
            builder.add(part)
        return builder.build()

    def values(self, name: str) -> list[str | None]:
        """The values of ``name`` row by row (``None`` for null)."""
        codes, uniques = self.column(name)
        return [uniques[c] if c >= 0 else None for c in codes.tolist()]

    def column(self, key: str) -> tuple[npt.NDArray[np.int32], list[str]]:
        """(codes, uniques) of a field, or of a transformed field such as ``name:prefix4``."""
        if key not in self.codes:
            name, steps = parse_key(key)
            if name not in self.codes:  # a field no record carries is null everywhere
                self.codes[name] = np.full(self.size, -1, dtype=np.int32)
                self.uniques[name] = []
            base = self.codes[name]
            mapped: dict[str, int] = {}
            lookup = np.array(
                [
                    -1 if (t := transform(v, steps)) is None else mapped.setdefault(t, len(mapped))
                    for v in self.uniques[name]
                ]
                + [-1],
                dtype=np.int32,
            )
            self.codes[key] = lookup[base]  # code -1 indexes the trailing -1
            self.uniques[key] = list(mapped)
        return self.codes[key], self.uniques[key]

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, computed once per table and ``key`` (derived arrays steps share)."""
        if key not in self._memo:
            self._memo[key] = build()
        return cast(T, self._memo[key])

    def lengths(self, key: str) -> npt.NDArray[np.int64]:
        """Length of each distinct value of ``key`` (indexed by code)."""
        if key not in self._lengths:
            self._lengths[key] = np.array([len(v) for v in self.column(key)[1]], dtype=np.int64)
        return self._lengths[key]

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


class TableBuilder:
    """Joins tables row-wise as they come (:meth:`RecordTable.concat`), so a caller can
    add each part while the next is still being made.

    Codes are renumbered so that equal values keep equal codes across parts; each
    part's distinct values are looked up once, not each row."""

    def __init__(self) -> None:
        self._index: dict[str, dict[str, int]] = {}
        self._pieces: dict[str, list[npt.NDArray[np.int32]]] = {}
        self._size = 0

    def add(self, part: RecordTable) -> None:
        for name in part.codes.keys() - self._index.keys():
            self._index[name] = {}
            self._pieces[name] = [np.full(self._size, -1, dtype=np.int32)]
        for name, index in self._index.items():
            if name not in part.codes:
                self._pieces[name].append(np.full(part.size, -1, dtype=np.int32))
                continue
            setdefault = index.setdefault
            local = [setdefault(v, len(index)) for v in part.uniques[name]]
            lookup = np.array([*local, -1], dtype=np.int32)
            self._pieces[name].append(lookup[part.codes[name]])  # -1 indexes the trailing -1
        self._size += part.size

    def build(self) -> RecordTable:
        codes = {name: np.concatenate(pieces) for name, pieces in self._pieces.items()}
        uniques = {name: list(index) for name, index in self._index.items()}
        return RecordTable(self._size, codes, uniques)


DERIVED_SOURCES: dict[str, tuple[str, ...]] = {
    "org_name": ("name", "first_name", "last_name"),
    "place": ("line1", "city"),
    "site": ("line1", "postcode"),
    "address": ("line1", "postcode", "city"),
}


def _with_derived(
    columns: Mapping[str, Sequence[str | None]],
) -> Mapping[str, Sequence[str | None]]:
    out = dict(columns)
    if "org_name" in columns and "name" in columns:
        none = [None] * len(columns["name"])
        first, last = columns.get("first_name") or none, columns.get("last_name") or none
        out["org_name"] = [
            None if not n or n == " ".join(p for p in (f, g) if p) else n
            for n, f, g in zip(columns["name"], first, last, strict=True)
        ]
    if "place" in columns and "line1" in columns and "city" in columns:
        out["place"] = [
            f"{street} | {city}" if street and city else None
            for street, city in zip(columns["line1"], columns["city"], strict=True)
        ]
    if "site" in columns and "line1" in columns and "postcode" in columns:
        out["site"] = [
            f"{street} | {code}" if street and code else None
            for street, code in zip(columns["line1"], columns["postcode"], strict=True)
        ]
    if "address" in columns and all(n in columns for n in ("line1", "postcode", "city")):
        out["address"] = [
            " | ".join(p or "" for p in parts) if any(parts) else None
            for parts in zip(columns["line1"], columns["postcode"], columns["city"], strict=True)
        ]
    return out
