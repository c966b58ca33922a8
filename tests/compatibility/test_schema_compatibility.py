"""Schema compatibility: each diff rule, on the real canonical schemas, in every mode.

Every case is a change to a real ``canonical/schemas/*.v1.json`` (``before`` edits the
base first when the rule needs a shape v1 does not have) with the exact changes the diff
must report: rule, pointer and which promise breaks (``B`` backward, ``F`` forward). The
mode table then follows from those promises and is checked for every case in every mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from canonical.compatibility import (
    RULES,
    Direction,
    Mode,
    SubjectKind,
    check,
    default_mode,
    diff,
    is_compatible,
)
from tests.compatibility.schema_edits import Op, canonical, edited

STRING_NODE = "/properties/name"  # customer: string, minLength 1, maxLength 300
NUMBER_NODE = "/properties/tiers/items/properties/up_to"  # price: integer|null, minimum 1
ARRAY_NODE = "/properties/tiers"  # price: array, maxItems 100
OBJECT_NODE = "/$defs/address"  # customer, reached through /properties/address
ADDRESS = "/properties/address"


@dataclass(frozen=True)
class Case:
    id: str
    entity: str
    edit: tuple[Op, ...]
    expect: tuple[tuple[str, str, str], ...]
    before: tuple[Op, ...] = field(default=())

    def documents(self) -> tuple[dict[str, Any], dict[str, Any]]:
        base = edited(canonical(self.entity), self.before)
        return base, edited(base, self.edit)


CASES = [
    # -- properties, required, content models ----------------------------------
    Case(
        "add optional property to closed model",
        "customer",
        (("add", "/properties/tier", {"enum": ["gold", "silver"]}),),
        (("property_added_to_closed_model", "/properties/tier", "F"),),
    ),
    Case(
        "add required property",
        "product",
        (("add", "/properties/tagline", {"type": "string"}), ("add", "/required/-", "tagline")),
        (
            ("property_added_to_closed_model", "/properties/tagline", "F"),
            ("required_property_added", "/properties/tagline", "B"),
        ),
    ),
    Case(
        "add required property with a default",
        "product",
        (
            ("add", "/properties/tagline", {"type": "string", "default": "acme"}),
            ("add", "/required/-", "tagline"),
        ),
        (
            ("property_added_to_closed_model", "/properties/tagline", "F"),
            ("required_property_added", "/properties/tagline", "B"),
        ),
    ),
    Case(
        "make optional property required",
        "customer",
        (("add", "/required/-", "name"),),
        (("property_made_required", "/properties/name", "B"),),
    ),
    Case(
        "make required property optional",
        "product",
        (("replace", "/required", ["sku"]),),
        (("property_made_optional", "/properties/name", "F"),),
    ),
    Case(
        "remove optional property from closed model",
        "customer",
        (("remove", "/properties/owner"),),
        (("property_removed_from_closed_model", "/properties/owner", "B"),),
    ),
    Case(
        "remove required property",
        "product",
        (("remove", "/properties/sku"), ("replace", "/required", ["name"])),
        (
            ("property_removed_from_closed_model", "/properties/sku", "B"),
            ("required_property_removed", "/properties/sku", "F"),
        ),
    ),
    Case(
        "open the root content model",
        "customer",
        (("remove", "/additionalProperties"),),
        (("content_model_opened", "/additionalProperties", "F"),),
    ),
    Case(
        "close an open object",
        "customer",
        (("add", "/properties/extensions/additionalProperties", False),),
        (("content_model_closed", "/properties/extensions/additionalProperties", "B"),),
    ),
    Case(
        "add constrained property to open object",
        "customer",
        (("add", "/properties/extensions/properties", {"crm_score": {"type": "integer"}}),),
        (("property_added_to_open_model", "/properties/extensions/properties/crm_score", "B"),),
    ),
    Case(
        "add unconstrained property to open object",
        "customer",
        (("add", "/properties/extensions/properties", {"note": {"description": "free"}}),),
        (),
    ),
    Case(
        "remove property from open object",
        "customer",
        (("remove", "/properties/extensions/properties/crm_score"),),
        (("property_removed_from_open_model", "/properties/extensions/properties/crm_score", "F"),),
        before=(("add", "/properties/extensions/properties", {"crm_score": {"type": "integer"}}),),
    ),
    Case(
        "add property to partially open object, compared with additionalProperties",
        "customer",
        (("add", "/properties/extensions/properties", {"score": {"type": "integer"}}),),
        (("type_changed", "/properties/extensions/properties/score/type", "BF"),),
        before=(("add", "/properties/extensions/additionalProperties", {"type": "string"}),),
    ),
    Case(
        "add property covered by additionalProperties",
        "customer",
        (("add", "/properties/extensions/properties", {"code": {"type": "string"}}),),
        (),
        before=(("add", "/properties/extensions/additionalProperties", {"type": "string"}),),
    ),
    Case(
        "tighten additionalProperties",
        "customer",
        (("add", "/properties/extensions/additionalProperties/maxLength", 10),),
        (("max_length_added", "/properties/extensions/additionalProperties/maxLength", "B"),),
        before=(("add", "/properties/extensions/additionalProperties", {"type": "string"}),),
    ),
    Case(
        "nested closed object: add property inside $defs",
        "customer",
        (("add", f"{OBJECT_NODE}/properties/county", {"type": "string"}),),
        (("property_added_to_closed_model", f"{ADDRESS}/properties/county", "F"),),
    ),
    Case(
        "nested closed object: remove property inside $defs",
        "customer",
        (("remove", f"{OBJECT_NODE}/properties/region"),),
        (("property_removed_from_closed_model", f"{ADDRESS}/properties/region", "B"),),
    ),
    Case(
        "dependentRequired added",
        "customer",
        (("add", "/dependentRequired", {"tax_id": ["address"]}),),
        (("dependent_required_added", "/dependentRequired/tax_id", "B"),),
    ),
    Case(
        "dependentRequired removed",
        "customer",
        (("remove", "/dependentRequired"),),
        (("dependent_required_removed", "/dependentRequired/tax_id", "F"),),
        before=(("add", "/dependentRequired", {"tax_id": ["address"]}),),
    ),
    # -- types, enums, const ---------------------------------------------------
    Case(
        "widen a type",
        "price",
        (("replace", f"{NUMBER_NODE}/type", ["number", "null"]),),
        (("type_widened", f"{NUMBER_NODE}/type", "F"),),
    ),
    Case(
        "narrow a type",
        "price",
        (("replace", f"{NUMBER_NODE}/type", "integer"),),
        (("type_narrowed", f"{NUMBER_NODE}/type", "B"),),
    ),
    Case(
        "change a type",
        "customer",
        (("replace", f"{STRING_NODE}/type", "integer"),),
        (("type_changed", f"{STRING_NODE}/type", "BF"),),
    ),
    Case(
        "a reordered type list changes nothing",
        "price",
        (("replace", f"{NUMBER_NODE}/type", ["null", "integer"]),),
        (),
    ),
    Case(
        "number accepts integers: integer|number is number",
        "price",
        (("replace", f"{NUMBER_NODE}/type", ["number", "null", "integer"]),),
        (),
        before=(("replace", f"{NUMBER_NODE}/type", ["number", "null"]),),
    ),
    Case(
        "add an enum value",
        "customer",
        (("add", "/properties/status/enum/-", "suspended"),),
        (("enum_value_added", "/properties/status/enum", "F"),),
    ),
    Case(
        "remove an enum value",
        "customer",
        (("replace", "/properties/status/enum", ["active", "inactive", "prospect"]),),
        (("enum_value_removed", "/properties/status/enum", "B"),),
    ),
    Case(
        "enum replaced by a type every value has",
        "customer",
        (("replace", "/properties/kind", {"type": "string"}),),
        (("enum_removed", "/properties/kind/enum", "F"),),
    ),
    Case(
        "enum replaced by a type some values lack",
        "customer",
        (("replace", "/properties/kind", {"type": "string", "maxLength": 6}),),
        (
            ("enum_removed", "/properties/kind/enum", "F"),
            ("enum_value_removed", "/properties/kind/enum", "B"),
        ),
    ),
    Case(
        "string restricted to an enum",
        "customer",
        (("replace", "/properties/segment", {"enum": ["smb", "enterprise"]}),),
        (("enum_added", "/properties/segment/enum", "B"),),
    ),
    Case(
        "enum narrowed to a const",
        "customer",
        (("replace", "/properties/kind", {"const": "organization"}),),
        (("enum_value_removed", "/properties/kind/enum", "B"),),
    ),
    Case(
        "const added",
        "product",
        (("add", "/properties/unit/const", "each"),),
        (("const_added", "/properties/unit/const", "B"),),
    ),
    Case(
        "const removed",
        "product",
        (("remove", "/properties/unit/const"),),
        (("const_removed", "/properties/unit/const", "F"),),
        before=(("add", "/properties/unit/const", "each"),),
    ),
    Case(
        "const changed",
        "product",
        (("replace", "/properties/unit/const", "piece"),),
        (("const_changed", "/properties/unit/const", "BF"),),
        before=(("add", "/properties/unit/const", "each"),),
    ),
    # -- strings, numbers, arrays ----------------------------------------------
    Case(
        "pattern added",
        "customer",
        (("add", "/properties/website/pattern", "^https?://"),),
        (("pattern_added", "/properties/website/pattern", "B"),),
    ),
    Case(
        "pattern removed",
        "customer",
        (("remove", "/properties/currency/pattern"),),
        (("pattern_removed", "/properties/currency/pattern", "F"),),
    ),
    Case(
        "pattern changed inside $defs, reported through the $ref",
        "customer",
        (("replace", f"{OBJECT_NODE}/properties/country/pattern", "^[A-Z]{2,3}$"),),
        (("pattern_changed", f"{ADDRESS}/properties/country/pattern", "BF"),),
    ),
    Case(
        "format added",
        "customer",
        (("add", "/properties/website/format", "uri"),),
        (("format_added", "/properties/website/format", "B"),),
    ),
    Case(
        "format removed",
        "customer",
        (("remove", "/properties/email/format"),),
        (("format_removed", "/properties/email/format", "F"),),
    ),
    Case(
        "format changed",
        "customer",
        (("replace", "/properties/date_of_birth/format", "date-time"),),
        (("format_changed", "/properties/date_of_birth/format", "BF"),),
    ),
    Case(
        "multipleOf added",
        "price",
        (("add", f"{NUMBER_NODE}/multipleOf", 10),),
        (("multiple_of_changed", f"{NUMBER_NODE}/multipleOf", "B"),),
    ),
    Case(
        "multipleOf relaxed to a divisor",
        "price",
        (("replace", f"{NUMBER_NODE}/multipleOf", 5),),
        (("multiple_of_changed", f"{NUMBER_NODE}/multipleOf", "F"),),
        before=(("add", f"{NUMBER_NODE}/multipleOf", 10),),
    ),
    Case(
        "multipleOf changed to an unrelated step",
        "price",
        (("replace", f"{NUMBER_NODE}/multipleOf", 4),),
        (("multiple_of_changed", f"{NUMBER_NODE}/multipleOf", "BF"),),
        before=(("add", f"{NUMBER_NODE}/multipleOf", 10),),
    ),
    Case(
        "uniqueItems added",
        "price",
        (("add", f"{ARRAY_NODE}/uniqueItems", True),),
        (("unique_items_added", f"{ARRAY_NODE}/uniqueItems", "B"),),
    ),
    Case(
        "uniqueItems removed",
        "price",
        (("remove", f"{ARRAY_NODE}/uniqueItems"),),
        (("unique_items_removed", f"{ARRAY_NODE}/uniqueItems", "F"),),
        before=(("add", f"{ARRAY_NODE}/uniqueItems", True),),
    ),
    Case(
        "array items: property added to closed item objects",
        "price",
        (("add", f"{ARRAY_NODE}/items/properties/label", {"type": "string"}),),
        (("property_added_to_closed_model", f"{ARRAY_NODE}/items/properties/label", "F"),),
    ),
    Case(
        "prefixItems added",
        "price",
        (("add", f"{ARRAY_NODE}/prefixItems", [{"type": "object"}]),),
        (("prefix_items_changed", f"{ARRAY_NODE}/prefixItems", "BF"),),
    ),
    Case(
        "a shared $defs change is reported at every place that uses it",
        "price",
        (("replace", "/$defs/amount/pattern", "^-?[0-9]{1,18}(\\.[0-9]{1,8})?$"),),
        (
            ("pattern_changed", "/properties/tiers/items/properties/flat_amount/pattern", "BF"),
            ("pattern_changed", "/properties/tiers/items/properties/unit_amount/pattern", "BF"),
            ("pattern_changed", "/properties/unit_amount/pattern", "BF"),
        ),
    ),
    Case(
        "a $ref retargeted to an identical definition changes nothing",
        "price",
        (
            (
                "add",
                "/$defs/money",
                {"type": "string", "pattern": "^-?[0-9]{1,15}(\\.[0-9]{1,8})?$"},
            ),
            ("replace", "/properties/unit_amount", {"$ref": "#/$defs/money"}),
        ),
        (),
    ),
    Case(
        "an unused $defs entry changes nothing",
        "customer",
        (("add", "/$defs/unused", {"type": "integer"}),),
        (),
    ),
    Case(
        "a $ref outside the document that changed",
        "customer",
        (("replace", ADDRESS, {"$ref": "urn:mdm:shared:address:1"}),),
        (("ref_unresolved", ADDRESS, "BF"),),
    ),
    # -- if/then in allOf, anyOf, oneOf ------------------------------------------
    Case(
        "then requires one more property",
        "customer",
        (("add", "/allOf/0/then/required/-", "tax_id"),),
        (("required_property_added", "/allOf/0/then/properties/tax_id", "B"),),
    ),
    Case(
        "then requires one property less",
        "customer",
        (("replace", "/allOf/1/then/required", []),),
        (("required_property_removed", "/allOf/1/then/properties/last_name", "F"),),
    ),
    Case(
        "if changed",
        "customer",
        (("replace", "/allOf/0/if/properties/kind/const", "company"),),
        (("condition_changed", "/allOf/0/if", "BF"),),
    ),
    Case(
        "allOf branches reordered changes nothing",
        "customer",
        (
            (
                "add",
                "/allOf/0",
                {
                    "if": {"properties": {"kind": {"const": "person"}}},
                    "then": {"required": ["last_name"]},
                },
            ),
            ("remove", "/allOf/2"),
        ),
        (),
    ),
    Case(
        "allOf conditional added",
        "customer",
        (
            (
                "add",
                "/allOf/-",
                {"if": {"required": ["tax_id"]}, "then": {"required": ["address"]}},
            ),
        ),
        (("all_of_branch_added", "/allOf/2", "B"),),
    ),
    Case(
        "allOf conditional removed",
        "customer",
        (("remove", "/allOf/1"),),
        (("all_of_branch_removed", "/allOf/1", "F"),),
    ),
    Case(
        "if/then added at a node",
        "customer",
        (
            ("add", f"{OBJECT_NODE}/if", {"required": ["line2"]}),
            ("add", f"{OBJECT_NODE}/then", {"required": ["line1"]}),
        ),
        (("condition_added", f"{ADDRESS}/if", "B"),),
    ),
    Case(
        "if/then removed at a node",
        "customer",
        (("remove", f"{OBJECT_NODE}/if"), ("remove", f"{OBJECT_NODE}/then")),
        (("condition_removed", f"{ADDRESS}/if", "F"),),
        before=(
            ("add", f"{OBJECT_NODE}/if", {"required": ["line2"]}),
            ("add", f"{OBJECT_NODE}/then", {"required": ["line1"]}),
        ),
    ),
    Case(
        "a schema becomes one branch of an anyOf",
        "customer",
        (
            (
                "replace",
                STRING_NODE,
                {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 300}, {"type": "null"}]},
            ),
        ),
        (("any_of_branch_added", f"{STRING_NODE}/anyOf", "F"),),
    ),
    Case(
        "an anyOf narrowed to one of its branches",
        "customer",
        (("replace", STRING_NODE, {"type": "string", "minLength": 1, "maxLength": 300}),),
        (("any_of_branch_removed", f"{STRING_NODE}/anyOf", "B"),),
        before=(
            (
                "replace",
                STRING_NODE,
                {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 300}, {"type": "null"}]},
            ),
        ),
    ),
    Case(
        "anyOf branch added",
        "customer",
        (("add", f"{STRING_NODE}/anyOf/-", {"type": "integer"}),),
        (("any_of_branch_added", f"{STRING_NODE}/anyOf/2", "F"),),
        before=(("replace", STRING_NODE, {"anyOf": [{"type": "string"}, {"type": "null"}]}),),
    ),
    Case(
        "anyOf branch tightened",
        "customer",
        (("add", f"{STRING_NODE}/anyOf/0/maxLength", 10),),
        (("max_length_added", f"{STRING_NODE}/anyOf/0/maxLength", "B"),),
        before=(("replace", STRING_NODE, {"anyOf": [{"type": "string"}, {"type": "null"}]}),),
    ),
    Case(
        "oneOf changed",
        "customer",
        (("add", f"{STRING_NODE}/oneOf/-", {"maxLength": 5}),),
        (("one_of_changed", f"{STRING_NODE}/oneOf", "BF"),),
        before=(("add", f"{STRING_NODE}/oneOf", [{"minLength": 3}]),),
    ),
    # -- schemas that refuse everything, dialects, unknown keywords, annotations ---
    Case(
        "a property schema becomes false",
        "customer",
        (("replace", "/properties/extensions", False),),
        (("schema_became_false", "/properties/extensions", "B"),),
    ),
    Case(
        "a false property schema becomes a real one",
        "customer",
        (("replace", "/properties/extensions", {"type": "object"}),),
        (("schema_no_longer_false", "/properties/extensions", "F"),),
        before=(("replace", "/properties/extensions", False),),
    ),
    Case(
        "$schema names another dialect",
        "product",
        (("replace", "/$schema", "http://json-schema.org/draft-07/schema#"),),
        (("dialect_changed", "/$schema", "BF"),),
    ),
    Case(
        "unsupported keyword added: not",
        "customer",
        (("add", f"{STRING_NODE}/not", {"const": "n/a"}),),
        (("unsupported_keyword_changed", f"{STRING_NODE}/not", "BF"),),
    ),
    Case(
        "unsupported keyword added: propertyNames",
        "customer",
        (("add", "/properties/extensions/propertyNames", {"pattern": "^[a-z_]+$"}),),
        (("unsupported_keyword_changed", "/properties/extensions/propertyNames", "BF"),),
    ),
    Case(
        "patternProperties gained a pattern",
        "customer",
        (("add", "/properties/extensions/patternProperties", {"^crm_": {"type": "string"}}),),
        (("unsupported_keyword_changed", "/properties/extensions/patternProperties", "BF"),),
    ),
    Case(
        "unknown keyword added",
        "customer",
        (("add", f"{STRING_NODE}/nullable", True),),
        (("unknown_keyword_changed", f"{STRING_NODE}/nullable", "BF"),),
    ),
    Case(
        "annotations and vendor extensions change nothing",
        "customer",
        (
            ("replace", "/$id", "urn:mdm:canonical:customer:2"),
            ("replace", "/description", "A party."),
            ("add", f"{STRING_NODE}/title", "Legal name"),
            ("add", f"{STRING_NODE}/examples", ["Acme GmbH"]),
            ("add", f"{STRING_NODE}/x-pii", True),
            ("add", f"{STRING_NODE}/deprecated", True),
        ),
        (),
    ),
    Case(
        "a default changed is reported and breaks nothing",
        "customer",
        (("add", "/properties/status/default", "active"),),
        (("default_changed", "/properties/status", ""),),
    ),
]

_BOUND_NODES = {
    "min_length": ("customer", STRING_NODE),
    "max_length": ("customer", STRING_NODE),
    "minimum": ("price", NUMBER_NODE),
    "maximum": ("price", NUMBER_NODE),
    "exclusive_minimum": ("price", NUMBER_NODE),
    "exclusive_maximum": ("price", NUMBER_NODE),
    "min_items": ("price", ARRAY_NODE),
    "max_items": ("price", ARRAY_NODE),
    "min_properties": ("customer", OBJECT_NODE),
    "max_properties": ("customer", OBJECT_NODE),
}


def _bound_cases() -> list[Case]:
    """added / removed / increased / decreased for each bound, on a node of its type."""
    cases = []
    for snake_name, (entity, node) in _BOUND_NODES.items():
        words = snake_name.split("_")
        keyword = words[0] + "".join(w.title() for w in words[1:])
        upper = "max" in snake_name
        where = node.replace(OBJECT_NODE, ADDRESS) + f"/{keyword}"
        at = f"{node}/{keyword}"
        start = (("add", at, 5),)
        for verb, edit, before, breaks in (
            ("added", (("add", at, 5),), (("remove", at),), "B"),
            ("removed", (("remove", at),), start, "F"),
            ("increased", (("replace", at, 9),), start, "F" if upper else "B"),
            ("decreased", (("replace", at, 2),), start, "B" if upper else "F"),
        ):
            base = canonical(entity)
            has = _has(base, at)
            cases.append(
                Case(
                    f"{keyword} {verb}",
                    entity,
                    edit,
                    ((f"{snake_name}_{verb}", where, breaks),),
                    before=before if (has or verb != "added") else (),
                )
            )
    return cases


def _has(doc: Any, pointer: str) -> bool:
    node = doc
    for token in pointer.split("/")[1:]:
        if not isinstance(node, dict) or token not in node:
            return False
        node = node[token]
    return True


ALL_CASES = CASES + _bound_cases()
_LETTERS = {Direction.BACKWARD: "B", Direction.FORWARD: "F"}


def _letters(directions: Any) -> str:
    return "".join(_LETTERS[d] for d in sorted(directions, key=lambda d: _LETTERS[d]))


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_each_change_is_named_with_its_pointer_and_the_promise_it_breaks(case: Case) -> None:
    before, after = case.documents()

    found = [(c.rule, c.pointer, _letters(c.breaks)) for c in diff(before, after)]

    assert sorted(found) == sorted(case.expect)


@pytest.mark.parametrize("mode", list(Mode), ids=[m.value for m in Mode])
@pytest.mark.parametrize("case", ALL_CASES, ids=[c.id for c in ALL_CASES])
def test_each_mode_refuses_exactly_the_changes_that_break_its_promises(
    case: Case, mode: Mode
) -> None:
    before, after = case.documents()
    wanted = {_LETTERS[d] for d in mode.directions}
    expected = sorted(
        (rule, pointer) for rule, pointer, breaks in case.expect if wanted & set(breaks)
    )

    refused = check([before], after, mode)

    assert sorted((i.rule, i.pointer) for i in refused) == expected
    assert is_compatible([before], after, mode) is (not expected)
    assert all(set(_letters(i.breaks)) <= wanted for i in refused)


def test_every_rule_in_the_catalogue_is_exercised_by_a_case() -> None:
    exercised = {rule for case in ALL_CASES for rule, _, _ in case.expect}

    assert set(RULES) - exercised == set()
    assert exercised - set(RULES) == set()


def test_a_change_inside_defs_says_where_it_is_written() -> None:
    base = canonical("customer")
    proposed = edited(base, [("add", f"{OBJECT_NODE}/properties/county", {"type": "string"})])

    (change,) = diff(base, proposed)

    assert change.pointer == "/properties/address/properties/county"
    assert change.location == "/$defs/address/properties/county"
    assert "county" in change.message and "closed" in change.message


def test_a_removed_property_is_located_where_it_was() -> None:
    base = canonical("customer")

    (change,) = diff(base, edited(base, [("remove", "/properties/owner")]))

    assert (change.rule, change.location) == (
        "property_removed_from_closed_model",
        "/properties/owner",
    )


def test_a_required_default_is_named_in_the_refusal() -> None:
    case = next(c for c in CASES if c.id == "add required property with a default")
    before, after = case.documents()

    (refusal,) = check([before], after, Mode.BACKWARD)

    assert refusal.rule == "required_property_added"
    assert "default does not help" in refusal.message
    assert refusal.as_dict() == {
        "rule": "required_property_added",
        "pointer": "/properties/tagline",
        "message": refusal.message,
        "breaks": ["backward"],
        "against_version": 1,
        "location": "/required",
    }


def test_recursive_definitions_are_compared_once_per_place() -> None:
    tree = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/node",
        "$defs": {
            "node": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            }
        },
    }
    proposed = edited(tree, [("add", "/$defs/node/properties/name/maxLength", 10)])

    found = [(c.rule, c.pointer) for c in diff(tree, proposed)]

    assert found == [("max_length_added", "/properties/name/maxLength")]


# -- modes, transitivity, defaults -------------------------------------------------


def _with_max_length(value: int) -> dict[str, Any]:
    return edited(canonical("customer"), [("replace", f"{STRING_NODE}/maxLength", value)])


def test_transitive_modes_protect_every_earlier_version_not_only_the_latest() -> None:
    # v2 was registered while the subject's mode was NONE
    v1, v2, proposed = _with_max_length(300), _with_max_length(100), _with_max_length(200)

    assert check([v1, v2], proposed, Mode.BACKWARD) == []
    refused = check([v1, v2], proposed, Mode.BACKWARD_TRANSITIVE)
    assert [(i.rule, i.against_version) for i in refused] == [("max_length_decreased", 1)]


def test_forward_transitive_checks_old_readers_of_every_version() -> None:
    v1, v2, proposed = _with_max_length(100), _with_max_length(300), _with_max_length(200)

    assert check([v1, v2], proposed, "FORWARD") == []
    refused = check([v1, v2], proposed, "forward-transitive", versions=[4, 7])
    assert [(i.rule, i.against_version) for i in refused] == [("max_length_increased", 4)]
    assert str(refused[0]).startswith("max_length_increased at /properties/name/maxLength")


def test_full_refuses_an_added_optional_property_and_none_refuses_nothing() -> None:
    base = canonical("customer")
    proposed = edited(base, [("add", "/properties/tier", {"type": "string"})])

    assert check([base], proposed, Mode.BACKWARD_TRANSITIVE) == []
    assert [i.rule for i in check([base], proposed, Mode.FULL)] == [
        "property_added_to_closed_model"
    ]
    assert check([base], edited(base, [("remove", "/properties/name")]), Mode.NONE) == []


def test_the_first_version_of_a_subject_is_always_allowed() -> None:
    assert check([], canonical("customer"), Mode.FULL_TRANSITIVE) == []


def test_version_labels_must_match_the_previous_schemas() -> None:
    with pytest.raises(ValueError, match="2 version labels for 1 previous"):
        check([canonical("price")], canonical("price"), Mode.FULL, versions=[1, 2])


def test_modes_parse_leniently_and_say_which_promises_they_keep() -> None:
    assert Mode.parse("full-transitive") is Mode.FULL_TRANSITIVE
    assert Mode.parse(" Backward ") is Mode.BACKWARD
    assert Mode.FULL.directions == frozenset(Direction)
    assert Mode.FORWARD_TRANSITIVE.directions == {Direction.FORWARD}
    assert Mode.FORWARD_TRANSITIVE.transitive and not Mode.FORWARD.transitive
    assert Mode.NONE.directions == frozenset()
    with pytest.raises(ValueError, match="unknown compatibility mode 'sideways'"):
        Mode.parse("sideways")


def test_default_modes_per_subject_kind() -> None:
    assert default_mode(SubjectKind.ENTITY) is Mode.BACKWARD_TRANSITIVE
    assert default_mode("event") is Mode.FORWARD_TRANSITIVE
