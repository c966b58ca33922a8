"""The composition root: the one place that builds engines, matchers, handlers and the bus."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from canonical import commands as c
from matching.engine import ProbabilisticMatcher
from matching.exact import ExactIdentifierMatcher
from matching.port import Matcher
from mdm.bus import Handler, MessageBus, Prepared
from mdm.clock import Clock
from mdm.db.engine import make_engine
from mdm.db.migrate import has_schema, upgrade
from mdm.db.uow import UnitOfWork
from mdm.domain.learning import SettingsFollower
from mdm.domain.secrets import Sealer, sealer_from
from mdm.handlers import (
    apply_rematch,
    assign_task,
    bulk_approve,
    create_api_key,
    decide_task,
    discard_quarantined,
    ingest_records,
    initial_load,
    manage_keys,
    merge_golden,
    put_webhook_secret,
    record_events,
    register_schema,
    register_source,
    restandardize,
    resubmit_quarantined,
    retrain_matcher,
    set_schema_mode,
    split_record,
    train_matcher,
    unmerge_golden,
)
from mdm.plugins import PluginDeps, plugins
from mdm.settings import Settings, get_settings

__all__ = ["Container", "bootstrap", "handlers_for"]

log = logging.getLogger(__name__)


@dataclass
class Container:
    settings: Settings
    engine: Engine
    matcher: Matcher
    bus: MessageBus
    sealer: Sealer
    extras: dict[str, Any] = field(default_factory=dict)
    follower: SettingsFollower | None = None

    @property
    def clock(self) -> Clock:
        """The time this container's work reads: its bus's clock (tests replace that)."""
        return self.bus.clock

    def current_matcher(self, uow: UnitOfWork) -> Matcher:
        """The matcher on the newest stored settings, for a read deciding in ``uow``."""
        return self.follower.current(uow) if self.follower else self.matcher


def default_matcher(settings: Settings) -> Matcher:
    if settings.matcher == "exact":
        return ExactIdentifierMatcher()
    return ProbabilisticMatcher()


def handlers_for(
    matcher: Matcher, sealer: Sealer, follower: SettingsFollower | None = None
) -> dict[type, Handler]:
    """Every command type and its handler, dependencies bound. Handlers that decide get
    the matcher through ``follower``, switched first to the newest stored settings."""
    with_matcher: dict[type, Callable[..., Any]] = {
        c.IngestRecords: ingest_records.handle,
        c.ResubmitQuarantined: resubmit_quarantined.handle,
        c.MergeGoldenRecords: merge_golden.handle,
        c.UnmergeGoldenRecord: unmerge_golden.handle,
        c.SplitSourceRecord: split_record.handle,
        c.DecideTask: decide_task.handle,
        c.BulkApproveTasks: bulk_approve.handle,
        c.TrainMatcher: train_matcher.handle,
        c.Restandardize: restandardize.handle,
    }
    plain: dict[type, Handler] = {
        c.RegisterSource: register_source.handle,
        c.UpdateSource: register_source.update,
        c.CreateApiKey: create_api_key.handle,
        c.RevokeApiKey: manage_keys.revoke,
        c.RotateApiKey: manage_keys.rotate,
        c.RecordKeyUse: manage_keys.record_use,
        c.DiscardQuarantined: discard_quarantined.handle,
        c.AssignTask: assign_task.handle,
        c.RegisterSchema: register_schema.handle,
        c.SetSchemaMode: set_schema_mode.handle,
        c.RecordEvents: record_events.handle,
        c.PutWebhookSecret: partial(put_webhook_secret.handle, sealer=sealer),
    }
    follower = follower or SettingsFollower(matcher)
    two_step = {
        c.RetrainMatcher: Prepared(
            _following(retrain_matcher.prepare, follower),
            _following(retrain_matcher.handle, follower),
        ),
        c.InitialLoad: Prepared(
            _following(initial_load.prepare, follower),
            _following(initial_load.handle, follower),
        ),
        c.ApplyRematch: Prepared(
            _following(apply_rematch.prepare, follower),
            _following(apply_rematch.handle, follower),
        ),
    }
    deciding = {cmd: _following(h, follower) for cmd, h in with_matcher.items()}
    return plain | deciding | two_step


def _following(handler: Callable[..., Any], follower: SettingsFollower) -> Any:
    """``handler`` given the matcher, switched first to the newest stored settings."""

    def handle(command: Any, uow: UnitOfWork, *prepared: Any) -> Any:
        return handler(command, uow, *prepared, matcher=follower.current(uow))

    return handle


def _follow_stored_settings(bus: MessageBus, follower: SettingsFollower) -> None:
    """Start on the newest trained settings; a database that cannot be reached yet
    leaves the shipped ones (the process still starts, reports itself unready, and
    follows the stored settings from its first transaction on)."""
    try:
        if has_schema(bus.engine):
            bus.query(follower.current)
    except OperationalError as exc:
        log.warning("no stored match settings read (database unreachable): %s", exc.orig)


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    matcher: Matcher | None = None,
    migrate: bool = False,
) -> Container:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url, echo=settings.sql_echo)
    if migrate:
        upgrade(engine)
    matcher = matcher or default_matcher(settings)
    sealer = sealer_from(settings.secret_key, settings.key_file)
    follower = SettingsFollower(matcher)
    handlers = handlers_for(matcher, sealer, follower)
    deps = PluginDeps(settings=settings, matcher=matcher, sealer=sealer)
    for plugin in plugins():
        handlers |= plugin.handlers(deps)
    bus = MessageBus(engine, handlers)
    _follow_stored_settings(bus, follower)
    return Container(
        settings=settings,
        engine=engine,
        matcher=matcher,
        bus=bus,
        sealer=sealer,
        follower=follower,
    )
