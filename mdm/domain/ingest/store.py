"""Ingest step *store version*: a record already known becomes unchanged, stale or a new
version; a record seen for the first time becomes a new source record (version 1)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import orjson

from canonical.states import IngestAction
from mdm.db.repositories.records import SourceRecord
from mdm.domain.golden_state import new_id
from mdm.domain.golden_survival import ref_key_of
from mdm.domain.ingest.run import Intake, ValidItem

__all__ = ["Arrival", "new_record", "next_version", "parse_ts", "payload_hash", "version_row"]

# what an arriving version of a known record amounts to: unchanged, stale or a new version
Arrival = Literal[IngestAction.UNCHANGED, IngestAction.STALE, "new_version"]


def payload_hash(record: Mapping[str, Any]) -> str:
    """The record's content hash, ignoring ``source_updated_at`` (re-sending the same
    content with a new timestamp changes nothing)."""
    body = {k: v for k, v in record.items() if k != "source_updated_at"}
    return hashlib.blake2b(
        orjson.dumps(body, option=orjson.OPT_SORT_KEYS), digest_size=20
    ).hexdigest()


def parse_ts(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def arrival(current: Mapping[str, Any], item: ValidItem) -> Arrival:
    """Unchanged (same content), stale (older by the source's clock) or a new version."""
    if current["payload_hash"] == payload_hash(item.record):
        return IngestAction.UNCHANGED
    updated_at = parse_ts(item.record.get("source_updated_at"))
    stored_at = current["source_updated_at"]
    if updated_at and stored_at and updated_at < stored_at:
        return IngestAction.STALE
    return "new_version"


def next_version(intake: Intake, current: SourceRecord, item: ValidItem) -> SourceRecord:
    """``current`` as it stands after taking ``item`` in as its next version."""
    rec = item.record
    return {
        **current,
        "version": current["version"] + 1,
        "payload": rec,
        "payload_hash": payload_hash(rec),
        "schema_version": intake.schema.id,
        "source_updated_at": parse_ts(rec.get("source_updated_at")) or current["source_updated_at"],
        "received_at": intake.now,
        "ref_key": ref_key_of(intake.entity_type, intake.source, rec),
        "match_std": intake.matcher.prepare(
            intake.entity_type, rec, default_region=intake.default_region
        ),
    }


def new_record(intake: Intake, item: ValidItem) -> SourceRecord:
    """A source record seen for the first time (its golden id is set when applied)."""
    rec = item.record
    return {
        "id": new_id(),
        "source": intake.source,
        "entity_type": intake.entity_type,
        "source_id": item.source_id,
        "golden_id": "",
        "version": 1,
        "payload": rec,
        "payload_hash": payload_hash(rec),
        "schema_version": intake.schema.id,
        "source_updated_at": parse_ts(rec.get("source_updated_at")),
        "received_at": intake.now,
        "ref_key": ref_key_of(intake.entity_type, intake.source, rec),
        "match_std": intake.matcher.prepare(
            intake.entity_type, rec, default_region=intake.default_region
        ),
    }


def version_row(intake: Intake, record: Mapping[str, Any], item: ValidItem) -> dict[str, Any]:
    """The history row of the version just taken in (every accepted version is kept)."""
    return {
        "record_id": record["id"],
        "version": record["version"],
        "payload": item.record,
        "payload_hash": record["payload_hash"],
        "schema_version": intake.schema.id,
        "source_updated_at": parse_ts(item.record.get("source_updated_at")),
        "received_at": intake.now,
        "correlation_id": intake.correlation_id,
    }
