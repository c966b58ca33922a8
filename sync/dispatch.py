"""One delivery round for one target: claim due deliveries, push them, settle outcomes.

Claiming and settling are short transactions; the calls to the target happen in
between, outside any transaction (never a dual write). A worker that dies after
claiming leaves its claims to expire (``lease_s``) and another worker takes them:
delivery is at least once, and every connector is idempotent at its target (upsert
by external id, Stripe idempotency keys), so at least once never means twice.

A target that cannot be used as configured (options the connector cannot take, an address
the hub may not send to) is paused for ``Policy.unusable_pause_s`` with a ``pause_reason``
starting :data:`UNUSABLE`: the error shows on the target, its deliveries are not tried in
a hot loop, and replacing the target's configuration ends the pause at once.

A target that refuses for its rate or concurrency limit is paused for the window it asked
for (:mod:`sync.pause`, :mod:`sync.push`): the claims the refusal kept from being sent come
back ``held``, pending again for when the window ends, neither a failure nor an attempt.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from canonical.states import DeliveryState
from mdm.plugin_api import UnitOfWork, link_crosswalk, observe_dead_letter, observe_delivery
from sync.connectors import DeliveryError, ErrorCode
from sync.pause import record_pause
from sync.readiness import NOT_READY, NotReady, check, held_row, release, settle_held
from sync.relay import delivery_id, parent_of

__all__ = [
    "UNUSABLE",
    "Claim",
    "Outcome",
    "Policy",
    "pause_unusable",
    "settle",
    "state_hash",
    "take",
]

UNUSABLE = "unusable: "


@dataclass(frozen=True)
class Policy:
    """How hard to try: failures before a delivery is dead, backoff, claim lease, and how
    often a batch in hand looks for a pause another worker recorded (``pause_check_s``)."""

    max_failures: int = 8
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    lease_s: float = 60.0
    batch: int = 200
    unusable_pause_s: float = 300.0
    pause_check_s: float = 0.1


@dataclass(frozen=True)
class Claim:
    delivery: Mapping[str, Any]
    golden: Mapping[str, Any] | None
    target_id: str | None
    not_ready: NotReady | None = None  # breaks the target's readiness rules: held, not sent


@dataclass
class Outcome:
    claim: Claim
    # delivered | skipped | retry | dead | held (not sent: the target is paused) | not_ready
    # (not sent: the record breaks the target's readiness rules; the delivery becomes held)
    kind: str
    version: int
    state_hash: str | None = None
    target_id: str | None = None
    deleted: bool = False
    error: DeliveryError | None = None
    duration_ms: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def state_hash(golden: Mapping[str, Any]) -> str:
    """What a target receives of a golden record, hashed: a new version that changes none
    of it (a source echoing what the hub pushed) is not pushed again."""
    body = [golden["status"], golden["merged_into"], golden["attributes"]]
    return hashlib.blake2b(
        orjson.dumps(body, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).hexdigest()


def _tokens(target: Mapping[str, Any], now: datetime, limit: int) -> tuple[int, float | None]:
    """How many deliveries the shared token bucket allows now, and the tokens left."""
    rate = target["rate_limit_per_s"]
    if not rate:
        return limit, None
    burst = max(1.0, rate)
    since = target["tokens_at"]
    tokens = (
        burst
        if since is None
        else min(burst, target["tokens"] + (now - since).total_seconds() * rate)
    )
    allowed = min(limit, int(tokens))
    return allowed, tokens - allowed


def take(
    uow: UnitOfWork, target_name: str, *, worker: str, now: datetime, policy: Policy
) -> list[Claim]:
    """Claim due deliveries of one target (none while it is paused or out of tokens)."""
    target = uow.targets.get(target_name, lock=True)
    if target is None or not target["enabled"]:
        return []
    if target["paused_until"] is not None and target["paused_until"] > now:
        return []
    allowed, left = _tokens(target, now, policy.batch)
    lease = now + timedelta(seconds=policy.lease_s)
    rows = uow.deliveries.claim(
        target=target_name, worker=worker, now=now, lease=lease, limit=allowed
    )
    claims: list[Claim] = []
    if rows:
        ids = [r["golden_id"] for r in rows]
        goldens, known = uow.deliveries.payloads(target_name, ids)
        claims = [Claim(r, goldens.get(r["golden_id"]), known.get(r["golden_id"])) for r in rows]
        claims = check(uow, target, claims)
    if left is not None:  # a record held as not ready costs no token
        sent = sum(1 for c in claims if c.not_ready is None)
        uow.targets.set_tokens(target_name, left + (allowed - sent), now)
    return claims


def _backoff(policy: Policy, failures: int, error: DeliveryError) -> float:
    if error.retry_after is not None:
        return float(error.retry_after) + random.uniform(0, 0.1)
    step = min(policy.backoff_cap_s, policy.backoff_base_s * 2 ** max(0, failures - 1))
    return step * random.uniform(0.5, 1.0)  # jitter spreads retries of many records


def _classify(outcome: Outcome, policy: Policy) -> None:
    """A failed push becomes a retry (with its delay in ``extra``) or a dead letter."""
    if outcome.kind != "failed":
        return
    error = outcome.error
    assert error is not None
    if error.code == ErrorCode.HELD:  # never sent: neither a failure nor an attempt
        outcome.kind = "held"
        return
    failures = int(outcome.claim.delivery["failures"])
    if error.scope == "target" and error.retryable:  # the target's fault: do not count it
        outcome.kind, outcome.extra["delay"] = "retry", _backoff(policy, 1, error)
        outcome.extra["failures"] = failures
        return
    failures += 1
    outcome.extra["failures"] = failures
    if not error.retryable or failures >= policy.max_failures:
        outcome.kind = "dead"
        if error.scope == "target":  # unusable as configured: pause it (see the docstring)
            outcome.extra["delay"] = policy.unusable_pause_s
    else:
        outcome.kind, outcome.extra["delay"] = "retry", _backoff(policy, failures, error)


def _update(outcome: Outcome, now: datetime) -> dict[str, Any]:
    d = outcome.claim.delivery
    base = {"id": d["id"], "lease_until": None, "claimed_by": None, "updated_at": now}
    if outcome.kind == NOT_READY:
        return held_row(outcome.claim, now)
    if outcome.kind in ("delivered", "skipped"):
        newer = int(d["wanted_version"]) > outcome.version
        return base | {
            "state": DeliveryState.PENDING if newer else DeliveryState.DELIVERED,
            "delivered_version": outcome.version,
            "delivered_hash": outcome.state_hash,
            "delivered_at": now,
            "failures": 0,
            "force": False,
            "last_error": None,
            "next_attempt_at": now,
        }
    # not before the window the target asked for has ended (sync.push)
    until: datetime = max(outcome.extra.get("until") or now, now)
    if outcome.kind == "held":  # as it was before the claim, due when the window ends
        return base | {
            "state": DeliveryState.PENDING,
            "attempts": int(d["attempts"]) - 1,
            "next_attempt_at": until,
        }
    error = outcome.error.as_dict() if outcome.error else None
    if outcome.kind == "dead":
        return base | {
            "state": DeliveryState.DEAD,
            "failures": outcome.extra.get("failures", 0),
            "last_error": error,
        }
    delay = timedelta(seconds=float(outcome.extra.get("delay", 1.0)))
    return base | {
        "state": DeliveryState.PENDING,
        "failures": outcome.extra["failures"],
        "last_error": error,
        "next_attempt_at": max(now + delay, until),
    }


def _attempt(outcome: Outcome, target: str, now: datetime) -> dict[str, Any]:
    d = outcome.claim.delivery
    return {
        "delivery_id": d["id"],
        "target": target,
        "golden_id": d["golden_id"],
        "version": outcome.version,
        "outcome": outcome.kind,
        "error": outcome.error.as_dict() if outcome.error else None,
        "correlation_id": d["correlation_id"],
        "at": now,
        "duration_ms": outcome.duration_ms,
    }


def _parents_first(
    uow: UnitOfWork, target: str, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """A record refused because the target lacks its parent (a price: its product): queue
    the parent now, forced, since the target may have lost a parent it acknowledged."""
    wanted = {o.error.depends_on for o in outcomes if o.error is not None and o.error.depends_on}
    if not wanted:
        return
    parents = uow.goldens.for_update(sorted(wanted), lock=False)
    uow.deliveries.plan(
        [
            {
                "id": delivery_id(target, gid),
                "target": target,
                "golden_id": gid,
                "entity_type": row["entity_type"],
                "parent_golden_id": parent_of(row["entity_type"], row["attributes"]),
                "wanted_version": row["version"],
                "correlation_id": None,
                "changed_at": now,
                "now": now,
            }
            for gid, row in parents.items()
        ]
    )
    uow.deliveries.replay(now=now, ids=[delivery_id(target, gid) for gid in parents])


def _pause(uow: UnitOfWork, target: str, outcomes: Sequence[Outcome], now: datetime) -> None:
    """Pause the whole target on a target-wide refusal, until the later of its delay and the
    window the pause of the sending process closed for (which that process wrote already;
    written again should that have failed). A refusal that ends a longer pause early never
    shortens it; a configuration the target cannot take replaces it, saying so."""
    refusals = [o for o in outcomes if o.error is not None and o.error.scope == "target"]
    if not refusals:
        return
    until = max(
        max(now + timedelta(seconds=float(o.extra.get("delay", 1.0))), o.extra.get("until") or now)
        for o in refusals
    )
    errors = [o.error for o in refusals if o.error is not None]
    error = next((e for e in errors if not e.retryable), errors[0])
    if error.retryable:
        record_pause(uow, target, until=until, reason=error.message)
    else:
        uow.targets.pause(target, until=until, reason=(UNUSABLE + error.message)[:500])


def settle(
    uow: UnitOfWork,
    target: Mapping[str, Any],
    outcomes: Sequence[Outcome],
    *,
    worker: str,
    now: datetime,
    policy: Policy,
) -> dict[str, int]:
    """Write every outcome (only for claims this worker still holds), keep the ids the
    target gave, and pause the whole target on a target-wide refusal. A ``held`` claim
    (never sent) is pending again as it was, and no attempt is recorded for it."""
    for outcome in outcomes:
        _classify(outcome, policy)
    uow.deliveries.finish(worker, [_update(o, now) for o in outcomes])
    dead = [o.claim.delivery for o in outcomes if o.kind == "dead"]
    uow.deliveries.retry_newer([(d["id"], int(d["wanted_version"])) for d in dead], now=now)
    tried = [o for o in outcomes if o.kind not in ("held", NOT_READY)]
    uow.deliveries.record_attempts([_attempt(o, target["name"], now) for o in tried])
    given = [
        o
        for o in outcomes
        if o.kind == "delivered" and o.target_id and o.target_id != o.claim.target_id
    ]
    uow.crosswalk.put(
        [
            {
                "target": target["name"],
                "golden_id": o.claim.delivery["golden_id"],
                "entity_type": o.claim.delivery["entity_type"],
                "source": target["source"],
                "target_id": o.target_id,
                "created_at": now,
                "updated_at": now,
            }
            for o in given
        ]
    )
    # events the target's source reported under these ids before they were known link now
    customers = {
        str(o.target_id): o.claim.delivery["golden_id"]
        for o in given
        if o.claim.delivery["entity_type"] == "customer"
    }
    link_crosswalk(uow, target["source"], customers, correlation_id=None)
    _pause(uow, target["name"], tried, now)
    _parents_first(uow, target["name"], outcomes, now)
    settle_held(uow, target["name"], outcomes, now)
    arrived = [o.claim.delivery["golden_id"] for o in outcomes if o.kind == "delivered"]
    if arrived:  # children held for these parents are checked again
        release(uow, target["name"], now=now, parents=arrived)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.kind] = counts.get(o.kind, 0) + 1
    name = target["name"]
    uow.after_commit(lambda: _observe(name, counts))
    return counts


def pause_unusable(
    uow: UnitOfWork, target: str, message: str, *, now: datetime, policy: Policy
) -> None:
    """Pause a target whose configuration cannot be used, saying why on the target."""
    until = now + timedelta(seconds=policy.unusable_pause_s)
    uow.targets.pause(target, until=until, reason=(UNUSABLE + message)[:500])


def _observe(target: str, counts: dict[str, int]) -> None:
    for kind, n in counts.items():
        if kind not in ("held", NOT_READY):  # not an attempt
            observe_delivery(target, kind, n)
    if counts.get("dead"):
        observe_dead_letter(target, counts["dead"])
