"""The incremental probabilistic matcher the hub calls on every ingest.

:class:`ProbabilisticMatcher` implements :class:`matching.port.Matcher`:

- ``keys`` standardizes the record and returns its blocking keys (e.g.
  ``name4:acme|US``, ``tax_id:136695976``, ``domain:acme.com``,
  ``phone:+14155550100``, ``sku:ABC100``); the hub persists them and finds
  candidates by them.
- ``decide`` scores the record against each candidate's linked member
  records (its survivorship attributes when it comes without members; a
  candidate scores as its best row), then applies the settings' thresholds. It
  never links across a strong identifier conflict, and never chains golden
  records: a record whose tax id
  or registration number differs from the best candidate's, or that would also
  link a second golden record, goes to review.

Prices keep the natural-key behaviour of :mod:`matching.exact`: they attach
to golden products in the hub rather than being matched fuzzily.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import orjson

from matching.blocking import record_keys
from matching.compare import comparison_vectors
from matching.exact import ExactIdentifierMatcher
from matching.port import Candidate, Decision
from matching.scoring import explain, score_pairs, term_frequencies
from matching.settings import MatchSettings, default_settings
from matching.standardize import STANDARDIZER_VERSION, Standardized, standardize
from matching.table import RecordTable
from matching.training import refine_from_records

__all__ = ["ProbabilisticMatcher", "standardize_cached"]


class ProbabilisticMatcher:
    """Fellegi-Sunter matcher over settings-as-data, one settings object per entity type.

    ``settings`` maps entity type to :class:`MatchSettings` (default: the
    shipped ``customer`` and ``product`` settings, loaded on first use);
    ``max_members`` caps how many member records of one candidate are scored.
    """

    def __init__(
        self,
        settings: Mapping[str, MatchSettings] | None = None,
        *,
        max_members: int = 10,
    ) -> None:
        self._base: dict[str, MatchSettings] = dict(settings or {})
        self._settings: dict[str, MatchSettings] = dict(self._base)
        self._exact = ExactIdentifierMatcher()
        self._max_members = max_members
        self._fields: dict[str, tuple[str, ...]] = {}

    def refine(
        self,
        entity_type: str,
        labelled: Sequence[tuple[Mapping[str, Any], Mapping[str, Any], bool]],
        *,
        strength: float = 100.0,
    ) -> MatchSettings:
        """``entity_type``'s settings with m/u refined from steward decisions (a new version).

        ``labelled`` holds ``(record, other, is_match)`` triples: every label so
        far, since refining starts from the base settings (given or shipped)
        each time instead of compounding earlier refinements. The result is not
        used until :meth:`use` (the hub stores it first).
        """
        base = self._base.get(entity_type) or default_settings(entity_type)
        return refine_from_records(base, labelled, strength=strength)

    def learn(
        self,
        entity_type: str,
        labelled: Sequence[tuple[Mapping[str, Any], Mapping[str, Any], bool]],
        *,
        strength: float = 100.0,
    ) -> MatchSettings:
        """:meth:`refine`, then decide with the result from now on; returns it."""
        refined = self.refine(entity_type, labelled, strength=strength)
        self.use(refined)
        return refined

    def use(self, settings: MatchSettings) -> None:
        """Decide with ``settings`` (e.g. trained ones the hub stored) for its entity type."""
        self._settings[settings.entity_type] = settings

    def settings_for(self, entity_type: str) -> MatchSettings:
        """The settings used for ``entity_type`` (shipped defaults unless given)."""
        if entity_type not in self._settings:
            self._settings[entity_type] = default_settings(entity_type)
        return self._settings[entity_type]

    @property
    def settings_version(self) -> str:
        """Versions of all settings in use, e.g. ``customer/1;product/1``."""
        names = sorted(set(self._settings) | {"customer", "product"})
        return ";".join(self.settings_for(name).version for name in names)

    def prepare(self, entity_type: str, record: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The standardized record, tagged with the standardizer's version."""
        if entity_type == "price":
            return None
        return {**standardize_cached(entity_type, record), _VERSION_KEY: STANDARDIZER_VERSION}

    def keys(self, entity_type: str, record: Mapping[str, Any]) -> list[str]:
        if entity_type == "price":
            return self._exact.keys(entity_type, record)
        return record_keys(self.settings_for(entity_type), standardize_cached(entity_type, record))

    def decide(
        self, entity_type: str, record: Mapping[str, Any], candidates: Sequence[Candidate]
    ) -> Decision:
        if entity_type == "price":
            return self._exact.decide(entity_type, record, candidates)
        settings = self.settings_for(entity_type)
        if not candidates:
            return Decision("new", None, None, settings.version, {"reason": "no candidates"})
        rows: list[Standardized] = [standardize_cached(entity_type, record)]
        originals: list[Mapping[str, Any]] = [record]
        owner: list[int] = []
        origin: list[str] = []
        for index, cand in enumerate(candidates):
            # The members are what the sources said; the attributes are survivorship
            # over them (for the usual single-member golden record, the same values),
            # so they are scored only when no member came with the candidate.
            compared: list[tuple[str, Mapping[str, Any], Any]] = [
                (f"members[{position}]", member, prepared)
                for position, (member, prepared) in enumerate(
                    zip(cand.members[: self._max_members], _padded(cand), strict=False)
                )
            ] or [("attributes", cand.attributes, None)]
            for label, values, prepared in compared:
                if prepared is not None and prepared.get(_VERSION_KEY) == STANDARDIZER_VERSION:
                    rows.append(prepared)
                else:
                    rows.append(standardize_cached(entity_type, values))
                originals.append(values)
                owner.append(index)
                origin.append(label)
        table = RecordTable.from_rows(rows, self._table_fields(settings))
        right = np.arange(1, len(rows), dtype=np.int64)
        left = np.zeros(len(right), dtype=np.int64)
        gammas = comparison_vectors(settings, table, left, right)
        tf = term_frequencies(settings, table, settings.trained_on.get("term_frequencies", {}))
        scored = score_pairs(settings, gammas, table, left, tf)
        owners = np.array(owner)
        best_row: dict[int, int] = {}
        for k in np.argsort(-scored.weight, kind="stable").tolist():
            best_row.setdefault(int(owners[k]), k)
        ranked = sorted(best_row, key=lambda c: -scored.weight[best_row[c]])
        idents = self._strong(settings, rows, owner, len(candidates))
        mine = {k: {rows[0][k]} for k in settings.strong_identifiers if rows[0].get(k)}

        shown: dict[tuple[str, str | None], str] = {}
        for std, raw in zip(rows, originals, strict=True):
            for key in settings.strong_identifiers:
                if std.get(key) and raw.get(key):
                    shown.setdefault((key, std[key]), str(raw[key]))

        def conflicts(
            a: dict[str, set[str | None]], b: dict[str, set[str | None]]
        ) -> dict[str, list[str]]:
            """Per strong identifier both sides have without a common value: ours, then
            theirs, as the sources wrote them."""
            return {
                k: [
                    shown.get((k, v), v) for side in (a, b) for v in sorted(x for x in side[k] if x)
                ]
                for k in a
                if k in b and not (a[k] & b[k])
            }

        top = ranked[0]
        k = best_row[top]
        prob = float(scored.probability[k])
        detail = explain(settings, gammas[k], scored.parts[k])
        explanation: dict[str, Any] = {
            "entity_type": entity_type,
            "candidate": candidates[top].golden_id,
            "compared_with": origin[k],
            **detail,
            "candidates": [
                {
                    "golden_id": candidates[c].golden_id,
                    "match_probability": round(float(scored.probability[best_row[c]]), 6),
                }
                for c in ranked[:10]
            ],
        }
        thresholds = settings.thresholds
        others = tuple(
            candidates[c].golden_id
            for c in ranked[1:]
            if scored.probability[best_row[c]] >= thresholds.review
        )
        gid = candidates[top].golden_id
        if prob < thresholds.review:
            explanation["reason"] = "no candidate reaches the review threshold"
            return Decision("new", None, prob, settings.version, explanation)
        clash = conflicts(mine, idents[top])
        if clash:
            explanation["reason"] = f"strong identifier conflict with candidate: {', '.join(clash)}"
            explanation["conflicts"] = clash
            return Decision("review", gid, prob, settings.version, explanation, others)
        if prob < thresholds.link:
            explanation["reason"] = "between the review and link thresholds"
            return Decision("review", gid, prob, settings.version, explanation, others)
        merged = {
            key: idents[top].get(key, set()) | mine.get(key, set())
            for key in set(idents[top]) | set(mine)
        }
        for c in ranked[1:]:
            if scored.probability[best_row[c]] < thresholds.link:
                break
            clash = conflicts(merged, idents[c])
            other = candidates[c].golden_id
            if clash:
                explanation["conflicts"] = clash
                explanation["reason"] = f"also links {other}, whose {', '.join(clash)} differs"
            else:
                explanation["reason"] = (
                    f"also links {other}: the two golden records may be duplicates, "
                    "so a steward decides instead of the record chaining them"
                )
            return Decision("review", gid, prob, settings.version, explanation, others)
        explanation["reason"] = "at or above the link threshold"
        return Decision("link", gid, prob, settings.version, explanation, others)

    def _table_fields(self, settings: MatchSettings) -> tuple[str, ...]:
        key = settings.version
        if key not in self._fields:
            self._fields[key] = tuple(dict.fromkeys(settings.fields + settings.strong_identifiers))
        return self._fields[key]

    @staticmethod
    def _strong(
        settings: MatchSettings, rows: list[Standardized], owner: list[int], count: int
    ) -> list[dict[str, set[str | None]]]:
        found: list[dict[str, set[str | None]]] = [{} for _ in range(count)]
        for row, who in zip(rows[1:], owner, strict=True):
            for key in settings.strong_identifiers:
                if row.get(key):
                    found[who].setdefault(key, set()).add(row[key])
        return found


