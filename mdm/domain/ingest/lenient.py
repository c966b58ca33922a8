"""Lenient validation: take in a record whose only faults are malformed optional values.

A source in ``lenient`` mode (the default) sends a customer with a birth date of
``1964-02-31`` or a country written ``Holland``: the record is still that customer, and
refusing it whole means it can never be matched. Here, before the record is refused:

- a coded value written as people write it is read as its code (``Holland``,
  ``U.S.A.`` and ``Deutschland`` as ``NL``, ``US`` and ``DE``; ``usd`` as ``USD``),
  the way ``mdm dedupe`` reads it;
- every other value the schema refuses for its form (a format, a pattern, a type, an
  enum, a range) is left out, provided it is not required;

and the record is validated again. If it passes, it is taken in without those values,
and each mapped or left-out value is a data-quality issue kept, with the payload as the
source sent it, for a steward to list and fix (:mod:`mdm.domain.ingest.validate`). A
record missing what it must have (a ``kind``, an organization's ``name``), carrying an
unknown field, an over-long value, or not an object at all is refused as in ``strict``
mode: that is not a malformed value but not the entity at all.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from canonical.errors import FieldError
from canonical.schemas import CanonicalSchema, pointer_tokens
from matching.standardize import country_iso2

__all__ = ["Salvaged", "salvage"]

_DROPPABLE = frozenset({"format", "pattern", "type", "enum", "minimum", "maximum"})


def _currency(value: Any) -> str | None:
    text = value.strip().upper() if isinstance(value, str) else ""
    return text if len(text) == 3 and text.isalpha() else None


# (entity type, pointer) -> how a person's writing of that coded value is read as its code
_CODED: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("customer", "/address/country"): country_iso2,
    ("customer", "/currency"): _currency,
    ("product", "/currency"): _currency,
    ("price", "/currency"): _currency,
}


@dataclass(frozen=True, slots=True)
class Salvaged:
    """The record as taken in, and one issue per value that was mapped or left out."""

    record: dict[str, Any]
    issues: list[FieldError]


def _parent(record: Any, pointer: str) -> tuple[Any, str] | None:
    """The object holding the value at ``pointer`` and its key (None: not in an object)."""
    tokens = pointer_tokens(pointer)
    if not tokens:
        return None
    node = record
    for token in tokens[:-1]:
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return (node, tokens[-1]) if isinstance(node, dict) and tokens[-1] in node else None


def salvage(schema: CanonicalSchema, record: Any, errors: Sequence[FieldError]) -> Salvaged | None:
    """``record`` taken in with its malformed optional values mapped or left out, or None
    when that is not enough (or not allowed) to make it valid."""
    if not isinstance(record, dict) or not errors:
        return None
    if any(e.code not in _DROPPABLE for e in errors):
        return None
    fixed = copy.deepcopy(record)
    issues: list[FieldError] = []
    mapped: set[str] = set()
    for error in errors:
        place = _parent(fixed, error.pointer)
        if place is None:
            return None
        holder, key = place
        value = holder[key]
        read = _CODED.get((schema.entity_type, error.pointer))
        code = read(value) if read else None
        if code is not None and code != value:
            holder[key] = code
            mapped.add(error.pointer)
            issues.append(FieldError(error.pointer, f"{value!r} read as {code!r}", "mapped"))
        else:
            del holder[key]
            issues.append(
                FieldError(error.pointer, f"left out {value!r}: {error.message}", "left_out")
            )
    remaining = schema.errors(fixed)
    if remaining and {e.pointer for e in remaining} <= mapped:
        # read as a code, and that code is not one the schema knows either: leave it out
        for error in remaining:
            holder, key = _parent(fixed, error.pointer) or ({}, "")
            holder.pop(key, None)
            issues.append(FieldError(error.pointer, f"left out: {error.message}", "left_out"))
        remaining = schema.errors(fixed)
    if remaining:
        return None
    return Salvaged(fixed, issues)
