"""Exact-identifier matching: the hub's baseline matcher.

Records link when a standardized strong identifier is equal: tax id,
registration number or email for customers; sku for products; the natural key
(sku, price book, currency, billing period, effective from) for prices.
A record whose identifiers point at more than one golden record goes to review
rather than silently chaining them together.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from matching.explanation import MatchExplanation
from matching.port import Candidate, Decision, Prepared

__all__ = ["ExactIdentifierMatcher", "identifier_keys"]

_NON_ALNUM = re.compile(r"[^0-9A-Z]+")

SETTINGS_VERSION = "exact-identifiers/1"


def _ident(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).upper()
    text = _NON_ALNUM.sub("", text)
    return text or None


def _email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if "@" in text else None


def identifier_keys(entity_type: str, record: Mapping[str, Any]) -> list[str]:
    """Standardized strong-identifier keys of a canonical record, in a stable order."""
    keys: list[str] = []
    if entity_type == "customer":
        if tax := _ident(record.get("tax_id")):
            keys.append(f"tax_id:{tax}")
        if reg := _ident(record.get("registration_number")):
            keys.append(f"registration_number:{reg}")
        if email := _email(record.get("email")):
            keys.append(f"email:{email}")
    elif entity_type == "product":
        if sku := _ident(record.get("sku")):
            keys.append(f"sku:{sku}")
    elif entity_type == "price":
        parts = [
            _ident(record.get("sku")) or _ident(record.get("product")),
            _ident(record.get("price_book")),
            _ident(record.get("currency")),
            _ident(record.get("billing_period")) or "ONCE",
            _ident(record.get("effective_from")) or "ALWAYS",
        ]
        if all(parts[:3]):
            keys.append("price:" + "|".join(p or "" for p in parts))
    return keys


class ExactIdentifierMatcher:
    """Links on equal strong identifiers; conflicting candidates go to review."""

    settings_version = SETTINGS_VERSION

    def decide_many(
        self,
        entity_type: str,
        requests: Sequence[tuple[Mapping[str, Any], Sequence[Candidate]]],
        *,
        default_region: str | None = None,
    ) -> list[Decision]:
        return [self.decide(entity_type, record, found) for record, found in requests]

    # default_region is part of the port; identifiers do not depend on a region
    def prepare(
        self, entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
    ) -> Prepared | None:
        return None

    def keys(
        self, entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
    ) -> list[str]:
        return identifier_keys(entity_type, record)

    def decide(
        self,
        entity_type: str,
        record: Mapping[str, Any],
        candidates: Sequence[Candidate],
        *,
        default_region: str | None = None,
    ) -> Decision:
        own = set(identifier_keys(entity_type, record))
        shared: dict[str, list[str]] = {}
        for cand in candidates:
            cand_keys: set[str] = set(identifier_keys(entity_type, cand.attributes))
            for member in cand.members:
                cand_keys.update(identifier_keys(entity_type, member))
            common = sorted(own & cand_keys)
            if common:
                shared[cand.golden_id] = common
        if not shared:
            return Decision("new", None, None, SETTINGS_VERSION, {"reason": "no shared identifier"})
        ranked = sorted(shared, key=lambda gid: (-len(shared[gid]), gid))
        best = ranked[0]
        explanation: MatchExplanation = {
            "rule": "exact strong identifier",
            "shared_keys": {gid: shared[gid] for gid in ranked},
        }
        if len(ranked) > 1:
            explanation["reason"] = "identifiers point at more than one golden record"
            return Decision("review", best, 1.0, SETTINGS_VERSION, explanation, tuple(ranked[1:]))
        conflicts = _strong_conflicts(entity_type, record, candidates, best)
        if conflicts:
            explanation["reason"] = "conflicting strong identifiers"
            explanation["conflicts"] = conflicts
            return Decision("review", best, 0.5, SETTINGS_VERSION, explanation)
        return Decision("link", best, 1.0, SETTINGS_VERSION, explanation)


_STRONG = ("tax_id", "registration_number")


def _strong_conflicts(
    entity_type: str, record: Mapping[str, Any], candidates: Sequence[Candidate], golden_id: str
) -> dict[str, list[str]]:
    """Strong identifiers the record and the candidate both have, with different values."""
    if entity_type != "customer":
        return {}
    cand = next(c for c in candidates if c.golden_id == golden_id)
    out: dict[str, list[str]] = {}
    for name in _STRONG:
        mine = _ident(record.get(name))
        if mine is None:
            continue
        theirs = {_ident(m.get(name)) for m in cand.members} | {_ident(cand.attributes.get(name))}
        theirs.discard(None)
        if theirs and mine not in theirs:
            out[name] = [str(record.get(name)), *sorted(str(t) for t in theirs)]
    return out
