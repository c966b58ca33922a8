"""Use case: set a schema subject's compatibility mode (or return it to the default)."""

from __future__ import annotations

from typing import Any

from canonical.commands import SetSchemaMode
from canonical.errors import FieldError, InvalidInput
from canonical.registry import parse_mode
from mdm.db.uow import UnitOfWork
from mdm.domain.registry import effective_mode, subject_row

__all__ = ["handle"]


def handle(cmd: SetSchemaMode, uow: UnitOfWork) -> dict[str, Any]:
    try:
        mode = parse_mode(cmd.mode)
    except ValueError as exc:
        raise InvalidInput(str(exc), [FieldError("/mode", str(exc), "enum")]) from None
    row = subject_row(uow, cmd.subject, lock=True)
    before = effective_mode(row)
    now = uow.clock.now()
    uow.registry.set_mode(cmd.subject, mode.value if mode else None, now)
    after = effective_mode({**row, "mode": mode.value if mode else None})
    uow.audit.record(
        actor=cmd.actor,
        action="schema_mode_set",
        target_id=None,
        detail={"subject": cmd.subject, "from": before.value, "to": after.value},
        reason=cmd.reason,
        correlation_id=cmd.correlation_id,
        at=now,
    )
    return {"subject": cmd.subject, "mode": after.value, "default": mode is None}
