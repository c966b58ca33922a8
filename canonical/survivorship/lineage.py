"""The lineage of a golden attribute: where its value came from and which rule chose it.

A golden record's ``lineage`` maps each attribute to one :class:`LineageEntry`; it is
stored as JSON beside the attributes, in every version and golden event. Survivorship
writes most entries; a steward's asserted value and an attribute derived from
transactional events write entries of the same shape, with their own ``rule``.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

__all__ = ["Alternative", "LineageEntry", "Rule", "RuleSpec", "Superseded"]

Rule = Literal["source_priority", "most_recent", "most_complete", "most_frequent"]


class RuleSpec(TypedDict):
    """How one attribute survives: a rule, and for ``source_priority`` the sources best
    first (sources not listed come after them)."""

    rule: Rule
    priority: NotRequired[list[str]]


class Alternative(TypedDict):
    """A value another member holds for the attribute (disagreement stays visible)."""

    source: str
    source_id: str
    value: object


class Superseded(TypedDict):
    """What survivorship had chosen where a steward's value stands instead."""

    source: str | None
    source_id: str | None
    value: object


class LineageEntry(TypedDict):
    """``rule`` is a survivorship :data:`Rule`, ``steward`` for an asserted value, or the
    rule that derived the attribute from an event; ``at`` is ISO 8601; ``candidates``
    counts the members that had a value."""

    source: str
    source_id: str
    source_version: int
    rule: str
    at: str
    candidates: int
    alternatives: NotRequired[list[Alternative]]
    actor: NotRequired[str]
    survivorship: NotRequired[Superseded]
