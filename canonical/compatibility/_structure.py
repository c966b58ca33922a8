"""Diff rules for structure: objects and their content models, arrays, allOf/anyOf/oneOf
and if/then/else.

Content models follow Confluent Schema Registry: an object is *closed* when
``additionalProperties`` is false, *open* when it is absent or true, and *partially
open* when it is a schema (or ``patternProperties`` cover a name). A property added to a
closed object breaks forward (old readers refuse it), to an open one breaks backward
(data written before may already carry that name in another shape); a partially open
object compares the new property with the schema that covered its name before.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from canonical.compatibility._keywords import canonical_json, escape, is_annotation, snake
from canonical.compatibility._path import At
from canonical.compatibility.changes import BOTH, LOOSER, TIGHTER
from canonical.compatibility.modes import Direction

if TYPE_CHECKING:
    from canonical.compatibility.diff import Walker

__all__ = ["arrays", "combinators", "conditional", "objects", "sum_type"]

_OBJECT_KEYWORDS = (
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "dependentRequired",
)
_CLOSED = "additionalProperties: false"
_DEFAULT_NOTE = (
    " (its default does not help: validators do not fill defaults, and a source still on the "
    "earlier version sends records without it)"
)


def _trivial(schema: Any) -> bool:
    """Accepts every value: ``true``, ``{}``, or annotations only."""
    if schema is True:
        return True
    return isinstance(schema, Mapping) and all(is_annotation(k) or k == "default" for k in schema)


def _covering(schema: Mapping[str, Any], name: str, loc: str | None) -> tuple[Any, str | None]:
    """The schema that judged an undeclared property ``name``, and where it is written."""
    for pattern, sub in schema.get("patternProperties", {}).items():
        try:
            hit = re.search(pattern, name) is not None
        except re.error:
            hit = True
        if hit:
            return sub, None if loc is None else f"{loc}/patternProperties/{escape(pattern)}"
    extra = schema.get("additionalProperties", True)
    return (True if extra == {} else extra), None if loc is None else f"{loc}/additionalProperties"


def objects(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    if not any(k in old or k in new for k in _OBJECT_KEYWORDS):
        return
    declared_old, declared_new = old.get("properties", {}), new.get("properties", {})
    for name in sorted(set(declared_old) | set(declared_new)):
        here = at.down("properties", name)
        if name in declared_old and name in declared_new:
            w.node(declared_old[name], declared_new[name], here)
        elif name in declared_new:
            _added(w, old, declared_new[name], name, at)
        else:
            _removed(w, new, declared_old[name], name, at)
    _required(w, old, new, at)
    _content_model(w, old, new, at)
    _dependent_required(w, old, new, at)
    _pattern_properties(w, old, new, at)


def _added(w: Walker, old: Mapping[str, Any], schema: Any, name: str, at: At) -> None:
    covering, where = _covering(old, name, at.old)
    here = At(at.pointer + f"/properties/{escape(name)}", where, at.down("properties", name).new)
    if covering is False:
        if schema is not False:
            text = f"property '{name}' was added to a closed object ({_CLOSED})"
            w.add("property_added_to_closed_model", here, text, LOOSER)
    elif _trivial(covering):
        if not _trivial(schema):
            text = f"property '{name}' was added to an open object"
            w.add("property_added_to_open_model", here, text, TIGHTER)
    else:
        w.node(covering, schema, here)


def _removed(w: Walker, new: Mapping[str, Any], schema: Any, name: str, at: At) -> None:
    covering, where = _covering(new, name, at.new)
    was = at.down("properties", name).old
    here = At(at.pointer + f"/properties/{escape(name)}", was, where)
    if covering is False:
        if schema is not False:
            text = f"property '{name}' was removed from a closed object ({_CLOSED})"
            w.add("property_removed_from_closed_model", here, text, TIGHTER, location=was)
    elif _trivial(covering):
        if not _trivial(schema):
            text = f"property '{name}' was removed from an open object"
            w.add("property_removed_from_open_model", here, text, LOOSER, location=was)
    else:
        w.node(schema, covering, here)


def _required(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    was, now = set(old.get("required", [])), set(new.get("required", []))
    declared_old, declared_new = old.get("properties", {}), new.get("properties", {})
    for name in sorted(now - was):
        rule = "property_made_required" if name in declared_old else "required_property_added"
        schema = declared_new.get(name)
        note = _DEFAULT_NOTE if isinstance(schema, Mapping) and "default" in schema else ""
        text = f"'{name}' is now required{note}"
        w.add(rule, at.down("properties", name), text, TIGHTER, location=at.located("/required"))
    for name in sorted(was - now):
        rule = "property_made_optional" if name in declared_new else "required_property_removed"
        text = f"'{name}' is no longer required"
        w.add(rule, at.down("properties", name), text, LOOSER, location=at.located("/required"))


def _content_model(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    before, after = old.get("additionalProperties", True), new.get("additionalProperties", True)
    before, after = (True if before == {} else before), (True if after == {} else after)
    if canonical_json(before) == canonical_json(after) and '"$ref"' not in canonical_json(after):
        return
    here = at.down("additionalProperties")
    if before is False and after is not False:
        w.add("content_model_opened", here, "additionalProperties is no longer false", LOOSER)
    elif after is False and before is not False:
        w.add("content_model_closed", here, "additionalProperties became false", TIGHTER)
    else:
        w.node(before, after, here)


def _dependent_required(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    before, after = old.get("dependentRequired", {}), new.get("dependentRequired", {})
    for trigger in sorted(set(before) | set(after)):
        was, now = set(before.get(trigger, [])), set(after.get(trigger, []))
        here = at.down("dependentRequired", trigger)
        if now - was:
            text = f"with '{trigger}', {sorted(now - was)} are now required too"
            w.add("dependent_required_added", here, text, TIGHTER)
        if was - now:
            text = f"with '{trigger}', {sorted(was - now)} are no longer required"
            w.add("dependent_required_removed", here, text, LOOSER)


def _pattern_properties(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    before, after = old.get("patternProperties", {}), new.get("patternProperties", {})
    if set(before) != set(after):
        text = "'patternProperties' gained or lost a pattern and patterns are not compared"
        w.add("unsupported_keyword_changed", at.down("patternProperties"), text, BOTH)
    for pattern in sorted(set(before) & set(after)):
        w.node(before[pattern], after[pattern], at.down("patternProperties", pattern))


def arrays(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    if "items" in old or "items" in new:
        w.node(old.get("items", True), new.get("items", True), at.down("items"))
    before, after = old.get("prefixItems", []), new.get("prefixItems", [])
    if len(before) != len(after):
        text = f"prefixItems went from {len(before)} to {len(after)} entries"
        w.add("prefix_items_changed", at.down("prefixItems"), text, BOTH)
        return
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        w.node(a, b, at.down("prefixItems", i))


def _pair(
    before: Sequence[Any], after: Sequence[Any]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match branches: identical ones first, then conditionals with the same ``if``, then
    the rest in order. Returns the pairs and the unmatched indexes on each side."""
    left, right = list(range(len(before))), list(range(len(after)))
    pairs: list[tuple[int, int]] = []

    def take(same: Any) -> None:
        for i in list(left):
            for j in right:
                if same(before[i], after[j]):
                    pairs.append((i, j))
                    left.remove(i)
                    right.remove(j)
                    break

    take(lambda a, b: canonical_json(a) == canonical_json(b))
    take(
        lambda a, b: (
            isinstance(a, Mapping)
            and isinstance(b, Mapping)
            and "if" in a
            and canonical_json(a.get("if")) == canonical_json(b.get("if"))
        )
    )
    while left and right:
        pairs.append((left.pop(0), right.pop(0)))
    return pairs, left, right


