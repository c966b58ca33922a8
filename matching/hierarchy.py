"""Related organisations: the evidence that two organisations belong to one group but are
two parties, which makes a proposed hierarchy link for a steward instead of a merge.

Two kinds of evidence, read from the standardized organisation name (``org_name``, as
:mod:`matching.table` derives it) and identifiers:

- the same name but for its numbers (``Harbour Property Holdings 3`` and ``4``, ``Store 12``
  and ``Store 13``): the numbered entities of one group, the branches of one chain;
- one name with another tax id, registration number, country or legal form (``Acme GmbH``
  in Germany and ``Acme Ltd`` in Britain): the legal entities of one group.

The hub reads it pair by pair (:func:`group_reasons`), batch dedupe over all candidate pairs
at once (:func:`group_pairs`); both give the same reasons. Callers propose only pairs the
model keeps apart: a pair that links, or that a steward reviews as a possible duplicate, is
not also a proposed hierarchy link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.table import RecordTable, factorize

__all__ = ["GROUP_REASONS", "group_pairs", "group_reasons", "reasons_of"]

_NUMBER = re.compile(r"\d+")
_OTHER = ("tax_id", "registration_number", "country", "legal_form")
GROUP_REASONS = (
    "the same name but for its numbers",
    "one name, another tax id",
    "one name, another registration number",
    "one name, another country",
    "one name, another legal form",
)
"""Reason labels, in the order of their bits in :func:`group_pairs`."""

IntArray = npt.NDArray[np.int64]


def _org_name(row: Mapping[str, Any]) -> str | None:
    name = row.get("name")
    person = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
    return None if not name or name == person else str(name)


def _split(name: str) -> tuple[str, str]:
    """(the name without its numbers, its numbers)."""
    return " ".join(_NUMBER.sub(" ", name).split()), " ".join(_NUMBER.findall(name))


def group_reasons(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Why two standardized customer records look like two organisations of one group
    (empty when they do not)."""
    name_a, name_b = _org_name(a), _org_name(b)
    if not name_a or not name_b:
        return []
    if name_a == name_b:
        return [
            GROUP_REASONS[1 + i]
            for i, field in enumerate(_OTHER)
            if a.get(field) and b.get(field) and a[field] != b[field]
        ]
    (stem_a, numbers_a), (stem_b, numbers_b) = _split(name_a), _split(name_b)
    if stem_a and stem_a == stem_b and numbers_a and numbers_b and numbers_a != numbers_b:
        return [GROUP_REASONS[0]]
    return []


def group_pairs(table: RecordTable, left: IntArray, right: IntArray) -> npt.NDArray[np.int8]:
    """Per pair ``(left[k], right[k])`` of ``table``'s rows, a bit per reason of
    :data:`GROUP_REASONS` that holds (0: no evidence of one group)."""
    bits = np.zeros(len(left), dtype=np.int8)
    if "org_name" not in table.codes or not len(left):
        return bits
    codes = table.codes["org_name"]
    a, b = codes[left], codes[right]
    both = (a >= 0) & (b >= 0)
    split = [_split(name) for name in table.uniques["org_name"]]
    # one extra entry at the end, which the -1 of a missing name reads
    stems = np.append(factorize(stem for stem, _ in split)[0], -1)
    numbers = np.append(factorize(numbers for _, numbers in split)[0], -1)
    numbered = np.array([bool(stem and numbers) for stem, numbers in split] + [False])
    safe_a, safe_b = np.where(both, a, -1), np.where(both, b, -1)
    bits |= (
        both
        & (stems[safe_a] == stems[safe_b])
        & (numbers[safe_a] != numbers[safe_b])
        & numbered[safe_a]
        & numbered[safe_b]
    ).astype(np.int8)
    same = both & (a == b)
    for i, field in enumerate(_OTHER):
        if field in table.codes:
            x, y = table.codes[field][left], table.codes[field][right]
            bits |= (same & (x >= 0) & (y >= 0) & (x != y)).astype(np.int8) << (i + 1)
    return bits


def reasons_of(bits: int) -> list[str]:
    """The labels of the reasons set in one pair's ``bits``."""
    return [label for i, label in enumerate(GROUP_REASONS) if bits >> i & 1]
