"""Use case: refine the matcher from steward decisions, and keep what it learned.

Every approve or reject stores its pair as a label. Training reads all labels
of an entity type, has the matcher refine its m/u from them (from its base
settings, so training twice on the same labels gives the same version), stores
the settings under their new version and, once committed, decides with them:
each later decision records that version.
"""

from __future__ import annotations

from typing import Any

from canonical.commands import TrainMatcher
from canonical.errors import Conflict, InvalidInput
from canonical.schemas import schema_for
from matching.port import Matcher
from matching.settings import to_json
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import MATCHED_TYPES, learner

__all__ = ["handle"]


def handle(cmd: TrainMatcher, uow: UnitOfWork, *, matcher: Matcher) -> dict[str, Any]:
    """Train, store, and switch this process to the new settings once committed."""
    schema_for(cmd.entity_type)
    if cmd.entity_type not in MATCHED_TYPES:
        raise InvalidInput(
            f"{cmd.entity_type} records are not matched, so there is nothing to train"
        )
    learning = learner(matcher)
    labels = uow.labels.of(cmd.entity_type)
    if not labels:
        raise Conflict(f"no steward decisions on {cmd.entity_type} matches to learn from yet")
    previous = matcher.settings_version
    refined = learning.refine(cmd.entity_type, labels)
    now = utcnow()
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
    matches = sum(1 for _, _, is_match in labels if is_match)
    summary = {
        "entity_type": cmd.entity_type,
        "version": refined.version,
        "labels": len(labels),
        "matches": matches,
        "non_matches": len(labels) - matches,
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
