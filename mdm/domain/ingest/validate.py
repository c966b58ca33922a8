"""Ingest step *validate*: every item against the canonical schema; the invalid ones are
reported with every error and kept in quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from canonical.commands import IngestItem
from canonical.errors import FieldError
from mdm.db.storable import MAX_SOURCE_ID, unstorable
from mdm.domain.golden_state import new_id
from mdm.domain.ingest.lenient import Salvaged, salvage
from mdm.domain.ingest.run import Intake, ItemResult, ValidItem

__all__ = ["Validated", "fingerprint", "keep_issues", "quarantine_row", "reject", "validate"]


@dataclass(frozen=True, slots=True)
class Validated:
    """Every item checked: one result each (in order), the valid items, and the rows to
    keep for the others (``quarantine``: rejected payloads, written when the intake
    keeps invalid items; ``issues``: what a lenient source's accepted records lost)."""

    results: list[ItemResult]
    valid: list[ValidItem]
    quarantine: list[dict[str, Any]]
    issues: list[dict[str, Any]]


def _check_source_id(source_id: Any) -> list[FieldError]:
    if not isinstance(source_id, str) or not source_id.strip():
        return [FieldError("/source_id", "source_id must be a non-empty string", "required")]
    if len(source_id) > MAX_SOURCE_ID:
        return [
            FieldError(
                "/source_id", f"source_id is longer than {MAX_SOURCE_ID} characters", "too_long"
            )
        ]
    return []


def validate(intake: Intake, items: Sequence[IngestItem]) -> Validated:
    """Each of ``items`` against the intake's schema (lenient salvage where allowed)."""
    out = Validated([], [], [], [])
    for index, item in enumerate(items):
        sid = item.source_id if isinstance(item.source_id, str) else None
        unfit = (unstorable(sid, "/source_id") if sid else []) + unstorable(item.record)
        if unfit:
            # no database could hold it, so there is no faithful copy for quarantine either
            out.results.append(ItemResult(index, sid, "rejected", errors=unfit))
            continue
        errors = _check_source_id(item.source_id)
        if not isinstance(item.record, dict):
            errors.append(FieldError("/record", "a record must be a JSON object", "type"))
        else:
            errors.extend(intake.schema.errors(item.record))
        result = ItemResult(index, sid, "accepted")
        out.results.append(result)
        saved = _lenient(intake, item.record, errors)
        if saved is not None:
            assert sid is not None
            out.valid.append(ValidItem(index, sid, saved.record))
            out.issues.append(keep_issues(intake, result, item.record, saved.issues))
        elif errors:
            out.quarantine.append(reject(intake, result, item.record, errors))
        else:
            assert sid is not None
            out.valid.append(ValidItem(index, sid, item.record))
    return out


def _lenient(intake: Intake, record: Any, errors: list[FieldError]) -> Salvaged | None:
    """The record without its malformed optional values, when the source is lenient and
    nothing but such values is wrong (never on a resubmit, which must be clean)."""
    if not errors or not intake.lenient or not intake.quarantine_invalid:
        return None
    if any(e.pointer in ("/source_id", "/record") for e in errors):
        return None
    return salvage(intake.schema, record, errors)


def keep_issues(
    intake: Intake, result: ItemResult, payload: Any, issues: Sequence[FieldError]
) -> dict[str, Any]:
    """The payload as the source sent it, with what was mapped or left out of it, as a
    data-quality issue (a quarantine row with status ``issue``) on an accepted record."""
    row = _row(intake, result, payload, issues) | {"status": "issue"}
    result.issues = [e.as_dict() for e in issues]
    result.quarantine_id = row["id"]
    return row


def reject(
    intake: Intake, result: ItemResult, payload: Any, errors: Sequence[FieldError]
) -> dict[str, Any]:
    """Mark ``result`` rejected; the quarantine row that keeps ``payload`` with its errors."""
    row = _row(intake, result, payload, errors)
    result.status = "rejected"
    result.errors = [e.as_dict() for e in errors]
    result.quarantine_id = row["id"] if intake.quarantine_invalid else None
    return row


def _row(
    intake: Intake, result: ItemResult, payload: Any, errors: Sequence[FieldError]
) -> dict[str, Any]:
    return quarantine_row(
        new_id(),
        intake.source,
        intake.entity_type,
        result.source_id,
        payload,
        errors,
        intake.correlation_id,
        intake.now,
    )


def quarantine_row(
    qid: str,
    source: str,
    entity_type: str,
    source_id: str | None,
    payload: Any,
    errors: Sequence[FieldError],
    correlation_id: str | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": qid,
        "source": source,
        "entity_type": entity_type,
        "source_id": source_id,
        "payload": payload,
        "errors": [e.as_dict() for e in errors],
        "correlation_id": correlation_id,
        "received_at": now,
        "last_received_at": now,
        "status": "open",
        "fingerprint": fingerprint(source, entity_type, source_id, payload),
        "count": 1,
    }


def fingerprint(source: str, entity_type: str, source_id: str | None, payload: Any) -> str:
    """The identity of a rejected payload: the same bytes from the same record again are
    the same quarantine entry."""
    body = orjson.dumps(
        [source, entity_type, source_id, payload],
        option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
        default=str,
    )
    return hashlib.blake2b(body, digest_size=20).hexdigest()
