"""What a schema change is called, where it is, and which promise it breaks.

Every change the diff finds carries a stable rule code from :data:`RULES` (codes are
part of the public API: the registry returns them in its 409s and CI prints them), the
JSON pointer of the place it affects, and a message a person can act on.

Pointers follow the data, not the file: a change inside ``$defs/address`` that the root
reaches through ``properties/address`` (a ``$ref``) is reported at
``/properties/address/properties/country``; ``location`` says where in the document the
changed keyword is written (``/$defs/address/properties/country``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypedDict

from canonical.compatibility.modes import Direction

__all__ = [
    "BOTH",
    "LOOSER",
    "NEITHER",
    "RULES",
    "TIGHTER",
    "Change",
    "ChangeJSON",
    "Incompatibility",
    "IncompatibilityJSON",
]

TIGHTER: frozenset[Direction] = frozenset({Direction.BACKWARD})
"""The proposed schema accepts less: data written before may be refused by new readers."""
LOOSER: frozenset[Direction] = frozenset({Direction.FORWARD})
"""The proposed schema accepts more: old readers may refuse data written under it."""
BOTH: frozenset[Direction] = frozenset(Direction)
NEITHER: frozenset[Direction] = frozenset()

_BOUNDS = (
    "min_length",
    "max_length",
    "minimum",
    "maximum",
    "exclusive_minimum",
    "exclusive_maximum",
    "min_items",
    "max_items",
    "min_properties",
    "max_properties",
)


def _catalogue() -> dict[str, str]:
    rules = {
        "property_added_to_closed_model": "a property was added where additionalProperties is "
        "false; readers on the earlier schema refuse data that carries it",
        "property_added_to_open_model": "a constrained property was added where any property "
        "was allowed; data written before may carry that name with another shape",
        "property_removed_from_closed_model": "a property was removed from a closed object; "
        "data written before may carry it and is now refused",
        "property_removed_from_open_model": "a property was removed from an open object; data "
        "written now may carry that name with any shape",
        "required_property_added": "a new property is required; data written before lacks it",
        "property_made_required": "an optional property became required",
        "property_made_optional": "a required property became optional; readers on the "
        "earlier schema still require it",
        "required_property_removed": "a required property is no longer required or declared",
        "content_model_closed": "additionalProperties became false; undeclared properties "
        "written before are now refused",
        "content_model_opened": "additionalProperties is no longer false; readers on the "
        "earlier schema refuse the undeclared properties now allowed",
        "dependent_required_added": "dependentRequired asks for more properties",
        "dependent_required_removed": "dependentRequired asks for fewer properties",
        "type_narrowed": "fewer JSON types are accepted",
        "type_widened": "more JSON types are accepted",
        "type_changed": "the accepted JSON types changed both ways",
        "enum_value_removed": "a value allowed before is no longer allowed",
        "enum_value_added": "a value not allowed before is now allowed",
        "enum_added": "a list of allowed values now restricts what was open",
        "enum_removed": "the list of allowed values was removed",
        "const_added": "a single allowed value now restricts what was open",
        "const_removed": "the single allowed value was removed",
        "const_changed": "the single allowed value changed",
        "multiple_of_changed": "multipleOf changed",
        "pattern_added": "a pattern now restricts the string",
        "pattern_removed": "the pattern was removed",
        "pattern_changed": "the pattern changed (regular expressions are not compared)",
        "format_added": "a format now restricts the string (the hub asserts formats)",
        "format_removed": "the format was removed",
        "format_changed": "the format changed",
        "unique_items_added": "array items must now be unique",
        "unique_items_removed": "array items no longer need to be unique",
        "prefix_items_changed": "the number of prefixItems changed",
        "all_of_branch_added": "an allOf branch was added",
        "all_of_branch_removed": "an allOf branch was removed",
        "any_of_branch_added": "an anyOf branch was added",
        "any_of_branch_removed": "an anyOf branch was removed",
        "one_of_changed": "oneOf branches changed (a value may now match none or several)",
        "condition_added": "an if/then/else was added",
        "condition_removed": "an if/then/else was removed",
        "condition_changed": "the if of an if/then/else changed",
        "schema_became_false": "the schema now refuses everything",
        "schema_no_longer_false": "a schema that refused everything now accepts values",
        "ref_unresolved": "a $ref outside the document changed and cannot be compared",
        "dialect_changed": "$schema names another JSON Schema dialect",
        "unsupported_keyword_changed": "a JSON Schema keyword the checker does not reason "
        "about changed; treated as breaking both ways",
        "unknown_keyword_changed": "a keyword that is not JSON Schema 2020-12 changed; "
        "treated as breaking both ways",
        "default_changed": "the declared default changed (what upcasting fills in)",
    }
    for bound in _BOUNDS:
        for verb in ("added", "removed", "increased", "decreased"):
            rules[f"{bound}_{verb}"] = f"{bound.replace('_', ' ')} {verb}"
    return rules


RULES: Mapping[str, str] = MappingProxyType(_catalogue())
"""Every rule code the diff can report, with what it means."""


class ChangeJSON(TypedDict):
    """:meth:`Change.as_dict`; ``breaks`` holds :class:`Direction` values."""

    rule: str
    pointer: str
    message: str
    breaks: list[str]
    location: str


class IncompatibilityJSON(TypedDict):
    """:meth:`Incompatibility.as_dict`, as the registry's 409 lists it."""

    rule: str
    pointer: str
    message: str
    breaks: list[str]
    against_version: int
    location: str


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two schema versions and the promises it breaks."""

    rule: str
    pointer: str
    message: str
    breaks: frozenset[Direction]
    location: str

    def as_dict(self) -> ChangeJSON:
        return {
            "rule": self.rule,
            "pointer": self.pointer,
            "message": self.message,
            "breaks": sorted(d.value for d in self.breaks),
            "location": self.location,
        }


@dataclass(frozen=True, slots=True)
class Incompatibility:
    """A change a mode refuses: which rule, where, and against which earlier version.

    ``breaks`` holds only the directions the mode asked for; ``against_version`` is the
    earlier version the proposal was compared with.
    """

    rule: str
    pointer: str
    message: str
    breaks: tuple[Direction, ...]
    against_version: int
    location: str

    def as_dict(self) -> IncompatibilityJSON:
        return {
            "rule": self.rule,
            "pointer": self.pointer,
            "message": self.message,
            "breaks": [d.value for d in self.breaks],
            "against_version": self.against_version,
            "location": self.location,
        }

    def __str__(self) -> str:
        where = self.pointer or "(root)"
        return f"{self.rule} at {where} (against version {self.against_version}): {self.message}"
