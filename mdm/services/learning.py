"""Use case: refine the matcher from steward decisions, and keep what it learned.

Every approve or reject stores its pair as a label (``match_label``). Training
reads all labels of an entity type, has the matcher refine its m/u from them
(from its base settings, so training twice on the same labels gives the same
version), stores the settings under their new version in ``match_settings``
and, once committed, decides with them: each later decision records that
version. At start-up the hub uses the newest stored settings per entity type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from canonical.errors import Conflict, InvalidInput
from canonical.schemas import schema_for
from matching.port import LearningMatcher, Matcher
from matching.settings import MatchSettings, parse_settings, to_json
from mdm.db.tables import MatchLabelRow, MatchSettingsRow
from mdm.db.types import utcnow
from mdm.services.uow import UnitOfWork

__all__ = ["MATCHED_TYPES", "adopt", "settings_in_use", "train", "use_stored_settings"]

ML = MatchLabelRow.__table__  # type: ignore[attr-defined]
MS = MatchSettingsRow.__table__  # type: ignore[attr-defined]

MATCHED_TYPES = ("customer", "product")


def _learner(matcher: Matcher) -> LearningMatcher:
    if not isinstance(matcher, LearningMatcher):
        raise Conflict("the configured matcher does not learn from steward decisions")
    return matcher


def adopt(matcher: Matcher, settings: MatchSettings) -> None:
    """Decide with ``settings`` from now on (call after the transaction storing them commits)."""
    _learner(matcher).use(settings)


def train(
    uow: UnitOfWork, matcher: Matcher, *, entity_type: str, actor: str, reason: str | None
) -> tuple[MatchSettings, dict[str, Any]]:
    """Refine ``entity_type``'s settings from every label and store them (not yet in use:
    the caller calls :func:`adopt` once the transaction commits)."""
    schema_for(entity_type)
    if entity_type not in MATCHED_TYPES:
        raise InvalidInput(f"{entity_type} records are not matched, so there is nothing to train")
    learner = _learner(matcher)
    rows = uow.conn.execute(
        select(ML.c.left_record, ML.c.right_record, ML.c.is_match)
        .where(ML.c.entity_type == entity_type)
        .order_by(ML.c.id)
    ).all()
    if not rows:
        raise Conflict(f"no steward decisions on {entity_type} matches to learn from yet")
    previous = matcher.settings_version
    refined = learner.refine(
        entity_type, [(r.left_record, r.right_record, r.is_match) for r in rows]
    )
    matches = sum(1 for r in rows if r.is_match)
    row = {"labels": len(rows), "created_by": actor, "created_at": utcnow()}
    exists = uow.conn.execute(select(MS.c.version).where(MS.c.version == refined.version)).first()
    if exists is None:
        row |= {"version": refined.version, "entity_type": entity_type, "body": to_json(refined)}
        uow.conn.execute(MS.insert(), [row])
    else:  # the same labels again: the stored version becomes the newest
        uow.conn.execute(MS.update().where(MS.c.version == refined.version).values(**row))
    summary = {
        "entity_type": entity_type,
        "version": refined.version,
        "labels": len(rows),
        "matches": matches,
        "non_matches": len(rows) - matches,
        "previous_versions": previous,
    }
    uow.repo.audit(
        [
            {
                "actor": actor,
                "action": "matcher_trained",
                "target_id": None,
                "detail": summary,
                "reason": reason,
                "correlation_id": None,
                "at": utcnow(),
            }
        ]
    )
    return refined, summary


def settings_in_use(uow: UnitOfWork, matcher: Matcher) -> dict[str, Any]:
    """The versions deciding now, and every stored training, newest first."""
    stored = uow.conn.execute(
        select(MS.c.version, MS.c.entity_type, MS.c.labels, MS.c.created_by, MS.c.created_at)
        .order_by(MS.c.created_at.desc())
        .limit(100)
    ).all()
    return {
        "in_use": matcher.settings_version,
        "trained": [
            {
                "version": r.version,
                "entity_type": r.entity_type,
                "labels": r.labels,
                "created_by": r.created_by,
                "created_at": r.created_at.isoformat().replace("+00:00", "Z"),
            }
            for r in stored
        ],
    }


def use_stored_settings(engine: Engine, matcher: Matcher) -> None:
    """Have a learning matcher decide with the newest stored settings of each entity type."""
    if not isinstance(matcher, LearningMatcher) or not inspect(engine).has_table("match_settings"):
        return
    with engine.connect() as conn:
        for entity_type in MATCHED_TYPES:
            body = conn.execute(
                select(MS.c.body)
                .where(MS.c.entity_type == entity_type)
                .order_by(MS.c.created_at.desc())
                .limit(1)
            ).scalar()
            if body is not None:
                matcher.use(parse_settings(body))
