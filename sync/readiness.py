"""Readiness rules: what a golden record must carry before a target may receive it.

A target's ``readiness`` is data, one rule per entity type::

    {"customer": {"required": ["payment_terms", "address.line1",
                               {"path": "tax_id", "when": {"address.country": ["DE", "FR"]}}],
                  "parent_delivered": true}}

``required`` lists attribute paths into the golden record's canonical attributes (dots go
into objects: ``address.line1``); an entry with ``when`` is required only while every named
attribute holds one of the listed values. A value is missing when absent, null, blank text or
empty. ``parent_delivered`` holds a record until the target has received its parent (the
delivery's ``parent_golden_id``: a customer's ``parent``).

A target without ``readiness`` (or with null) follows its kind's defaults
(:data:`sync.readiness_rules.DEFAULTS`); an object replaces them whole (``{}``: no rules),
checked by :func:`sync.readiness_rules.check_rules`. A record that breaks its rule is not sent: the
dispatcher claims it, finds it not ready (:func:`check`), and settles it as ``held`` with what
is missing (:func:`held_row`), opening a steward task that names the record, the target and the
missing attributes (:func:`settle_held`). Any newer version makes a held delivery pending
again (the relay's upsert), and so does a changed rule (:func:`release`) or the delivery of
the parent it waited for; the next claim checks it again, sends it if it is ready now and
resolves its task. Merged-away records are never held: their retirement always goes out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from canonical.states import DeliveryState, GoldenStatus
from mdm.plugin_api import OPEN_TASK_STATUSES, UnitOfWork, new_task
from sync.connectors import DeliveryError
from sync.readiness_rules import rules_of
from sync.relay import delivery_id

__all__ = [
    "NOT_READY",
    "TASK_KIND",
    "NotReady",
    "check",
    "close_tasks",
    "held_row",
    "missing_attributes",
    "release",
    "settle_held",
]

NOT_READY = "not_ready"  # the code of a held delivery's last_error
TASK_KIND = "target_not_ready"
# a rule breach: after a hierarchy cycle (100), before a parent dispute (50) and any match review
# below certainty, since the record is kept from a target until someone completes it
TASK_PRIORITY = 60


@dataclass(frozen=True, slots=True)
class NotReady:
    """Why a claimed record may not go to its target now: the attributes it lacks
    (``parent_delivered`` for a parent the target has not received), and a parent to queue
    because it has no delivery to the target at all."""

    message: str
    missing: tuple[str, ...]
    queue_parent: str | None = None

    def error(self) -> DeliveryError:
        return DeliveryError(NOT_READY, self.message, depends_on=self.queue_parent)

    def as_dict(self) -> dict[str, Any]:
        """The held delivery's ``last_error``."""
        return self.error().as_dict() | {"missing": list(self.missing)}


# -- is a record ready? -----------------------------------------------------------------


def _value(attributes: Mapping[str, Any], path: str) -> Any:
    found: Any = attributes
    for segment in path.split("."):
        if not isinstance(found, Mapping):
            return None
        found = found.get(segment)
    return found


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, list | dict) and not value)


def missing_attributes(rule: Mapping[str, Any], attributes: Mapping[str, Any]) -> list[str]:
    """The required paths ``attributes`` lacks, in the rule's order."""
    out: list[str] = []
    for entry in rule.get("required") or []:
        path, when = (entry, None) if isinstance(entry, str) else (entry["path"], entry["when"])
        if when and not all(_value(attributes, p) in allowed for p, allowed in when.items()):
            continue
        if _blank(_value(attributes, path)) and path not in out:
            out.append(path)
    return out