def combinators(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    for keyword, gained_breaks in (("allOf", TIGHTER), ("anyOf", LOOSER)):
        if keyword not in old and keyword not in new:
            continue
        before, after = old.get(keyword, []), new.get(keyword, [])
        pairs, lost, gained = _pair(before, after)
        for i, j in pairs:
            here = At(
                f"{at.pointer}/{keyword}/{j}",
                None if at.old is None else f"{at.old}/{keyword}/{i}",
                None if at.new is None else f"{at.new}/{keyword}/{j}",
            )
            w.node(before[i], after[j], here)
        lost_breaks = TIGHTER if gained_breaks == LOOSER else LOOSER
        for i in lost:
            here = At(f"{at.pointer}/{keyword}/{i}", f"{at.old}/{keyword}/{i}", None)
            rule = f"{snake(keyword)}_branch_removed"
            w.add(rule, here, f"{keyword} branch removed", lost_breaks)
        for j in gained:
            here = At(f"{at.pointer}/{keyword}/{j}", None, f"{at.new}/{keyword}/{j}")
            rule = f"{snake(keyword)}_branch_added"
            w.add(rule, here, f"{keyword} branch added", gained_breaks)
    before, after = old.get("oneOf"), new.get("oneOf")
    if before != after and canonical_json(before) != canonical_json(after):
        text = "oneOf changed; a value may now match no branch or several"
        w.add("one_of_changed", at.down("oneOf"), text, BOTH)


def conditional(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> None:
    if "if" not in old and "if" not in new:
        return
    if "if" not in old:
        w.add("condition_added", at.down("if"), "an if/then/else was added", TIGHTER)
        return
    if "if" not in new:
        w.add("condition_removed", at.down("if"), "the if/then/else was removed", LOOSER)
        return
    if canonical_json(old["if"]) != canonical_json(new["if"]):
        text = f"if {canonical_json(old['if'])} became {canonical_json(new['if'])}"
        w.add("condition_changed", at.down("if"), text, BOTH)
        return
    for branch in ("then", "else"):
        if branch in old or branch in new:
            w.node(old.get(branch, True), new.get(branch, True), at.down(branch))


def _only(schema: Mapping[str, Any], keyword: str) -> bool:
    return keyword in schema and all(
        k == keyword or k == "default" or is_annotation(k) for k in schema
    )


def sum_type(w: Walker, old: Mapping[str, Any], new: Mapping[str, Any], at: At) -> bool:
    """A plain schema that became one branch of an ``anyOf`` (or the reverse) is a widening
    (a narrowing) when that branch compares without breaking the other way; True when handled."""
    if _only(new, "anyOf") and "anyOf" not in old:
        branches, direction, widened = new["anyOf"], Direction.BACKWARD, True
    elif _only(old, "anyOf") and "anyOf" not in new:
        branches, direction, widened = old["anyOf"], Direction.FORWARD, False
    else:
        return False
    for k, branch in enumerate(branches):
        probe = w.fork()
        here = at.down("anyOf", k)
        if widened:
            probe.node(old, branch, At(here.pointer, at.old, here.new))
        else:
            probe.node(branch, new, At(here.pointer, here.old, at.new))
        if probe.breaks_anything(direction):
            continue
        w.changes.update(probe.changes)
        if len(branches) > 1:
            rule = "any_of_branch_added" if widened else "any_of_branch_removed"
            text = f"the schema became one of {len(branches)} anyOf branches"
            if not widened:
                text = f"the schema was one of {len(branches)} anyOf branches"
            w.add(rule, at.down("anyOf"), text, LOOSER if widened else TIGHTER)
        return True
    return False
