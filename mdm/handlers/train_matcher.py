"""Use case: refine the matcher from steward decisions, and keep what it learned.

Every approve or reject stores its pair as a label. Training reads all labels
of an entity type and needs at least
:data:`~mdm.domain.learning.MIN_LABELS_PER_KIND` of each kind (409 naming the
counts otherwise). It refines m/u from them, starting from the newest settings
the hub retrained on its own records (:mod:`mdm.handlers.retrain_matcher`), or
else from the matcher's base settings, never from an earlier refinement, so
training twice on the same labels gives the same version. The settings are
stored under their new version; every process decides with them from its next
transaction on (:class:`~mdm.domain.learning.SettingsFollower`), and each later
decision records that version.
"""

from __future__ import annotations

from typing import Any

from canonical.commands import TrainMatcher
from matching.port import Matcher
from matching.settings import MatchSettings, parse_settings, to_json
from matching.training import refine_from_records
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import count_labels, learner, matched_type, require_labels

__all__ = ["handle"]


def handle(cmd: TrainMatcher, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    """Train, store, and switch this process to the new settings once committed."""
    matched_type(cmd.entity_type)
    learning = learner(matcher)
    labels = uow.labels.of(cmd.entity_type)
    require_labels(cmd.entity_type, labels)
    previous = matcher.settings_version
    base = uow.match_settings.newest_from_records(cmd.entity_type)
    refined: MatchSettings = (
        refine_from_records(parse_settings(base), labels)
        if base is not None
        else learning.refine(cmd.entity_type, labels)
    )
    now = uow.clock.now()
    uow.match_settings.save(
        {
            "version": refined.version,
            "entity_type": cmd.entity_type,
            "body": to_json(refined),
            "labels": len(labels),
            "created_by": cmd.actor,
            "created_at": now,
        }
    )
    matches, non_matches = count_labels(labels)
    summary = {
        "entity_type": cmd.entity_type,
        "version": refined.version,
        "labels": len(labels),
        "matches": matches,
        "non_matches": non_matches,
        "refined_from": base["version"] if base is not None else None,
        "previous_versions": previous,
    }
    uow.audit.record(
        actor=cmd.actor,
        action="matcher_trained",
        target_id=None,
        detail=summary,
        reason=cmd.reason,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    uow.after_commit(lambda: learning.use(refined))
    return summary