def _parents(
    uow: UnitOfWork, target: str, claims: Sequence[Any], rules: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The deliveries of the claims' parents to ``target`` by golden id, and the parents the
    target knows through the crosswalk; read only where a rule asks for the parent."""
    wanted = sorted(
        {
            c.delivery["parent_golden_id"]
            for c in claims
            if c.delivery.get("parent_golden_id")
            and (rules.get(c.delivery["entity_type"]) or {}).get("parent_delivered")
        }
    )
    if not wanted:
        return {}, set()
    rows = uow.deliveries.by_ids([delivery_id(target, g) for g in wanted])
    return {r["golden_id"]: r for r in rows}, set(uow.crosswalk.of(target, wanted))


def _parent_reason(parent: str, row: Mapping[str, Any] | None, target: str) -> str:
    if row is None:
        return f"its parent {parent} has not been queued for {target} yet"
    if row["state"] == DeliveryState.HELD:
        held = ", ".join((row["last_error"] or {}).get("missing") or []) or "its rules"
        return f"its parent {parent} is held for {target} too (missing {held})"
    return f"its parent {parent} is not at {target} yet ({row['state']})"


def check(uow: UnitOfWork, target: Mapping[str, Any], claims: Sequence[Any]) -> list[Any]:
    """The claims, each one that is not ready carrying why (``Claim.not_ready``)."""
    rules = rules_of(target)
    if not rules or not claims:
        return list(claims)
    name = str(target["name"])
    parents, known = _parents(uow, name, claims, rules)
    out = []
    for claim in claims:
        golden, rule = claim.golden, rules.get(claim.delivery["entity_type"])
        if golden is None or golden["status"] != GoldenStatus.ACTIVE or not rule:
            out.append(claim)
            continue
        missing = missing_attributes(rule, golden["attributes"] or {})
        reasons = [f"missing {', '.join(missing)}"] if missing else []
        parent = claim.delivery.get("parent_golden_id")
        row = parents.get(parent) if parent else None
        queue_parent = None
        delivered = row is not None and row["delivered_version"] is not None
        if rule.get("parent_delivered") and parent and not delivered and parent not in known:
            missing.append("parent_delivered")
            reasons.append(_parent_reason(parent, row, name))
            queue_parent = parent if row is None else None
        if not missing:
            out.append(claim)
            continue
        why = NotReady(f"not ready for {name}: {'; '.join(reasons)}", tuple(missing), queue_parent)
        out.append(dataclasses.replace(claim, not_ready=why))
    return out


# -- settling: the held state and the steward's tasks ----------------------------------


def held_row(claim: Any, now: datetime) -> dict[str, Any]:
    """The update that holds a claimed delivery: not an attempt, so its count goes back."""
    delivery, why = claim.delivery, claim.not_ready
    return {
        "id": delivery["id"],
        "lease_until": None,
        "claimed_by": None,
        "updated_at": now,
        "state": DeliveryState.HELD,
        "attempts": max(0, int(delivery["attempts"]) - 1),
        "last_error": why.as_dict(),
    }


def _was_held(delivery: Mapping[str, Any]) -> bool:
    error = delivery.get("last_error")
    return isinstance(error, Mapping) and error.get("code") == NOT_READY


def _open_tasks(uow: UnitOfWork, target: str, golden_ids: Sequence[str]) -> dict[str, dict]:
    rows = uow.tasks.open_of_kind(TASK_KIND, golden_ids)
    return {r["golden_id"]: r for r in rows if (r["explanation"] or {}).get("target") == target}


def settle_held(uow: UnitOfWork, target: str, outcomes: Sequence[Any], now: datetime) -> None:
    """After the outcomes are written: a held record whose newer version was planned while it
    was claimed (the relay leaves a claimed delivery to its worker) is pending again, to be
    checked in that version; a steward task per record held for ``target`` (one, kept up to
    date while it stays held); the task of a record that went out again is resolved."""
    held = {o.claim.delivery["golden_id"]: o for o in outcomes if o.kind == NOT_READY}
    _recheck_newer(uow, target, [o.claim.delivery for o in held.values()], now)
    freed = [
        o.claim.delivery["golden_id"]
        for o in outcomes
        if o.kind != NOT_READY and _was_held(o.claim.delivery)
    ]
    if not held and not freed:
        return
    tasks = _open_tasks(uow, target, sorted({*held, *freed}))
    fresh = []
    for golden_id, outcome in held.items():
        why = outcome.claim.not_ready
        explanation = {
            "reason": why.message,
            "target": target,
            "missing": list(why.missing),
            "delivery_id": outcome.claim.delivery["id"],
        }
        task = tasks.get(golden_id)
        if task is None:
            row = new_task(
                kind=TASK_KIND,
                entity_type=outcome.claim.delivery["entity_type"],
                now=now,
                explanation=explanation,
                golden_id=golden_id,
            )
            fresh.append(row | {"priority": TASK_PRIORITY})
        elif task["explanation"] != explanation:
            uow.tasks.set_explanation(task["id"], explanation, now)
    uow.tasks.insert(fresh)
    for golden_id in freed:
        if golden_id in tasks:
            _resolve(uow, tasks[golden_id]["id"], f"ready for {target}: sent", now)


def _recheck_newer(
    uow: UnitOfWork, target: str, claimed: Sequence[Mapping[str, Any]], now: datetime
) -> None:
    if not claimed:
        return
    wanted = {d["id"]: int(d["wanted_version"]) for d in claimed}
    newer = [
        r["id"]
        for r in uow.deliveries.by_ids(list(wanted))
        if r["state"] == DeliveryState.HELD and int(r["wanted_version"]) > wanted[r["id"]]
    ]
    if newer:
        uow.deliveries.release_held(target, now=now, ids=newer)


def _resolve(uow: UnitOfWork, task_id: str, reason: str, now: datetime) -> None:
    uow.tasks.set_status(
        task_id,
        status="resolved",
        from_statuses=OPEN_TASK_STATUSES,
        actor="sync",
        reason=reason,
        at=now,
    )


def close_tasks(uow: UnitOfWork, target: str, reason: str, now: datetime) -> int:
    """Resolve every open readiness task of ``target`` (the target is gone)."""
    rows = [
        r
        for r in uow.tasks.open_of_kind(TASK_KIND, None)
        if (r["explanation"] or {}).get("target") == target
    ]
    for row in rows:
        _resolve(uow, row["id"], reason, now)
    return len(rows)


def release(
    uow: UnitOfWork, target: str, *, now: datetime, parents: Sequence[str] | None = None
) -> int:
    """Make held deliveries of ``target`` pending again, to be checked at their next claim:
    all of them (its rules changed), or those waiting for one of ``parents``."""
    return uow.deliveries.release_held(target, now=now, parents=parents)
