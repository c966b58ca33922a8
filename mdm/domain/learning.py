"""Which entity types the matcher decides, the matcher's learning side, how many steward
labels training needs, and how every process follows the newest trained settings."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from canonical.errors import Conflict, InvalidInput
from canonical.schemas import schema_for
from matching.port import LearningMatcher, Matcher
from matching.settings import parse_settings
from mdm.db.uow import UnitOfWork

__all__ = [
    "MATCHED_TYPES",
    "MIN_LABELS_PER_KIND",
    "NotEnoughLabels",
    "SettingsFollower",
    "count_labels",
    "enough_labels",
    "learner",
    "matched_type",
    "require_labels",
]

MATCHED_TYPES = ("customer", "product")

MIN_LABELS_PER_KIND = 20
"""Steward labels of *each* kind (match, not a match) that training from labels needs.

Labels refine each comparison's level shares (``m`` from matches, ``u`` from
non-matches). A comparison has four to six levels, and the standard error of a
share ``p`` estimated from ``n`` labels is ``sqrt(p (1 - p) / n)``: at ``n = 20``
and ``p = 0.5`` it is 0.11, a quarter of the value, which is about the least
that still tells levels apart; with fewer, what a refinement changes is mostly
which few pairs happened to reach a steward (review tasks are the doubtful
pairs, not a sample). Both kinds are needed because ``m`` and ``u`` are refined
from different labels: twenty matches and two non-matches would move ``u`` on noise.
"""


class NotEnoughLabels(Conflict):
    """Training from labels refused: too few labels of one kind (counts in the message)."""

    code = "not_enough_labels"

    def __init__(self, entity_type: str, matches: int, non_matches: int) -> None:
        need = MIN_LABELS_PER_KIND
        super().__init__(
            f"training {entity_type} settings from steward labels needs at least {need} "
            f"matches and {need} non-matches; there are {matches} matches and "
            f"{non_matches} non-matches so far"
        )
        self.matches, self.non_matches, self.needed = matches, non_matches, need


def matched_type(entity_type: str) -> None:
    """Refuse an unknown entity type (404) or one the matcher does not match (422)."""
    schema_for(entity_type)
    if entity_type not in MATCHED_TYPES:
        raise InvalidInput(f"{entity_type} records are not matched, so there is nothing to train")


def learner(matcher: Matcher) -> LearningMatcher:
    """The matcher as one that learns from steward decisions (409 if it does not)."""
    if not isinstance(matcher, LearningMatcher):
        raise Conflict("the configured matcher does not learn from steward decisions")
    return matcher


def count_labels(labels: Sequence[tuple[Any, Any, bool]]) -> tuple[int, int]:
    """``(matches, non_matches)`` among ``(record, other, is_match)`` labels."""
    matches = sum(1 for _, _, is_match in labels if is_match)
    return matches, len(labels) - matches


def enough_labels(labels: Sequence[tuple[Any, Any, bool]]) -> bool:
    return min(count_labels(labels)) >= MIN_LABELS_PER_KIND


def require_labels(entity_type: str, labels: Sequence[tuple[Any, Any, bool]]) -> None:
    """Raise :class:`NotEnoughLabels` unless both kinds reach :data:`MIN_LABELS_PER_KIND`."""
    if not enough_labels(labels):
        raise NotEnoughLabels(entity_type, *count_labels(labels))


class SettingsFollower:
    """Keeps one process's matcher on the newest stored settings of every entity type.

    Every API and worker process holds its own matcher, and training happens in
    one of them (or in the CLI). :meth:`current` runs inside the transaction that
    is about to decide: one scalar query reads when settings were last stored,
    and a version this process has not applied yet is loaded and used before the
    decision, so a decision never uses settings older than the newest committed
    when its transaction read them, on PostgreSQL as on SQLite (no notification
    channel to miss, nothing to configure). Newer
    wins: settings are applied only if stored later than those applied, so two
    threads racing cannot step back to an older version.
    """

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self._learning = isinstance(matcher, LearningMatcher)
        self._applied: dict[str, tuple[datetime, str]] = {}
        self._seen_at: datetime | None = None
        self._lock = threading.Lock()

    def current(self, uow: UnitOfWork) -> Matcher:
        """The matcher, switched first to any newer stored settings.

        The usual case costs one scalar query on a table of one row per training
        (``max(created_at)``, unchanged since last time); only when it moved are
        the newest versions of each type read and applied.
        """
        if not self._learning:
            return self.matcher
        newest_at = uow.match_settings.newest_at()
        if newest_at is None or newest_at == self._seen_at:
            return self.matcher
        for entity_type, newest in uow.match_settings.newest_versions().items():
            if entity_type in MATCHED_TYPES and self._is_new(entity_type, newest):
                self._apply(uow, entity_type, newest)
        self._seen_at = newest_at
        return self.matcher

    def _is_new(self, entity_type: str, newest: tuple[datetime, str]) -> bool:
        applied = self._applied.get(entity_type)
        return applied is None or newest > applied

    def _apply(self, uow: UnitOfWork, entity_type: str, newest: tuple[datetime, str]) -> None:
        body = uow.match_settings.body_of(newest[1])
        if body is None:
            return
        settings = parse_settings(body)
        with self._lock:
            if self._is_new(entity_type, newest):
                learning: LearningMatcher = self.matcher  # type: ignore[assignment]
                learning.use(settings)
                self._applied[entity_type] = newest
