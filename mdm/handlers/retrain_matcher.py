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

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from canonical.commands import RetrainMatcher
from canonical.errors import Conflict
from matching.batch import train
from matching.port import Matcher
from matching.settings import MatchSettings, default_settings, to_json
from matching.training import refine_from_records
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import (
    MIN_LABELS_PER_KIND,
    count_labels,
    enough_labels,
    learner,
    matched_type,
)
from mdm.domain.learning_table import MIN_TRAINING_RECORDS, record_table

__all__ = ["Estimate", "handle", "prepare", "store_settings"]


GROWTH_FACTOR = 2
"""A load retrains (``when_grown``) once the records are this many times those the newest
version was trained on: often enough that the model sees the data, rarely enough that a
daily load of a few hundred records does not retrain each time."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """What training on the records gave, before the labels (None: ``skipped`` says why)."""

    settings: MatchSettings | None
    records: int
    previous_versions: str
    skipped: str | None = None


def _trained_on(uow: UnitOfWork, entity_type: str) -> tuple[int, set[str]] | None:
    """Records, and their sources, the newest stored version of ``entity_type`` was trained
    on (None: no version)."""
    newest = uow.match_settings.newest_versions().get(entity_type)
    body = uow.match_settings.body_of(newest[1]) if newest else None
    if not isinstance(body, dict):
        return None
    info = body.get("trained_on") or {}
    return int(info.get("records") or 0), set(info.get("sources") or ())


def _due(uow: UnitOfWork, cmd: RetrainMatcher, total: int) -> str | None:
    """Why a load need not retrain (None: it should): the newest version saw at least half
    of the records there will be, and a record of this load's source among them. A source
    the model has not seen brings the cross-source pairs it was never trained on (a CRM
    file alone holds few duplicates; CRM against ERP is where they are)."""
    if total < MIN_TRAINING_RECORDS:
        return f"fewer than {MIN_TRAINING_RECORDS} records"
    before = _trained_on(uow, cmd.entity_type)
    if before is None:
        return None
    records, sources = before
    if total >= GROWTH_FACTOR * records or (cmd.source and cmd.source not in sources):
        return None
    return f"the newest version was trained on {records} records from {', '.join(sorted(sources))}"


def prepare(cmd: RetrainMatcher, uow: UnitOfWork, *, matcher: Matcher) -> Estimate:
    """Train on the stored records and ``cmd.incoming`` (reads only); refuses too few or
    unrelated records, except under ``when_grown``, which skips instead."""
    matched_type(cmd.entity_type)
    learner(matcher)
    version = matcher.settings_version
    if cmd.when_grown:
        total = uow.records.count_of(cmd.entity_type) + len(cmd.incoming)
        skip = _due(uow, cmd, total)
        if skip:
            return Estimate(None, total, version, skip)
    table = record_table(uow, matcher, default_settings(cmd.entity_type), incoming=cmd.incoming)
    if table.size < MIN_TRAINING_RECORDS:
        raise Conflict(
            f"retraining {cmd.entity_type} settings needs at least {MIN_TRAINING_RECORDS} "
            f"{cmd.entity_type} records in the hub; there are {table.size}"
        )
    trained = train(default_settings(cmd.entity_type), table)
    sources = uow.records.sources_of(cmd.entity_type) | ({cmd.source} if cmd.source else set())
    trained = replace(trained, trained_on={**trained.trained_on, "sources": sorted(sources)})
    if not trained.trained_on.get("candidate_pairs") and cmd.when_grown:
        return Estimate(None, table.size, version, "no two records share a blocking key")
    if not trained.trained_on.get("candidate_pairs"):
        # EM has no pair to tell matches from; the prior would collapse to nothing
        raise Conflict(
            f"no two of the {table.size} {cmd.entity_type} records share a blocking key, "
            "so there is nothing to estimate m and the prior from"
        )
    return Estimate(trained, table.size, version)


def handle(
    cmd: RetrainMatcher, uow: UnitOfWork, estimate: Estimate, *, matcher: Matcher
) -> dict[str, Any]:
    """Refine with the labels if there are enough, store both versions, and switch this
    process once committed."""
    learning = learner(matcher)
    from_records = estimate.settings
    if from_records is None:
        return {
            "entity_type": cmd.entity_type,
            "skipped": estimate.skipped,
            "records": estimate.records,
        }
    labels = uow.labels.of(cmd.entity_type)
    use_labels = enough_labels(labels)
    final = refine_from_records(from_records, labels) if use_labels else from_records
    now = uow.clock.now()
    store_settings(uow, from_records, labels=0, actor=cmd.actor, at=now)
    if final is not from_records:
        # stored a moment later, so the refined version is the newest
        store_settings(
            uow, final, labels=len(labels), actor=cmd.actor, at=now + timedelta(microseconds=1)
        )
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


def store_settings(
    uow: UnitOfWork, settings: MatchSettings, *, labels: int, actor: str, at: datetime
) -> None:
    """Keep ``settings`` as a version of its entity type (the newest, by ``at``)."""
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
