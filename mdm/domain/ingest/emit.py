"""Ingest step *emit*: write everything one batch made, in its unit of work: source
records and their versions, golden records with versions and outbox events (the book),
keys, decisions, tasks and quarantine rows. Nothing is written before this step."""

from __future__ import annotations

from typing import Any

from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.ingest.applied import Applied
from mdm.domain.ingest.run import Intake, ItemResult
from mdm.domain.ingest.validate import Validated

__all__ = ["emit"]


def _next_version_row(r: SourceRecord) -> dict[str, Any]:
    """The columns a record's next version sets (its source, source id and golden id stay)."""
    return {
        "id": r["id"],
        "version": r["version"],
        "payload": r["payload"],
        "payload_hash": r["payload_hash"],
        "schema_version": r["schema_version"],
        "source_updated_at": r["source_updated_at"],
        "received_at": r["received_at"],
        "ref_key": r["ref_key"],
        "match_std": r["match_std"],
    }


def emit(
    uow: UnitOfWork, book: GoldenBook, intake: Intake, validated: Validated, applied: Applied
) -> None:
    uow.records.insert(list(applied.new_records.values()))
    uow.records.update([_next_version_row(r) for r in applied.changed_records.values()])
    uow.records.insert_versions(applied.versions)
    book.flush()
    uow.keys.insert(applied.new_keys)
    uow.decisions.insert(applied.decisions)
    uow.tasks.insert(applied.tasks)
    results = validated.results
    clean = [
        r.source_id for r in results if r.status == "accepted" and r.source_id and not r.issues
    ]
    if clean:
        uow.quarantine.resolve_records(intake.source, intake.entity_type, clean, intake.now)
    _keep(uow, results, validated.issues)
    if intake.quarantine_invalid:
        _keep(uow, results, validated.quarantine + applied.quarantine)


def _keep(uow: UnitOfWork, results: list[ItemResult], rows: list[dict[str, Any]]) -> None:
    """Write quarantine ``rows``; results name the entry that holds each (an entry of the
    same payload already kept counts it instead of a new one)."""
    if not rows:
        return
    held = uow.quarantine.add(rows)
    by_id = {q["id"]: held.get(q["fingerprint"], q["id"]) for q in rows}
    for result in results:
        if result.quarantine_id in by_id:
            result.quarantine_id = by_id[result.quarantine_id]
