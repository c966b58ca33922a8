"""Use case: the first load of an entity type from every source's file at once.

Reading is long (a million records validated, standardized and clustered), so it is
the read-only :func:`prepare` step (:class:`mdm.bus.Prepared`), which builds the plan
(:mod:`mdm.domain.bulk.plan`); :func:`handle` writes it in one transaction
(:mod:`mdm.domain.bulk.write`), checking again that no record of the type arrived
meanwhile. The settings version deciding is the one in use when the plan is made: the
CLI retrains before (:class:`canonical.commands.RetrainMatcher`), as ``mdm dedupe``
trains on its input.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from canonical.commands import InitialLoad
from canonical.errors import UnknownSource
from matching.engine import ProbabilisticMatcher
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.batch_engine import table_dedupe
from mdm.domain.bulk.plan import BulkPlan, plan, source_part
from mdm.domain.bulk.write import refuse_if_loaded, write
from mdm.domain.files import read_items
from mdm.domain.learning import MATCHED_TYPES, learner
from mdm.domain.schemas import current_schema
from mdm.handlers.retrain_matcher import store_settings

__all__ = ["handle", "prepare"]


def prepare(cmd: InitialLoad, uow: UnitOfWork, *, matcher: Matcher) -> BulkPlan:
    """Validate every file and cluster all their records (reads only)."""
    refuse_if_loaded(uow, cmd.entity_type)
    schema = current_schema(uow, cmd.entity_type)
    parts = []
    for source, _ in cmd.files:
        if not uow.sources.exists(source):
            raise UnknownSource(f"unknown source '{source}'; register it first")
    started = time.perf_counter()
    for source, path in cmd.files:
        parts.append(
            source_part(
                matcher=matcher,
                source=source,
                entity_type=cmd.entity_type,
                schema=schema,
                items=tuple(read_items(Path(path))),
                region=uow.sources.default_region(source),
                lenient=uow.sources.validation(source) == "lenient",
                correlation_id=cmd.correlation_id,
                now=uow.clock.now(),
            )
        )
    validated = time.perf_counter()
    settings = None
    if cmd.entity_type in MATCHED_TYPES and isinstance(matcher, ProbabilisticMatcher):
        settings = matcher.settings_for(cmd.entity_type)
    dedupe = table_dedupe(cmd.engine)
    made = plan(cmd.entity_type, settings, parts, train=cmd.train, dedupe=dedupe)
    made.stages["read, validate, standardize"] = validated - started
    made.stages["train, block, score, cluster, explain"] = time.perf_counter() - validated
    return made


def handle(
    cmd: InitialLoad, uow: UnitOfWork, prepared: BulkPlan, *, matcher: Matcher
) -> tuple[Counter[str], str, bool, dict[str, float]]:
    """Write the plan, and the settings trained for it as the newest version (every
    process decides with it from its next transaction on); counts per action, golden
    records and review tasks; the settings version that decided, and whether it was
    trained on these records, and the seconds each step took."""
    started = time.perf_counter()
    counts = write(uow, prepared, correlation_id=cmd.correlation_id)
    prepared.stages["write"] = time.perf_counter() - started
    trained = prepared.trained
    if trained is not None:
        store_settings(uow, trained, labels=0, actor=cmd.actor, at=uow.clock.now())
        uow.audit.record(
            actor=cmd.actor,
            action="matcher_retrained",
            target_id=None,
            detail={
                "entity_type": cmd.entity_type,
                "version": trained.version,
                "records": sum(len(p.records) for p in prepared.parts),
                "by": "initial load",
            },
            reason="mdm load --initial",
            correlation_id=cmd.correlation_id,
            at=uow.clock.now(),
        )
        uow.after_commit(lambda: learner(matcher).use(trained))
    return counts, prepared.settings_version, trained is not None, prepared.stages
