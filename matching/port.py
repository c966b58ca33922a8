"""The seam between the hub and whatever decides matches.

The hub (``mdm``) asks a :class:`Matcher` for the keys under which a record is
indexed, fetches the golden records that share any of those keys from its
persisted key index, and asks the matcher to decide. The matcher is pure: it
never touches storage, and it explains every decision in plain data so the hub
can store it next to the decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from matching.explanation import MatchExplanation
from matching.settings import MatchSettings

__all__ = [
    "Candidate",
    "Decision",
    "DecisionAction",
    "LearningMatcher",
    "MatchExplanation",
    "Matcher",
    "Prepared",
]

DecisionAction = Literal["link", "review", "new"]

Prepared = Mapping[str, str | None]
"""What a matcher makes of a record to be handed back later: flat JSON, read-only."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A golden record that shares at least one key with the incoming record.

    ``attributes`` is the golden record's current survivorship result and
    ``members`` the canonical payloads of the source records linked to it;
    ``prepared`` holds, where the hub stored it, what :meth:`Matcher.prepare`
    made of each member (same order; None where it has nothing).
    """

    golden_id: str
    attributes: Mapping[str, Any]
    members: Sequence[Mapping[str, Any]] = ()
    prepared: Sequence[Prepared | None] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with an incoming record, and why.

    ``link`` names the golden record to join; ``review`` names the best
    candidate a steward should compare against (the record gets its own golden
    record meanwhile); ``new`` means no candidate is close enough.
    ``explanation`` is JSON-serialisable and is stored with the decision.
    """

    action: DecisionAction
    golden_id: str | None
    score: float | None
    settings_version: str
    explanation: MatchExplanation = field(default_factory=MatchExplanation)
    other_candidates: Sequence[str] = ()


class Matcher(Protocol):
    """Indexes records by keys and decides links against candidates."""

    @property
    def settings_version(self) -> str: ...

    def prepare(
        self, entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
    ) -> Prepared | None:
        """JSON the hub may store with a record and hand back in ``Candidate.prepared``,
        to spare the matcher re-reading the record (None: nothing worth storing).

        ``default_region`` (every method): the ISO 3166 alpha-2 region of the
        record's source, which places national phone numbers the record's own
        address does not."""
        ...

    def keys(
        self, entity_type: str, record: Mapping[str, Any], *, default_region: str | None = None
    ) -> list[str]:
        """Keys (blocking or identifier) that a record is found under; stable strings."""
        ...

    def decide(
        self,
        entity_type: str,
        record: Mapping[str, Any],
        candidates: Sequence[Candidate],
        *,
        default_region: str | None = None,
    ) -> Decision:
        """Choose link, review or new for ``record`` among ``candidates``."""
        ...

    def decide_many(
        self,
        entity_type: str,
        requests: Sequence[tuple[Mapping[str, Any], Sequence[Candidate]]],
        *,
        default_region: str | None = None,
    ) -> list[Decision]:
        """:meth:`decide` for each ``(record, candidates)``, in order (batch loads)."""
        ...


Labelled = Sequence[tuple[Mapping[str, Any], Mapping[str, Any], bool]]


@runtime_checkable
class LearningMatcher(Matcher, Protocol):
    """A matcher whose parameters stewards' decisions refine."""

    def refine(self, entity_type: str, labelled: Labelled) -> MatchSettings:
        """New settings refined from every ``(record, other, is_match)`` label (not yet used)."""
        ...

    def use(self, settings: MatchSettings) -> None:
        """Decide with ``settings`` (stored earlier) from now on."""
        ...
