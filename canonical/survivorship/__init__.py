"""Survivorship: choosing each golden attribute from the linked source records.

Rules are data (one JSON file per entity type, versioned), applied per
attribute. Every chosen value carries its lineage: the source, source id and
source-record version it came from, the rule that chose it, and the time the
source says the value was current. Ties are always broken the same way (most
recent, then source name, then source id), so the same members always give the
same golden record.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, get_args

import orjson

from canonical.errors import UnknownEntityType
from canonical.survivorship.lineage import Alternative, LineageEntry, Rule, RuleSpec

__all__ = [
    "RULES",
    "Alternative",
    "LineageEntry",
    "Member",
    "Rule",
    "RuleSpec",
    "SurvivorshipRules",
    "rules_for",
    "survive",
]

RULES: tuple[Rule, ...] = get_args(Rule)

# Fields that describe the record rather than the thing; they never survive.
_NOT_ATTRIBUTES = frozenset({"extensions", "source_updated_at"})


@dataclass(frozen=True, slots=True)
class Member:
    """One source record's current version, as survivorship sees it."""

    source: str
    source_id: str
    version: int
    payload: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True)
class SurvivorshipRules:
    entity_type: str
    version: int
    default: RuleSpec
    attributes: Mapping[str, RuleSpec]

    def rule_for(self, attribute: str) -> RuleSpec:
        return self.attributes.get(attribute, self.default)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SurvivorshipRules:
        for name, spec in [("default", data["default"]), *data.get("attributes", {}).items()]:
            if spec.get("rule") not in RULES:
                raise ValueError(f"{name}: unknown survivorship rule {spec.get('rule')!r}")
        return cls(
            entity_type=data["entity_type"],
            version=int(data["version"]),
            default=data["default"],
            attributes=data.get("attributes", {}),
        )


@cache
def rules_for(entity_type: str) -> SurvivorshipRules:
    try:
        text = resources.files("canonical").joinpath(f"survivorship/{entity_type}.json").read_text()
    except FileNotFoundError as exc:
        raise UnknownEntityType(f"no survivorship rules for '{entity_type}'") from exc
    return SurvivorshipRules.from_dict(json.loads(text))


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != {} and value != []


def _completeness(value: Any) -> int:
    if isinstance(value, Mapping):
        return sum(_completeness(v) for v in value.values())
    if isinstance(value, list):
        return sum(_completeness(v) for v in value)
    if isinstance(value, str):
        return len(value.strip())
    return 1 if value is not None else 0


def _canon(value: Any) -> Any:
    """A value in a form two members' values compare by (objects by their sorted JSON)."""
    if isinstance(value, str | int | float | bool):
        return value
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)


def _recency(m: Member) -> tuple[datetime, str, str]:
    return (m.at, m.source, m.source_id)


def _pick(spec: RuleSpec, attr: str, having: list[Member]) -> Member:
    rule = spec["rule"]
    if rule == "source_priority":
        priority = list(spec.get("priority", []))
        rank = {s: i for i, s in enumerate(priority)}
        worst = len(priority)
        best_rank = min(rank.get(m.source, worst) for m in having)
        tied = [m for m in having if rank.get(m.source, worst) == best_rank]
        return max(tied, key=_recency)
    if rule == "most_complete":
        return max(having, key=lambda m: (_completeness(m.payload[attr]), *_recency(m)))
    if rule == "most_frequent":
        counts = Counter(_canon(m.payload[attr]) for m in having)
        return max(having, key=lambda m: (counts[_canon(m.payload[attr])], *_recency(m)))
    return max(having, key=_recency)


def survive(
    rules: SurvivorshipRules, members: Sequence[Member]
) -> tuple[dict[str, Any], dict[str, LineageEntry]]:
    """Golden attributes and their lineage from the members' current payloads."""
    names: set[str] = set()
    for m in members:
        names.update(k for k, v in m.payload.items() if _present(v))
    names -= _NOT_ATTRIBUTES
    attributes: dict[str, Any] = {}
    lineage: dict[str, LineageEntry] = {}
    if len(members) == 1:
        # One member: every rule picks it; skip the comparisons.
        only = members[0]
        at = only.at.isoformat()
        for attr in sorted(names):
            attributes[attr] = only.payload[attr]
            lineage[attr] = {
                "source": only.source,
                "source_id": only.source_id,
                "source_version": only.version,
                "rule": rules.rule_for(attr)["rule"],
                "at": at,
                "candidates": 1,
            }
        return attributes, lineage
    for attr in sorted(names):
        having = [m for m in members if _present(m.payload.get(attr))]
        spec = rules.rule_for(attr)
        chosen = _pick(spec, attr, having)
        attributes[attr] = chosen.payload[attr]
        lineage[attr] = {
            "source": chosen.source,
            "source_id": chosen.source_id,
            "source_version": chosen.version,
            "rule": spec["rule"],
            "at": chosen.at.isoformat(),
            "candidates": len(having),
        }
        chosen_key = _canon(chosen.payload[attr])
        others = [m for m in having if _canon(m.payload[attr]) != chosen_key]
        if others:
            # Disagreement stays visible: what the other sources say.
            alternatives: list[Alternative] = [
                {"source": m.source, "source_id": m.source_id, "value": m.payload[attr]}
                for m in others[:5]
            ]
            lineage[attr]["alternatives"] = alternatives
    return attributes, lineage
