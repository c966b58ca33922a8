"""The diff of two JSON Schema (2020-12) versions, as named changes with the promises they break.

The walk compares the two documents node by node from the root, following local
``$ref`` into ``$defs`` on each side (so a change in a shared definition is reported at
every place the data can hold it), and asks one question at each keyword: does the
proposed schema accept *less* here (it breaks backward: data written before may be
refused), *more* (it breaks forward: old readers may refuse new data), or both?

It is conservative where JSON Schema cannot be compared cheaply: a changed ``pattern``
or ``if``, a ``oneOf`` that changed, and any keyword it does not reason about (named in
the change) break both ways. Where a side lists its values (``enum``/``const``) the
answer is exact: each listed value is validated against the other side.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from canonical.compatibility import _structure
from canonical.compatibility._keywords import (
    HANDLED,
    UNSUPPORTED,
    accepts,
    canonical_json,
    covers,
    finite_values,
    is_annotation,
    resolve_pointer,
    snake,
    types_of,
)
from canonical.compatibility._path import At
from canonical.compatibility.changes import BOTH, LOOSER, NEITHER, TIGHTER, Change
from canonical.compatibility.modes import Direction

__all__ = ["Walker", "diff"]

_MAX_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_MIN_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_MAX_REF_HOPS = 32
_NOT_SIBLINGS = frozenset({"$ref", "$schema", "default"})


def diff(previous: Mapping[str, Any], proposed: Mapping[str, Any]) -> list[Change]:
    """Every validation-relevant difference from ``previous`` to ``proposed``, sorted by
    pointer; changes that break nothing (``default_changed``) are included."""
    walker = Walker(previous, proposed)
    walker.node(previous, proposed, At("", "", ""))
    return sorted(walker.changes.values(), key=lambda c: (c.pointer, c.rule, c.location))


def _why(breaks: frozenset[Direction]) -> str:
    if breaks == BOTH:
        return "breaks readers both ways"
    if breaks == TIGHTER:
        return "data written under the earlier schema may be refused"
    if breaks == LOOSER:
        return "readers on the earlier schema may refuse data written under this one"
    return "no effect on validity"


def _fmt(value: Any) -> str:
    return canonical_json(value)


def _types_text(types: frozenset[str] | None) -> str:
    return _fmt(sorted(types)) if types is not None else "any"


class Walker:
    """One comparison of two documents; collects :class:`Change` objects."""

    def __init__(self, old_root: Mapping[str, Any], new_root: Mapping[str, Any]) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.changes: dict[tuple[str, str, str], Change] = {}
        self._active: set[tuple[str | None, str | None]] = set()

    def fork(self) -> Walker:
        """A fresh walker on the same documents, to try a comparison without reporting it."""
        return Walker(self.old_root, self.new_root)

    def add(
        self,
        rule: str,
        at: At,
        message: str,
        breaks: frozenset[Direction],
        *,
        location: str | None = None,
    ) -> None:
        where = location if location is not None else self._where(at)
        text = f"{message}; {_why(breaks)}" if breaks else message
        self.changes[(at.pointer, rule, where)] = Change(rule, at.pointer, text, breaks, where)

    def _where(self, at: At) -> str:
        """The node's place in the proposed document, or in the previous one when the
        proposed document does not have it."""
        for root, loc in ((self.new_root, at.new), (self.old_root, at.old)):
            if loc is not None:
                try:
                    resolve_pointer(root, loc)
                except (KeyError, IndexError, ValueError):
                    continue
                return loc
        return at.located()

    def breaks_anything(self, direction: Direction) -> bool:
        return any(direction in c.breaks for c in self.changes.values())

    # -- the walk --------------------------------------------------------------

    def node(self, old: Any, new: Any, at: At) -> None:
        old, old_loc, old_ref = self._deref(self.old_root, old, at.old)
        new, new_loc, new_ref = self._deref(self.new_root, new, at.new)
        if old_ref or new_ref:
            if old_ref != new_ref:
                self.add("ref_unresolved", at, f"$ref {old_ref!r} became {new_ref!r}", BOTH)
            return
        at = At(at.pointer, old_loc, new_loc)
        key = (old_loc, new_loc)
        if key in self._active:
            return
        text_old, text_new = canonical_json(old), canonical_json(new)
        if text_old == text_new and '"$ref"' not in text_old:
            return
        if old is False or new is False or old is True or new is True:
            if self._booleans(old, new, at):
                return
            old = {} if old is True else old
            new = {} if new is True else new
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return
        self._active.add(key)
        try:
            self._schema(old, new, at)
        finally:
            self._active.discard(key)

    def _schema(self, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
        if old.get("default") != new.get("default"):
            self.add(
                "default_changed",
                at,
                f"default {_fmt(old.get('default'))} became {_fmt(new.get('default'))}",
                NEITHER,
            )
        if _structure.sum_type(self, old, new, at):
            return
        if self._values(old, new, at):
            return
        self._types(old, new, at)
        self._bounds(old, new, at)
        self._string_and_number(old, new, at)
        _structure.objects(self, old, new, at)
        _structure.arrays(self, old, new, at)
        _structure.combinators(self, old, new, at)
        _structure.conditional(self, old, new, at)
        self._other_keywords(old, new, at)

    def _deref(
        self, root: Mapping[str, Any], schema: Any, loc: str | None
    ) -> tuple[Any, str | None, str | None]:
        """Follow local ``$ref``; returns the schema, its location, and the ``$ref`` text
        when it cannot be followed. A ``$ref`` with validation siblings stays a conjunction."""
        for _ in range(_MAX_REF_HOPS):
            if not isinstance(schema, Mapping) or not isinstance(schema.get("$ref"), str):
                return schema, loc, None
            ref = schema["$ref"]
            own_id = root.get("$id")
            fragment = ref[len(own_id) :] if own_id and ref.startswith(own_id + "#") else ref
            if not fragment.startswith("#") or (len(fragment) > 1 and fragment[1] != "/"):
                return schema, loc, ref
            try:
                target = resolve_pointer(root, fragment[1:])
            except (KeyError, IndexError, ValueError):
                return schema, loc, ref
            siblings = {k: v for k, v in schema.items() if k not in _NOT_SIBLINGS}
            siblings = {k: v for k, v in siblings.items() if not is_annotation(k)}
            if siblings:
                return {"allOf": [target, siblings]}, loc, None
            schema, loc = target, fragment[1:]
        return schema, loc, schema.get("$ref") if isinstance(schema, Mapping) else None

    def _booleans(self, old: Any, new: Any, at: At) -> bool:
        """Handle ``false`` on either side; True when nothing is left to compare."""
        if old is False and new is not False:
            self.add("schema_no_longer_false", at, "the schema refused every value", LOOSER)
            return True
        if new is False and old is not False:
            self.add("schema_became_false", at, "the schema now refuses every value", TIGHTER)
            return True
        return old is False and new is False

    # -- values, types, bounds -------------------------------------------------

    def _values(self, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> bool:
        """Exact comparison when either side lists its values; True when it decided."""
        listed_old, listed_new = finite_values(old), finite_values(new)
        if listed_old is None and listed_new is None:
            return False
        if listed_old is not None and listed_new is not None:
            was = [v for v in listed_old[1] if accepts(self.old_root, old, v) is not False]
            now = [v for v in listed_new[1] if accepts(self.new_root, new, v) is not False]
            keys_was, keys_now = {canonical_json(v) for v in was}, {canonical_json(v) for v in now}
            gone = [v for v in was if canonical_json(v) not in keys_now]
            came = [v for v in now if canonical_json(v) not in keys_was]
            if listed_old[0] == listed_new[0] == "const" and gone and came:
                text = f"const {_fmt(gone[0])} became {_fmt(came[0])}"
                self.add("const_changed", at.down("const"), text, BOTH)
                return True
            self._listed(at.down(listed_old[0]), "enum_value_removed", gone, TIGHTER)
            self._listed(at.down(listed_new[0]), "enum_value_added", came, LOOSER)
            return True
        if listed_old is not None:
            keyword, values = listed_old
            self.add(f"{keyword}_removed", at.down(keyword), f"{keyword} was removed", LOOSER)
            refused = [v for v in values if accepts(self.new_root, new, v) is not True]
            self._listed(at.down(keyword), "enum_value_removed", refused, TIGHTER)
            return True
        assert listed_new is not None
        keyword, values = listed_new
        text = f"{keyword} now restricts the value"
        self.add(f"{keyword}_added", at.down(keyword), text, TIGHTER)
        extra = [v for v in values if accepts(self.old_root, old, v) is not True]
        self._listed(at.down(keyword), "enum_value_added", extra, LOOSER)
        return True

    def _listed(self, at: At, rule: str, values: list[Any], breaks: frozenset[Direction]) -> None:
        if values:
            verb = "no longer allowed" if breaks == TIGHTER else "now allowed"
            shown = ", ".join(_fmt(v) for v in values)
            self.add(rule, at, f"{shown} {'is' if len(values) == 1 else 'are'} {verb}", breaks)

    def _types(self, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
        was, now = types_of(old), types_of(new)
        if was == now:
            return
        shown = f"type {_types_text(was)} became {_types_text(now)}"
        if was is not None and now is not None and covers(was, now) and covers(now, was):
            return
        if now is None or (was is not None and covers(now, was)):
            self.add("type_widened", at.down("type"), shown, LOOSER)
        elif was is None or covers(was, now):
            self.add("type_narrowed", at.down("type"), shown, TIGHTER)
        else:
            self.add("type_changed", at.down("type"), shown, BOTH)

    def _bounds(self, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
        for keyword in (*_MIN_BOUNDS, *_MAX_BOUNDS):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            upper = keyword in _MAX_BOUNDS
            if before is None:
                verb, breaks = "added", TIGHTER
            elif after is None:
                verb, breaks = "removed", LOOSER
            elif not all(isinstance(v, int | float) for v in (before, after)):
                self._unsupported(keyword, at)
                continue
            elif after > before:
                verb, breaks = "increased", LOOSER if upper else TIGHTER
            else:
                verb, breaks = "decreased", TIGHTER if upper else LOOSER
            text = f"{keyword} {verb}" + (
                f" from {before} to {after}" if verb in {"increased", "decreased"} else ""
            )
            self.add(f"{snake(keyword)}_{verb}", at.down(keyword), text, breaks)

    def _string_and_number(self, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
        for keyword in ("pattern", "format"):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            here = at.down(keyword)
            if before is None:
                self.add(f"{keyword}_added", here, f"{keyword} {after!r} added", TIGHTER)
            elif after is None:
                self.add(f"{keyword}_removed", here, f"{keyword} {before!r} removed", LOOSER)
            else:
                self.add(f"{keyword}_changed", here, f"{keyword} {before!r} became {after!r}", BOTH)
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            added = bool(new.get("uniqueItems"))
            rule = "unique_items_added" if added else "unique_items_removed"
            breaks = TIGHTER if added else LOOSER
            self.add(rule, at.down("uniqueItems"), rule.replace("_", " "), breaks)
        self._multiple_of(old.get("multipleOf"), new.get("multipleOf"), at.down("multipleOf"))

    def _multiple_of(self, before: Any, after: Any, at: At) -> None:
        if before == after:
            return
        if before is None or after is None:
            breaks = TIGHTER if before is None else LOOSER
        else:
            ratio = Fraction(str(before)) / Fraction(str(after))
            if ratio.denominator == 1:
                breaks = LOOSER
            elif ratio.numerator == 1:
                breaks = TIGHTER
            else:
                breaks = BOTH
        self.add("multiple_of_changed", at, f"multipleOf {before} became {after}", breaks)

    def _other_keywords(self, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
        for keyword in sorted(set(old) | set(new)):
            if (keyword in HANDLED and keyword != "$schema") or is_annotation(keyword):
                continue
            if canonical_json(old.get(keyword)) == canonical_json(new.get(keyword)):
                continue
            if keyword == "$schema":
                text = f"$schema {old.get(keyword)!r} became {new.get(keyword)!r}"
                self.add("dialect_changed", at.down(keyword), text, BOTH)
            else:
                self._unsupported(keyword, at)

    def _unsupported(self, keyword: str, at: At) -> None:
        if keyword in UNSUPPORTED:
            rule, what = "unsupported_keyword_changed", "is not compared"
        else:
            rule, what = "unknown_keyword_changed", "is not JSON Schema 2020-12"
        self.add(rule, at.down(keyword), f"'{keyword}' changed and {what}", BOTH)
