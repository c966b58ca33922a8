"""Use case: register the next version of a schema subject.

The subject row is locked (PostgreSQL) so registrations of one subject run one after
the other; on SQLite the write lock does the same. Each registered version is live for
every process from its next transaction on (:mod:`mdm.domain.schemas`): records using a
new optional property are accepted at once and the property survives into golden
records (attributes without a rule of their own take the rules' default) and events.
A refusal writes nothing.
"""

from __future__ import annotations

from typing import Any

from canonical.commands import RegisterSchema
from canonical.errors import IncompatibleSchema
from canonical.registry import refusal_errors
from mdm.db.uow import UnitOfWork
from mdm.domain.registry import Plan, plan_registration, write_plan

__all__ = ["handle"]


def handle(cmd: RegisterSchema, uow: UnitOfWork) -> dict[str, Any]:
    """The registered (or already registered) version and the event revisions it derived;
    raises IncompatibleSchema (409) naming each rule and pointer, InvalidInput (422) for
    a malformed schema, NotFound for an unknown subject."""
    plan = plan_registration(uow, cmd.subject, cmd.document, lock=True)
    if plan.refused:
        raise _refusal(plan)
    now = uow.clock.now()
    written = write_plan(uow, plan, actor=cmd.actor, at=now)
    main = plan.main
    summary = main.as_dict() | {"derived": [e.as_dict() for e in plan.entries[1:]]}
    if written:
        uow.audit.record(
            actor=cmd.actor,
            action="schema_registered",
            target_id=None,
            detail={"subject": main.subject, "versions": [[e.subject, e.version] for e in written]},
            reason=cmd.reason,
            correlation_id=cmd.correlation_id,
            at=now,
        )
    return summary


def _refusal(plan: Plan) -> IncompatibleSchema:
    errors = [e for s, found in plan.refused.items() for e in refusal_errors(s, found)]
    modes = {e.subject: e.mode.value for e in plan.entries}
    first_subject = next(iter(plan.refused))
    first = errors[0]
    also = len(plan.refused) - 1
    return IncompatibleSchema(
        f"refused by {first_subject} ({modes[first_subject]}): {first.code} at "
        f"{first.pointer or '(root)'}"
        + (f"; {also} more subject(s) refuse it too" if also else "")
        + f" ({len(errors)} refusal(s) in 'errors')",
        errors,
    )
