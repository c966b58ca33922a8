"""Use case core: take a batch of one source's transactional events in, exactly once.

In one unit of work:

1. *validate* each event against its type's canonical schema; invalid ones are
   reported with every error and kept in quarantine, and write nothing else;
2. *deduplicate*: a second event with an id already in the batch, or already stored
   for the source, is a ``duplicate`` and changes nothing;
3. *lock* the advisory keys of the events' customers (see :mod:`.resolve`) and
   objects, so concurrent batches apply one object's events one after the other;
4. *resolve* each customer to its golden customer; an unknown one is ``parked``;
5. *apply* each event to its object's state unless it is older than the state
   applied (``stale``: kept in the history only);
6. *write* the events (their unique ``(source, id)`` is the tracking row) and object
   states, then let the collections branch react to changed payments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from canonical.commands import RecordEvents
from canonical.errors import FieldError, UnknownSource
from canonical.transactional import (
    ID_FIELDS,
    Position,
    is_older,
    kind_of,
    parse_time,
    state_after,
    validate_event,
)
from mdm.db.storable import UNSTORABLE_CODES, unstorable
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_state import new_id
from mdm.domain.transactional.collections import raise_payment_failures, refresh_payment_status
from mdm.domain.transactional.resolve import NO_LINK, Link, customer_keys, resolve

__all__ = ["EventResult", "object_lock_keys", "record_events"]

QUARANTINE_TYPE = "event"


@dataclass(slots=True)
class EventResult:
    """What happened to one event: ``stored``, ``duplicate``, ``parked`` (stored, its
    customer not known yet), ``stale`` (stored in the history, older than the object's
    state) or ``rejected`` (with every error, kept in quarantine)."""

    index: int
    event_id: str | None
    status: str = "rejected"
    golden_id: str | None = None
    type: str | None = None
    object_id: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    quarantine_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.event_id, "status": self.status}
        if self.status == "rejected":
            return out | {"errors": self.errors, "quarantine_id": self.quarantine_id}
        return out | {"type": self.type, "object_id": self.object_id, "golden_id": self.golden_id}


@dataclass(frozen=True, slots=True)
class _Valid:
    index: int
    event: dict[str, Any]
    object_type: str
    object_id: str
    customer: tuple[str, str]
    position: Position


@dataclass
class _Run:
    uow: UnitOfWork
    cmd: RecordEvents
    now: datetime
    results: list[EventResult]
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    links: dict[tuple[str, str], Link] = field(default_factory=dict)
    objects: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    new_objects: set[tuple[str, str]] = field(default_factory=set)
    changed_objects: set[tuple[str, str]] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    paid_goldens: set[str] = field(default_factory=set)
    failures: list[dict[str, Any]] = field(default_factory=list)
    repeats: dict[int, int] = field(default_factory=dict)  # index -> the first with its id


def object_lock_keys(source: str, objects: list[tuple[str, str]]) -> list[str]:
    return [f"txo|{source}|{object_type}|{object_id}" for object_type, object_id in objects]


def _reject(run: _Run, index: int, raw: Any, errors: list[FieldError]) -> None:
    result = run.results[index]
    result.errors = [e.as_dict() for e in errors]
    if run.cmd.quarantine_invalid and not any(e.code in UNSTORABLE_CODES for e in errors):
        result.quarantine_id = new_id()
        run.quarantine.append(
            {
                "id": result.quarantine_id,
                "source": run.cmd.source,
                "entity_type": QUARANTINE_TYPE,
                "source_id": result.event_id,
                "payload": raw,
                "errors": result.errors,
                "correlation_id": run.cmd.correlation_id,
                "received_at": run.now,
            }
        )


def _validate(run: _Run) -> list[_Valid]:
    valid: list[_Valid] = []
    for index, raw in enumerate(run.cmd.events):
        unfit = unstorable(raw)
        if unfit:
            # no database could hold it, so there is no faithful copy for quarantine either
            _reject(
                run, index, raw, [FieldError(p["pointer"], p["message"], p["code"]) for p in unfit]
            )
            continue
        schema, errors = validate_event(raw)
        wanted = run.cmd.object_type
        if not errors and schema is not None and wanted and schema.entity_type != wanted:
            errors = [FieldError("/type", f"expected a {wanted} event", "enum")]
        if errors:
            _reject(run, index, raw, errors)
            continue
        kind = kind_of(raw["type"])
        customer = raw["customer"]
        occurred = parse_time(raw["occurred_at"])
        assert occurred is not None  # validate_event checked it
        valid.append(
            _Valid(
                index=index,
                event=raw,
                object_type=kind.object_type,
                object_id=str(raw["data"][ID_FIELDS[kind.object_type]]),
                customer=(customer.get("source") or run.cmd.source, customer["source_id"]),
                position=Position(occurred, kind.stage, raw.get("version")),
            )
        )
    return valid


def _fresh(run: _Run, valid: list[_Valid]) -> list[_Valid]:
    """The events not seen before (in this batch or stored), after taking the locks."""
    first: dict[str, _Valid] = {}
    for v in valid:
        result = run.results[v.index]
        result.type, result.object_id = v.event["type"], v.object_id
        if v.event["id"] in first:
            result.status = "duplicate"
            run.repeats[v.index] = first[v.event["id"]].index
        else:
            first[v.event["id"]] = v
    run.uow.locks.lock_keys(
        customer_keys({v.customer for v in first.values()})
        + object_lock_keys(run.cmd.source, [(v.object_type, v.object_id) for v in first.values()])
    )
    stored = run.uow.transactional.stored(run.cmd.source, list(first))
    for event_id, row in stored.items():
        result = run.results[first.pop(event_id).index]
        result.status, result.golden_id = "duplicate", row["golden_id"]
    return list(first.values())


def _apply(run: _Run, v: _Valid) -> None:
    key = (v.object_type, v.object_id)
    current = run.objects.get(key)
    link = run.links.get(v.customer)
    columns = link.columns() if link else dict(NO_LINK)
    result = run.results[v.index]
    result.golden_id = columns["golden_id"]
    applied = (
        Position(current["occurred_at"], current["stage"], current["version"]) if current else None
    )
    outcome = "stale" if applied is not None and is_older(v.position, applied) else "applied"
    if outcome == "applied":
        state = state_after(v.event, current["status"] if current else None)
        row = {
            **state,
            **columns,
            "source": run.cmd.source,
            "customer_source": v.customer[0],
            "customer_id": v.customer[1],
            "event_id": v.event["id"],
            "event_type": v.event["type"],
            "data": v.event["data"],
            "updated_at": run.now,
        }
        (run.changed_objects if current is not None else run.new_objects).add(key)
        run.objects[key] = row
        _note_payment(run, row, current)
    result.status = outcome if outcome == "stale" else ("stored" if link else "parked")
    run.events.append(_event_row(run, v, columns, outcome))


def _note_payment(run: _Run, row: dict[str, Any], before: dict[str, Any] | None) -> None:
    if row["object_type"] != "payment" or row["golden_id"] is None:
        return
    run.paid_goldens.add(row["golden_id"])
    was_failed = before is not None and before["status"] == "failed" and before["golden_id"]
    if row["status"] == "failed" and not was_failed:
        run.failures.append(row)


def _event_row(
    run: _Run, v: _Valid, columns: dict[str, str | None], outcome: str
) -> dict[str, Any]:
    return {
        "source": run.cmd.source,
        "event_id": v.event["id"],
        "event_type": v.event["type"],
        "object_type": v.object_type,
        "object_id": v.object_id,
        "customer_source": v.customer[0],
        "customer_id": v.customer[1],
        **columns,
        "outcome": outcome,
        "occurred_at": v.position.occurred_at,
        "version": v.position.version,
        "payload": v.event,
        "origin": run.cmd.origin,
        "correlation_id": run.cmd.correlation_id,
        "received_at": run.now,
    }


def _write(run: _Run) -> None:
    uow = run.uow
    uow.transactional.insert_events(run.events)
    new = run.new_objects
    uow.transactional.insert_objects([run.objects[k] for k in sorted(new)])
    uow.transactional.update_objects([run.objects[k] for k in sorted(run.changed_objects - new)])
    if run.paid_goldens:
        book = GoldenBook(uow, correlation_id=run.cmd.correlation_id)
        failed = {row["golden_id"] for row in run.failures}
        refresh_payment_status(uow, book, run.paid_goldens, failed, cause="payment_status_changed")
        raise_payment_failures(book, run.failures, correlation_id=run.cmd.correlation_id)
        book.flush()


def _event_id(payload: Any) -> str | None:
    value = payload.get("id") if isinstance(payload, dict) else None
    return value if isinstance(value, str) else None


def record_events(uow: UnitOfWork, cmd: RecordEvents) -> list[EventResult]:
    """Take ``cmd.events`` in; one result per event, in order (see the module docstring)."""
    if not uow.sources.exists(cmd.source):
        raise UnknownSource(f"unknown source '{cmd.source}'; register it first")
    payloads = [*cmd.events, *(payload for payload, _ in cmd.refused)]
    results = [EventResult(i, _event_id(e)) for i, e in enumerate(payloads)]
    run = _Run(uow=uow, cmd=cmd, now=uow.clock.now(), results=results)
    for offset, (payload, errors) in enumerate(cmd.refused):
        _reject(run, len(cmd.events) + offset, payload, list(errors))
    fresh = _fresh(run, _validate(run))
    if fresh:
        run.links = resolve(uow, {v.customer for v in fresh})
        run.objects = uow.transactional.objects(
            cmd.source, [(v.object_type, v.object_id) for v in fresh]
        )
        for v in fresh:
            _apply(run, v)
        _write(run)
    for index, first in run.repeats.items():
        results[index].golden_id = results[first].golden_id
    uow.quarantine.add(run.quarantine)
    return run.results
