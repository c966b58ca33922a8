"""Registering a schema version: what it would add, which checks it must pass, writing it.

A proposal for a subject is checked against every registered version its mode asks for
(:func:`canonical.compatibility.check`). A proposal for a canonical entity type also
derives the golden event schema of each change (:func:`contracts.event_schemas.
golden_event_schema`) and checks it as the next revision of that event subject under
the event subject's own mode (``FORWARD_TRANSITIVE`` by default): a canonical change
that consumers of the events could not absorb is refused even where the entity's mode
allows it. Either everything in a plan is registered, or nothing.

A document equal (by fingerprint) to a registered version is that version: registering
it again adds nothing, which keeps registration idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from canonical.compatibility import Incompatibility, Mode, SubjectKind, check, default_mode
from canonical.errors import InvalidInput, NotFound
from canonical.registry import fingerprint, malformed, schema_label
from contracts.event_schemas import golden_event_schema
from contracts.events import GOLDEN_CHANGES, golden_event_type
from mdm.db.uow import UnitOfWork

__all__ = ["Entry", "Plan", "effective_mode", "plan_registration", "subject_row", "write_plan"]


@dataclass(frozen=True)
class Entry:
    """One version a plan registers, or finds already registered (``existing``)."""

    subject: str
    kind: SubjectKind
    version: int
    document: Mapping[str, Any]
    fingerprint: str
    mode: Mode
    existing: bool
    derived_from: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "kind": self.kind.value,
            "version": self.version,
            "fingerprint": self.fingerprint,
            "mode": self.mode.value,
            "created": not self.existing,
            "derived_from": self.derived_from,
        }


@dataclass
class Plan:
    entries: list[Entry]
    refused: dict[str, list[Incompatibility]] = field(default_factory=dict)

    @property
    def main(self) -> Entry:
        return self.entries[0]

    def refusals(self) -> list[dict[str, Any]]:
        return [
            {"subject": subject, **i.as_dict()}
            for subject, found in self.refused.items()
            for i in found
        ]


def subject_row(uow: UnitOfWork, subject: str, *, lock: bool = False) -> dict[str, Any]:
    row = uow.registry.subject(subject, lock=lock)
    if row is None:
        raise NotFound(
            f"no schema subject '{subject}'; subjects are the canonical entity types and "
            "the golden event types (GET /api/v1/schemas)"
        )
    return row


def effective_mode(row: Mapping[str, Any]) -> Mode:
    """The subject's own mode, or its kind's default when none was set."""
    return Mode(row["mode"]) if row["mode"] else default_mode(row["kind"])


def _plan_one(
    uow: UnitOfWork,
    subject: str,
    kind: SubjectKind,
    document: Mapping[str, Any],
    mode: Mode,
    derived_from: str | None,
) -> tuple[Entry, list[Incompatibility]]:
    chain = uow.registry.documents(subject)
    fp = fingerprint(document)
    same = [v for v, f, _ in chain if f == fp]
    if same:
        return Entry(subject, kind, same[0], document, fp, mode, True, derived_from), []
    refused = check([doc for _, _, doc in chain], document, mode, versions=[v for v, _, _ in chain])
    version = chain[-1][0] + 1 if chain else 1
    return Entry(subject, kind, version, document, fp, mode, False, derived_from), refused


def plan_registration(
    uow: UnitOfWork,
    subject: str,
    document: Any,
    *,
    mode: Mode | None = None,
    lock: bool = False,
) -> Plan:
    """What registering ``document`` under ``subject`` would add and what refuses it.

    ``mode`` replaces the subject's own mode for this check only (``mdm schema check
    --mode``); derived event revisions are always checked under their own modes.
    Raises NotFound for an unknown subject and InvalidInput for a malformed schema.
    """
    row = subject_row(uow, subject, lock=lock)
    kind = SubjectKind(row["kind"])
    errors = malformed(document, kind)
    if errors:
        raise InvalidInput(f"not a usable schema for '{subject}'", errors)
    main, refused = _plan_one(uow, subject, kind, document, mode or effective_mode(row), None)
    plan = Plan([main], {subject: refused} if refused else {})
    if kind is not SubjectKind.ENTITY or main.existing:
        return plan
    label = schema_label(subject, main.version)
    for change in GOLDEN_CHANGES:
        event_subject = golden_event_type(subject, change)
        event_row = uow.registry.subject(event_subject)
        if event_row is None:
            continue
        derived = golden_event_schema(subject, change, document)
        entry, found = _plan_one(
            uow, event_subject, SubjectKind.EVENT, derived, effective_mode(event_row), label
        )
        plan.entries.append(entry)
        if found:
            plan.refused[event_subject] = found
    return plan


def write_plan(uow: UnitOfWork, plan: Plan, *, actor: str, at: datetime) -> list[Entry]:
    """Register every new version of an allowed plan; returns those written."""
    if plan.refused:
        raise ValueError("a refused plan is never written")
    written = [e for e in plan.entries if not e.existing]
    for e in written:
        uow.registry.add_version(
            {
                "subject": e.subject,
                "version": e.version,
                "document": dict(e.document),
                "fingerprint": e.fingerprint,
                "derived_from": e.derived_from,
                "registered_by": actor[:100],
                "registered_at": at,
            }
        )
    return written
