"""The incremental probabilistic matcher the hub calls on every ingest.

:class:`ProbabilisticMatcher` implements :class:`matching.port.Matcher`:

- ``keys`` standardizes the record and returns its blocking keys (e.g.
  ``name4:acme|US``, ``tax_id:136695976``, ``domain:acme.com``,
  ``phone:+14155550100``, ``sku:ABC100``); the hub persists them and finds
  candidates by them.
- ``decide`` scores the record against each candidate's linked member
  records (its survivorship attributes when it comes without members; a
  candidate scores as its best row), then applies the settings' thresholds
  with :func:`matching.decision.verdict`, the rule ``mdm dedupe`` applies
  too. It never links across a conflict of validated strong identifiers, and
  never chains golden records: a record whose validated tax id differs from
  the best candidate's, or that would also link a second golden record, goes
  to review. A tax id one typo away is a strong-but-imperfect level, not a
  conflict.

Prices keep the natural-key behaviour of :mod:`matching.exact`: they attach
to golden products in the hub rather than being matched fuzzily.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import orjson

from matching.blocking import record_keys
from matching.compare import comparison_vectors
from matching.decision import Compared, conclude
from matching.exact import ExactIdentifierMatcher
from matching.port import Candidate, Decision, Prepared
from matching.scoring import score_pairs, settings_term_frequencies
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
        """Versions of all settings in use, e.g. ``customer/3;product/3``."""
        names = sorted(set(self._settings) | {"customer", "product"})
        return ";".join(self.settings_for(name).version for name in names)

    def prepare(
        self, entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
    ) -> Prepared | None:
        """The standardized record, tagged with the standardizer's version."""
        if entity_type == "price":
            return None
        std = standardize_cached(entity_type, record, default_region)
        return {**std, _VERSION_KEY: STANDARDIZER_VERSION}

    def keys(
        self, entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
    ) -> list[str]:
        if entity_type == "price":
            return self._exact.keys(entity_type, record)
        std = standardize_cached(entity_type, record, default_region)
        return record_keys(self.settings_for(entity_type), std)

    def decide(
        self,
        entity_type: str,
        record: Mapping[str, Any],
        candidates: Sequence[Candidate],
        *,
        default_region: str | None = None,
    ) -> Decision:
        return self.decide_many(entity_type, [(record, candidates)], default_region=default_region)[
            0
        ]

    def decide_many(
        self,
        entity_type: str,
        requests: Sequence[tuple[Mapping[str, Any], Sequence[Candidate]]],
        *,
        default_region: str | None = None,
    ) -> list[Decision]:
        """:meth:`decide` for many records at once, each against its own candidates.

        Every pair of the batch goes through one comparison and scoring pass
        (rapidfuzz and numpy over arrays), which costs far less than a pass per
        record; each decision is the same as :meth:`decide` would make alone.
        """
        if entity_type == "price":
            return [self._exact.decide(entity_type, r, c) for r, c in requests]
        settings = self.settings_for(entity_type)
        out: list[Decision | None] = [None] * len(requests)
        rows: list[Prepared] = []
        left: list[int] = []
        spans: list[tuple[int, Compared, int, int]] = []
        for index, (record, candidates) in enumerate(requests):
            if not candidates:
                out[index] = Decision(
                    "new", None, None, settings.version, {"reason": "no candidates"}
                )
                continue
            compared = self._compared(entity_type, record, candidates, default_region)
            first_row, first_pair = len(rows), len(left)
            rows.extend(compared.rows)
            left.extend([first_row] * (len(compared.rows) - 1))
            spans.append((index, compared, first_row, first_pair))
        if spans:
            table = RecordTable.from_rows(rows, self._table_fields(settings))
            lefts = np.array(left, dtype=np.int64)
            rights = np.array(
                [row + 1 + k for _, c, row, _ in spans for k in range(len(c.rows) - 1)],
                dtype=np.int64,
            )
            gammas = comparison_vectors(settings, table, lefts, rights)
            tf = settings_term_frequencies(settings, table)
            scored = score_pairs(settings, gammas, table, lefts, tf, rights)
            for index, compared, _, first_pair in spans:
                pairs = slice(first_pair, first_pair + len(compared.rows) - 1)
                out[index] = conclude(entity_type, settings, compared, gammas[pairs], scored, pairs)
        return [d for d in out if d is not None]

    def _compared(
        self,
        entity_type: str,
        record: Mapping[str, Any],
        candidates: Sequence[Candidate],
        default_region: str | None,
    ) -> Compared:
        """The record's row, then each candidate's rows, standardized, with their origin."""
        row = standardize_cached(entity_type, record, default_region)
        compared = Compared(candidates, [row], [record])
        for index, cand in enumerate(candidates):
            # The members are what the sources said; the attributes are survivorship
            # over them (for the usual single-member golden record, the same values),
            # so they are scored only when no member came with the candidate.
            sides: list[tuple[str, Mapping[str, Any], Prepared | None]] = [
                (f"members[{position}]", member, prepared)
                for position, (member, prepared) in enumerate(
                    zip(cand.members[: self._max_members], _padded(cand), strict=False)
                )
            ] or [("attributes", cand.attributes, None)]
            for label, values, prepared in sides:
                if prepared is not None and prepared.get(_VERSION_KEY) == STANDARDIZER_VERSION:
                    compared.rows.append(prepared)
                else:
                    compared.rows.append(standardize_cached(entity_type, values))
                compared.originals.append(values)
                compared.owner.append(index)
                compared.origin.append(label)
        return compared

    def _table_fields(self, settings: MatchSettings) -> tuple[str, ...]:
        key = settings.version
        if key not in self._fields:
            self._fields[key] = tuple(
                dict.fromkeys(
                    (
                        "name",
                        *settings.fields,
                        *settings.strong_identifiers,
                        *settings.identifier_validity.values(),
                    )
                )
            )
        return self._fields[key]


