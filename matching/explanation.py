"""The shapes of what the matchers explain, as the hub stores them next to a decision.

They are TypedDicts, not classes: an explanation is built once per decision (once per
scored pair in batch dedupe), goes to a JSON column as it is, and the hub, the REST
API and GraphQL read it back as JSON. Keys are listed in the order they are written.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

__all__ = [
    "CandidateProbability",
    "ComparisonPart",
    "MatchExplanation",
    "PairExplanation",
    "RelatedParty",
    "ScoredPair",
]


class ComparisonPart(TypedDict):
    """One comparison's level for a pair and the weight it adds (``log2_weight``, including
    ``tf_adjustment`` when a term-frequency adjustment applied); a last part with
    ``comparison == "relatives"`` is what the chance of relatives takes off."""

    comparison: str
    level: str
    log2_weight: float
    bayes_factor: float
    tf_adjustment: NotRequired[float]


class PairExplanation(TypedDict):
    """How one pair scored (:func:`matching.scoring.explain`):
    ``prior_log2_odds + sum(log2_weight) == match_weight``."""

    settings_version: str
    prior_log2_odds: float
    match_weight: float
    match_probability: float
    comparisons: list[ComparisonPart]


class ScoredPair(PairExplanation):
    """A pair batch dedupe hands its pair sink: its two rows, then its explanation."""

    left: int
    right: int


class CandidateProbability(TypedDict):
    """A golden record and the probability of the record's best row against it."""

    golden_id: str
    match_probability: float


class RelatedParty(TypedDict):
    """A candidate the record does not join that looks like an organisation of its group."""

    golden_id: str
    reasons: list[str]
    match_probability: float


class MatchExplanation(TypedDict, total=False):
    """``Decision.explanation``: why a matcher decided as it did.

    Every decision has a ``reason``. The probabilistic matcher adds the best pair's
    :class:`PairExplanation` keys, the candidate it was compared with, the best
    candidates, and, as they apply, ``related`` (labels of the relatives' levels),
    ``conflicts`` (per strong identifier, ours then theirs, as the sources wrote them),
    ``also_links`` and ``related_parties``. The exact-identifier matcher names its
    ``rule`` and the identifier keys each golden record shares with the record. A
    record the hub links through its crosswalk, without matching, names its
    ``source_id`` and the ``golden_id`` it was created from.
    """

    entity_type: str
    candidate: str
    compared_with: str
    settings_version: str
    prior_log2_odds: float
    match_weight: float
    match_probability: float
    comparisons: list[ComparisonPart]
    candidates: list[CandidateProbability]
    rule: str
    shared_keys: dict[str, list[str]]
    reason: str
    related: list[str]
    conflicts: dict[str, list[str]]
    also_links: list[CandidateProbability]
    related_parties: list[RelatedParty]
    source_id: str
    golden_id: str
