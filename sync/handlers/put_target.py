"""Use case: create or replace a target's configuration (admin)."""

from __future__ import annotations

from typing import Any

from canonical.commands import PutSyncTarget
from canonical.errors import FieldError, InvalidInput
from mdm.plugin_api import Sealer, UnitOfWork
from sync.dispatch import UNUSABLE
from sync.readiness import release
from sync.readiness_rules import check_rules, rules_of
from sync.targets import config_from_body, row_of, target_view

__all__ = ["handle"]


def handle(cmd: PutSyncTarget, uow: UnitOfWork, *, sealer: Sealer) -> dict[str, Any]:
    """Checked, stored with sealed credentials, and answered without them. Golden records
    already in the hub reach a new target through reconciliation; held deliveries are
    checked again when the readiness rules in force change."""
    config = config_from_body(cmd.name, cmd.body)
    readiness = check_rules(uow, cmd.body.get("readiness"))
    if config.source is not None and not uow.sources.exists(config.source):
        raise InvalidInput(
            f"unknown source '{config.source}'",
            [FieldError("/source", f"register source '{config.source}' first", "unknown")],
        )
    now = uow.clock.now()
    before = uow.targets.get(cmd.name)
    created = before is None
    stored = row_of(config, enabled=bool(cmd.body.get("enabled", True)), sealer=sealer, now=now)
    stored["readiness"] = readiness
    uow.targets.put(stored)
    if before is not None and rules_of(before) != rules_of(stored):
        release(uow, cmd.name, now=now)
    if before is not None and (before["pause_reason"] or "").startswith(UNUSABLE):
        # the configuration that could not be used is gone: try the new one at once (a pause
        # the target itself asked for, a 429's, stays)
        uow.targets.pause(cmd.name, until=now, reason=before["pause_reason"])
    uow.audit.record(
        actor=cmd.actor,
        action="target_created" if created else "target_updated",
        target_id=None,
        detail={"target": cmd.name, "kind": config.kind, "base_url": config.base_url},
        reason=None,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    row = uow.targets.get(cmd.name)
    assert row is not None
    return target_view(row, None, now) | {"created": created}
