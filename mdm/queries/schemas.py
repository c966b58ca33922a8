"""Reads of the schema registry, and the dry-run compatibility check."""

from __future__ import annotations

from typing import Any

from canonical.compatibility import Mode
from canonical.errors import NotFound
from canonical.schemas import ENTITY_TYPES
from canonical.timestamps import iso
from mdm.db.uow import UnitOfWork
from mdm.domain.registry import effective_mode, plan_registration, subject_row

__all__ = ["check_schema", "get_subject", "get_version", "list_subjects"]


def _subject_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": row["subject"],
        "kind": row["kind"],
        "mode": effective_mode(row).value,
        "mode_is_default": row["mode"] is None,
    }


def _meta(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": row["version"],
        "fingerprint": row["fingerprint"],
        "derived_from": row["derived_from"],
        "registered_by": row["registered_by"],
        "registered_at": iso(row["registered_at"]),
    }


def list_subjects(uow: UnitOfWork) -> dict[str, Any]:
    """Entity subjects under ``schemas`` (with ``entity_type`` and ``version``, the shape
    readers had before the registry) and event subjects under ``events``."""
    entities: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for row in uow.registry.subjects():
        view = _subject_view(row) | {"version": row["latest"]}
        if row["kind"] == "entity":
            entities.append({"entity_type": row["subject"], **view})
        else:
            events.append(view)
    order = {e: i for i, e in enumerate(ENTITY_TYPES)}
    entities.sort(key=lambda v: order.get(v["subject"], len(order)))
    return {"schemas": entities, "events": events}


def get_subject(uow: UnitOfWork, subject: str) -> dict[str, Any]:
    """The subject's versions, oldest first, with the newest document as ``schema``."""
    row = subject_row(uow, subject)
    versions = uow.registry.versions(subject)
    latest = versions[-1]["version"] if versions else None
    newest = uow.registry.version(subject, latest) if latest else None
    return _subject_view(row) | {
        "latest": latest,
        "versions": [_meta(v) for v in versions],
        "schema": newest["document"] if newest else None,
    }


def get_version(uow: UnitOfWork, subject: str, version: int | None) -> dict[str, Any]:
    """One version (the newest when ``version`` is None) with its document."""
    row = subject_row(uow, subject)
    if version is None:
        head = uow.registry.head(subject)
        version = head[0] if head else 0
    found = uow.registry.version(subject, version)
    if found is None:
        raise NotFound(f"'{subject}' has no version {version}")
    return _subject_view(row) | _meta(found) | {"schema": found["document"]}


def check_schema(
    uow: UnitOfWork, subject: str, document: Any, *, mode: Mode | None = None
) -> dict[str, Any]:
    """What registering ``document`` would do, without registering it: the version it
    would get (or already has), the event revisions it derives, and every refusal."""
    plan = plan_registration(uow, subject, document, mode=mode)
    refusals = plan.refusals()
    return {
        **plan.main.as_dict(),
        "compatible": not refusals,
        "incompatibilities": refusals,
        "derived": [e.as_dict() for e in plan.entries[1:]],
    }