_VERSION_KEY = "_standardizer"


def _padded(cand: Candidate) -> list[Prepared | None]:
    """``cand.prepared`` as long as its members (None where the hub stored nothing)."""
    prepared = list(cand.prepared)
    return prepared + [None] * (len(cand.members) - len(prepared))


_SCALARS = (str, int, float, bool, type(None))


def _freeze(value: object) -> Hashable:
    if type(value) in _SCALARS:
        return value
    if isinstance(value, Mapping):
        return tuple((k, _freeze(v)) for k, v in value.items())
    if type(value) is list or type(value) is tuple:
        return tuple(_freeze(v) for v in value)
    return repr(value)


@lru_cache(maxsize=200_000)
def _standardize_keyed(
    entity_type: str, key: Hashable, region: str | None, record: _Carrier
) -> Standardized:
    return standardize(entity_type, record.value, default_region=region)


class _Carrier:
    """Carries the record into the cache without taking part in its key."""

    __slots__ = ("value",)

    def __init__(self, value: Mapping[str, Any]) -> None:
        self.value = value

    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Carrier)


def standardize_cached(
    entity_type: str, record: Mapping[str, Any], default_region: str | None = None
) -> Standardized:
    """:func:`matching.standardize.standardize`, memoized on the record's content.

    Candidates' attributes and members come back on every decision that finds
    them, so each distinct record is standardized once. The content key is the
    record's canonical JSON (orjson, sorted keys: a few microseconds); a record
    JSON cannot encode falls back to a frozen copy. Callers must not mutate the
    returned dict.
    """
    try:
        # a digest, not orjson's bytes: each of those holds a 4 KiB buffer, and the cache
        # keeps 200,000 keys (800 MB once a bulk load had filled it)
        key: Hashable = hashlib.blake2b(
            orjson.dumps(record, option=orjson.OPT_SORT_KEYS), digest_size=16
        ).digest()
    except TypeError:
        key = _freeze(record)
    return _standardize_keyed(entity_type, key, default_region, _Carrier(record))