_VERSION_KEY = "_standardizer"


def _padded(cand: Candidate) -> list[Any]:
    """``cand.prepared`` as long as its members (None where the hub stored nothing)."""
    prepared = list(cand.prepared)
    return prepared + [None] * (len(cand.members) - len(prepared))


_SCALARS = (str, int, float, bool, type(None))


def _freeze(value: Any) -> Hashable:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict or isinstance(value, Mapping):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if kind is list or kind is tuple:
        return tuple(_freeze(v) for v in value)
    return repr(value)


@lru_cache(maxsize=200_000)
def _standardize_keyed(entity_type: str, key: Hashable, record: Any) -> Standardized:
    return standardize(entity_type, record.value)


class _Carrier:
    """Carries the record into the cache without taking part in its key."""

    __slots__ = ("value",)

    def __init__(self, value: Mapping[str, Any]) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Carrier)


def standardize_cached(entity_type: str, record: Mapping[str, Any]) -> Standardized:
    """:func:`matching.standardize.standardize`, memoized on the record's content.

    Candidates' attributes and members come back on every decision that finds
    them, so each distinct record is standardized once. The content key is the
    record's canonical JSON (orjson, sorted keys: a few microseconds); a record
    JSON cannot encode falls back to a frozen copy. Callers must not mutate the
    returned dict.
    """
    try:
        key: Hashable = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        key = _freeze(record)
    return _standardize_keyed(entity_type, key, _Carrier(record))
