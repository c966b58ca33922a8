"""Ingest step *validate*: every item against the canonical schema; the invalid ones are
reported with every error and kept in quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from canonical.commands import IngestItem
from canonical.errors import FieldError
from mdm.db.storable import MAX_SOURCE_ID, unstorable
from mdm.domain.golden_state import new_id
from mdm.domain.ingest.lenient import Salvaged, salvage
from mdm.domain.ingest.run import IngestRun, ItemResult, ValidItem

__all__ = ["fingerprint", "keep_issues", "quarantine_row", "reject", "validate"]


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


def validate(run: IngestRun, items: Sequence[IngestItem]) -> list[ValidItem]:
    """One result per item in ``run.results`` (in order); returns the valid items."""
    valid: list[ValidItem] = []
    for index, item in enumerate(items):
        sid = item.source_id if isinstance(item.source_id, str) else None
        unfit = (unstorable(sid, "/source_id") if sid else []) + unstorable(item.record)
        if unfit:
            # no database could hold it, so there is no faithful copy for quarantine either
            run.results.append(ItemResult(index, sid, "rejected", errors=unfit))
            continue
        errors = _check_source_id(item.source_id)
        if not isinstance(item.record, dict):
            errors.append(FieldError("/record", "a record must be a JSON object", "type"))
        else:
            errors.extend(run.schema.errors(item.record))
        result = ItemResult(index, sid, "accepted")
        run.results.append(result)
        saved = _lenient(run, item.record, errors)
        if saved is not None:
            assert sid is not None
            valid.append(ValidItem(index, sid, saved.record))
            keep_issues(run, result, item.record, saved.issues)
        elif errors:
            reject(run, result, item.record, errors)
        else:
            assert sid is not None
            valid.append(ValidItem(index, sid, item.record))
    return valid


def _lenient(run: IngestRun, record: Any, errors: list[FieldError]) -> Salvaged | None:
    """The record without its malformed optional values, when the source is lenient and
    nothing but such values is wrong (never on a resubmit, which must be clean)."""
    if not errors or not run.lenient or not run.quarantine_invalid:
        return None
    if any(e.pointer in ("/source_id", "/record") for e in errors):
        return None
    return salvage(run.schema, record, errors)


def keep_issues(
    run: IngestRun, result: ItemResult, payload: Any, issues: Sequence[FieldError]
) -> None:
    """Keep the payload as the source sent it, with what was mapped or left out of it, as a
    data-quality issue (a quarantine entry with status ``issue``) on an accepted record."""
    qid = new_id()
    row = quarantine_row(
        qid,
        run.source,
        run.entity_type,
        result.source_id,
        payload,
        issues,
        run.correlation_id,
        run.now,
    )
    run.issues.append(row | {"status": "issue"})
    result.issues = [e.as_dict() for e in issues]
    result.quarantine_id = qid


def reject(run: IngestRun, result: ItemResult, payload: Any, errors: Sequence[FieldError]) -> None:
    """Mark ``result`` rejected and keep ``payload`` in quarantine with its errors."""
    qid = new_id()
    run.quarantine.append(
        quarantine_row(
            qid,
            run.source,
            run.entity_type,
            result.source_id,
            payload,
            errors,
            run.correlation_id,
            run.now,
        )
    )
    result.status = "rejected"
    result.errors = [e.as_dict() for e in errors]
    result.quarantine_id = qid if run.quarantine_invalid else None


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
