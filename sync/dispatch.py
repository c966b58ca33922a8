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
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from mdm.db.uow import UnitOfWork
from mdm.domain.transactional.linking import link_crosswalk
from mdm.metrics import observe_dead_letter, observe_delivery
from sync.connectors import (
    Connector,
    DeliveryError,
    ErrorCode,
    OutboundRecord,
    PushResult,
    RetryableError,
)
from sync.relay import delivery_id

__all__ = [
    "UNUSABLE",
    "Claim",
    "Outcome",
    "Policy",
    "pause_unusable",
    "send",
    "settle",
    "state_hash",
    "take",
]

log = logging.getLogger(__name__)

UNUSABLE = "unusable: "


@dataclass(frozen=True)
class Policy:
    """How hard to try: failures before a delivery is dead, backoff, claim lease."""

    max_failures: int = 8
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    lease_s: float = 60.0
    batch: int = 200
    unusable_pause_s: float = 300.0


@dataclass(frozen=True)
class Claim:
    delivery: Mapping[str, Any]
    golden: Mapping[str, Any] | None
    target_id: str | None


@dataclass
class Outcome:
    claim: Claim
    kind: str  # delivered | skipped | retry | dead
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
    if left is not None:
        uow.targets.set_tokens(target_name, left + (allowed - len(rows)), now)
    if not rows:
        return []
    ids = [r["golden_id"] for r in rows]
    goldens = uow.goldens.for_update(ids, lock=False)
    known = uow.crosswalk.of(target_name, ids)
    return [Claim(r, goldens.get(r["golden_id"]), known.get(r["golden_id"])) for r in rows]


def _record(claim: Claim) -> OutboundRecord:
    g, d = claim.golden, claim.delivery
    assert g is not None
    return OutboundRecord(
        golden_id=g["id"],
        entity_type=g["entity_type"],
        version=g["version"],
        status=g["status"],
        merged_into=g["merged_into"],
        attributes=g["attributes"],
        target_id=claim.target_id,
        delivery_id=d["id"],
        attempt=int(d["attempts"]),
        correlation_id=d["correlation_id"],
    )


def _without_call(claim: Claim) -> Outcome | None:
    """The outcome of a claim that needs no call: gone, or already at the target."""
    d, g = claim.delivery, claim.golden
    if g is None:
        error = DeliveryError("not_found", f"golden record '{d['golden_id']}' does not exist")
        return Outcome(claim, "dead", int(d["wanted_version"]), error=error)
    digest = state_hash(g)
    known = not d["force"] and d["delivered_version"] is not None
    if known and (g["version"] <= d["delivered_version"] or digest == d["delivered_hash"]):
        return Outcome(claim, "skipped", int(g["version"]), state_hash=digest)
    return None


def _push(connector: Connector, claims: Sequence[Claim]) -> list[Outcome]:
    """One call's outcomes. A connector that raises anything but a DeliveryError (a bug,
    a record it cannot handle) fails these claims as a retryable ``unexpected`` error, so
    they back off, show the error and end as dead letters, instead of the whole round
    failing and every claim waiting out its lease again and again."""
    started = time.perf_counter()
    try:
        results: list[PushResult] = connector.push([_record(c) for c in claims])
    except DeliveryError as exc:
        results = [PushResult(c.delivery["golden_id"], error=exc) for c in claims]
    except Exception as exc:
        log.exception("the %s connector failed", connector.kind)
        error = RetryableError(
            ErrorCode.UNEXPECTED, f"the connector failed: {type(exc).__name__}: {exc}"[:500]
        )
        results = [PushResult(c.delivery["golden_id"], error=error) for c in claims]
    ms = (time.perf_counter() - started) * 1000 / max(1, len(claims))
    out = []
    for claim, result in zip(claims, results, strict=True):
        g = claim.golden
        assert g is not None
        kind = "delivered" if result.error is None else "failed"
        out.append(
            Outcome(
                claim,
                kind,
                int(g["version"]),
                state_hash=state_hash(g),
                target_id=result.target_id,
                deleted=result.deleted,
                error=result.error,
                duration_ms=ms,
            )
        )
    return out


def send(connector: Connector, claims: Sequence[Claim], pool: ThreadPoolExecutor) -> list[Outcome]:
    """Push what needs pushing, ``connector.max_batch`` records a call, calls in parallel
    on ``pool``; one outcome per claim ("failed" ones are classified by :func:`settle`)."""
    outcomes: list[Outcome] = []
    due: list[Claim] = []
    for claim in claims:
        done = _without_call(claim)
        if done is None:
            due.append(claim)
        else:
            outcomes.append(done)
    size = max(1, connector.max_batch)
    batches = [due[i : i + size] for i in range(0, len(due), size)]
    for part in pool.map(lambda b: _push(connector, b), batches):
        outcomes.extend(part)
    return outcomes


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
    if outcome.kind in ("delivered", "skipped"):
        newer = int(d["wanted_version"]) > outcome.version
        return base | {
            "state": "pending" if newer else "delivered",
            "delivered_version": outcome.version,
            "delivered_hash": outcome.state_hash,
            "delivered_at": now,
            "failures": 0,
            "force": False,
            "last_error": None,
            "next_attempt_at": now,
        }
    error = outcome.error.as_dict() if outcome.error else None
    if outcome.kind == "dead":
        return base | {
            "state": "dead",
            "failures": outcome.extra.get("failures", 0),
            "last_error": error,
        }
    delay = timedelta(seconds=float(outcome.extra.get("delay", 1.0)))
    return base | {
        "state": "pending",
        "failures": outcome.extra["failures"],
        "last_error": error,
        "next_attempt_at": now + delay,
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
    """A record refused because the target lacks its parent: queue the parent now."""
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
                "parent_golden_id": (row["attributes"] or {}).get("parent"),
                "wanted_version": row["version"],
                "correlation_id": None,
                "changed_at": now,
                "now": now,
            }
            for gid, row in parents.items()
        ]
    )


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
    target gave, and pause the whole target on a target-wide refusal."""
    for outcome in outcomes:
        _classify(outcome, policy)
    uow.deliveries.finish(worker, [_update(o, now) for o in outcomes])
    uow.deliveries.record_attempts([_attempt(o, target["name"], now) for o in outcomes])
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
    pauses = [o for o in outcomes if o.error is not None and o.error.scope == "target"]
    if pauses:
        delay = max(float(o.extra.get("delay", 1.0)) for o in pauses)
        errors = [o.error for o in pauses if o.error is not None]
        error = next((e for e in errors if not e.retryable), errors[0])
        reason = error.message if error.retryable else UNUSABLE + error.message
        uow.targets.pause(target["name"], until=now + timedelta(seconds=delay), reason=reason[:500])
    _parents_first(uow, target["name"], outcomes, now)
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
        observe_delivery(target, kind, n)
    if counts.get("dead"):
        observe_dead_letter(target, counts["dead"])
