"""Comparing two records attribute by attribute, as the matcher sees them.

A steward asks of every attribute: do the two records say the same thing? Raw
equality answers too often "no" (``1 Market St`` and ``1 Market Street``,
``+1 415 555 0100`` and ``(415) 555-0100``, ``Inc`` and ``Inc.``), so the answer
comes from the matcher's own standardization (:meth:`matching.port.Matcher.prepare`),
never from a second one kept here:

- the attribute is put into the other record in place of its own value; if the
  matcher's prepared form of that record does not change, the two values agree
  (in either record's context: a national phone number reads the same as an
  international one only where the country is known);
- an attribute the record's other values shadow (a legal form the name already
  carries) is compared on its own: the matcher's prepared forms of the two values;
- an attribute the matcher does not read at all agrees only when the raw values are
  equal;
- a value present on one side only is ``only_left`` / ``only_right``, never "differs".

Nested objects (an address) are compared field by field (``address.line1``); lists
and deeper values as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, Literal

__all__ = ["Prepare", "RowStatus", "compare_records", "flatten"]

Prepare = Callable[[str, Mapping[str, Any]], Mapping[str, Any] | None]
RowStatus = Literal["same", "differs", "only_left", "only_right"]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | dict) and not value


def flatten(record: Mapping[str, Any]) -> dict[str, Any]:
    """``{"address.city": ..., "name": ...}``: one level of nested objects opened,
    missing values left out."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Mapping) and value:
            for sub, inner in value.items():
                if not _missing(inner):
                    out[f"{key}.{sub}"] = inner
        elif not _missing(value):
            out[key] = value
    return out


def _with(record: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``record`` with the attribute at ``path`` set to ``value`` (removed
    when ``value`` is None)."""
    top, _, sub = path.partition(".")
    out = dict(record)
    if not sub:
        if value is None:
            out.pop(top, None)
        else:
            out[top] = value
        return out
    inner = dict(out[top]) if isinstance(out.get(top), Mapping) else {}
    if value is None:
        inner.pop(sub, None)
    else:
        inner[sub] = value
    out[top] = inner
    return out


class _Prepared:
    """The matcher's prepared forms of one record and of its variants, computed once."""

    def __init__(self, entity_type: str, record: Mapping[str, Any], prepare: Prepare) -> None:
        self.entity_type = entity_type
        self.record = record
        self.prepare = prepare
        self.base = prepare(entity_type, record)

    def reads(self, path: str) -> bool:
        """Whether the matcher's view of this record depends on ``path`` at all."""
        if self.base is None:
            return False
        return self.prepare(self.entity_type, _with(self.record, path, None)) != self.base

    def unchanged_with(self, path: str, value: Any) -> bool:
        """Whether the matcher sees this record the same with ``value`` at ``path``."""
        variant = self.prepare(self.entity_type, _with(self.record, path, value))
        return self.base is not None and variant == self.base


def _alone(side: _Prepared, path: str, value: Any) -> Mapping[str, Any] | None:
    return side.prepare(side.entity_type, _with({}, path, value))


def _status(path: str, a: Any, b: Any, left: _Prepared, right: _Prepared) -> RowStatus:
    if a is None:
        return "only_right"
    if b is None:
        return "only_left"
    if a == b:
        return "same"
    if left.reads(path) or right.reads(path):
        same = left.unchanged_with(path, b) or right.unchanged_with(path, a)
        return "same" if same else "differs"
    # Shadowed in both records (a legal form the name already carries): compare the
    # two values on their own, if the matcher reads the attribute at all.
    nothing = _alone(left, path, None)
    alone = _alone(left, path, a), _alone(left, path, b)
    if nothing is not None and nothing not in alone and alone[0] == alone[1]:
        return "same"
    return "differs"


def compare_records(
    entity_type: str,
    left: Mapping[str, Any],
    right: Mapping[str, Any],
    prepare: Prepare,
    *,
    conflicts: Collection[str] = (),
) -> list[dict[str, Any]]:
    """One row per attribute either record has, in name order: ``attribute``, both raw
    values (None where missing), ``status`` (same | differs | only_left | only_right)
    and ``conflict`` (the attribute is a strong identifier the matcher found in conflict,
    by its name in ``conflicts``)."""
    flat_left, flat_right = flatten(left), flatten(right)
    sides = _Prepared(entity_type, left, prepare), _Prepared(entity_type, right, prepare)
    rows = []
    for path in sorted(set(flat_left) | set(flat_right)):
        a, b = flat_left.get(path), flat_right.get(path)
        rows.append(
            {
                "attribute": path,
                "left": a,
                "right": b,
                "status": _status(path, a, b, *sides),
                "conflict": path in conflicts,
            }
        )
    return rows
