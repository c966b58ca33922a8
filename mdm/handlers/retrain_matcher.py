"""Use case: re-estimate the match settings from the hub's own records and steward labels.

The hub's stored standardized records become one table (:mod:`mdm.domain.learning_table`);
:func:`matching.batch.train` estimates ``u`` from random pairs and ``m`` and the
prior by EM over the blocked pairs, starting from the shipped settings of the
entity type. That version is stored with no labels: label-only training
(:mod:`mdm.handlers.train_matcher`) refines from it later. With at least
:data:`~mdm.domain.learning.MIN_LABELS_PER_KIND` labels of each kind the steward
labels then refine it, and the refined version is stored as the newest; with
fewer, retraining still works and says the labels were left out. Every process
decides with the newest version from its next transaction on.

Training reads every record and takes seconds, so it is the read-only
:func:`prepare` step (:class:`mdm.bus.Prepared`): on SQLite, ingest keeps writing
meanwhile. :func:`handle` then reads the labels, refines and stores, in the write
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from canonical.commands import RetrainMatcher
from canonical.errors import Conflict
from matching.batch import train
from matching.port import Matcher
from matching.settings import MatchSettings, default_settings, to_json
from matching.training import refine_from_records
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import (
    MIN_LABELS_PER_KIND,
    count_labels,
    enough_labels,
    learner,
    matched_type,
)
from mdm.domain.learning_table import MIN_TRAINING_RECORDS, record_table

__all__ = ["Estimate", "handle", "prepare"]


@dataclass(frozen=True, slots=True)
class Estimate:
    """What training on the records gave, before the labels."""

    settings: MatchSettings
    records: int
    previous_versions: str


def prepare(cmd: RetrainMatcher, uow: UnitOfWork, *, matcher: Matcher) -> Estimate:
    """Train on the stored records (reads only); refuses too few or unrelated records."""
    matched_type(cmd.entity_type)
    learner(matcher)
    table = record_table(uow, matcher, default_settings(cmd.entity_type))
    if table.size < MIN_TRAINING_RECORDS:
        raise Conflict(
            f"retraining {cmd.entity_type} settings needs at least {MIN_TRAINING_RECORDS} "
            f"{cmd.entity_type} records in the hub; there are {table.size}"
        )
    trained = train(default_settings(cmd.entity_type), table)
    if not trained.trained_on.get("candidate_pairs"):
        # EM has no pair to tell matches from; the prior would collapse to nothing
        raise Conflict(
            f"no two of the {table.size} {cmd.entity_type} records share a blocking key, "
            "so there is nothing to estimate m and the prior from"
        )
    return Estimate(trained, table.size, matcher.settings_version)


def handle(
    cmd: RetrainMatcher, uow: UnitOfWork, estimate: Estimate, *, matcher: Matcher
) -> dict[str, Any]:
    """Refine with the labels if there are enough, store both versions, and switch this
    process once committed."""
    learning = learner(matcher)
    from_records = estimate.settings
    labels = uow.labels.of(cmd.entity_type)
    use_labels = enough_labels(labels)
    final = refine_from_records(from_records, labels) if use_labels else from_records
    now = utcnow()
    _store(uow, from_records, labels=0, actor=cmd.actor, at=now)
    if final is not from_records:
        # stored a moment later, so the refined version is the newest
        _store(uow, final, labels=len(labels), actor=cmd.actor, at=now + timedelta(microseconds=1))
    matches, non_matches = count_labels(labels)
    summary = {
        "entity_type": cmd.entity_type,
        "version": final.version,
        "from_records": from_records.version,
        "records": estimate.records,
        "labels": len(labels) if use_labels else 0,
        "matches": matches,
        "non_matches": non_matches,
        "labels_used": use_labels,
        "labels_needed": MIN_LABELS_PER_KIND,
        "previous_versions": estimate.previous_versions,
    }
    uow.audit.record(
        actor=cmd.actor,
        action="matcher_retrained",
        target_id=None,
        detail=summary,
        reason=cmd.reason,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    uow.after_commit(lambda: learning.use(final))
    return summary


def _store(
    uow: UnitOfWork, settings: MatchSettings, *, labels: int, actor: str, at: datetime
) -> None:
    uow.match_settings.save(
        {
            "version": settings.version,
            "entity_type": settings.entity_type,
            "body": to_json(settings),
            "labels": labels,
            "created_by": actor,
            "created_at": at,
        }
    )
