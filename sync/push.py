"""Pushing claimed deliveries through a target's connector, calls in parallel, and stopping
all of them the moment the target asks for a pause (:mod:`sync.pause`).

A call whose target is paused is not made: its claims come back as ``held`` outcomes (a
``held`` error, see ``ErrorCode.HELD``), which :func:`sync.dispatch.settle` returns to
pending for when the pause ends, without counting a failure or an attempt. A call that
gets a target-wide refusal closes the pause for every other call of the batch and every
other thread at once; it is the refusal that says how long.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from sync.connectors import (
    Connector,
    DeliveryError,
    ErrorCode,
    OutboundRecord,
    PushResult,
    RetryableError,
)
from sync.connectors.http import paused_by
from sync.dispatch import Claim, Outcome, state_hash
from sync.pause import TargetPause

__all__ = ["send"]

log = logging.getLogger(__name__)


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
    """The outcome of a claim that needs no call: not ready for the target (held), gone,
    or already at the target."""
    d, g = claim.delivery, claim.golden
    if claim.not_ready is not None:
        return Outcome(claim, "not_ready", int(d["wanted_version"]), error=claim.not_ready.error())
    if g is None:
        error = DeliveryError("not_found", f"golden record '{d['golden_id']}' does not exist")
        return Outcome(claim, "dead", int(d["wanted_version"]), error=error)
    digest = state_hash(g)
    known = not d["force"] and d["delivered_version"] is not None
    if known and (g["version"] <= d["delivered_version"] or digest == d["delivered_hash"]):
        return Outcome(claim, "skipped", int(g["version"]), state_hash=digest)
    return None


def _call(connector: Connector, claims: Sequence[Claim], pause: TargetPause) -> list[PushResult]:
    """The connector's results for one call. A connector that raises anything but a
    DeliveryError (a bug, a record it cannot handle) fails these claims as a retryable
    ``unexpected`` error, so they back off, show the error and end as dead letters, instead
    of the whole round failing and every claim waiting out its lease again and again."""
    try:
        with paused_by(pause.wait_left):
            return connector.push([_record(c) for c in claims])
    except DeliveryError as exc:
        return [PushResult(c.delivery["golden_id"], error=exc) for c in claims]
    except Exception as exc:
        log.exception("the %s connector failed", connector.kind)
        error = RetryableError(
            ErrorCode.UNEXPECTED, f"the connector failed: {type(exc).__name__}: {exc}"[:500]
        )
        return [PushResult(c.delivery["golden_id"], error=error) for c in claims]


def _held(claims: Sequence[Claim], left: float) -> list[PushResult]:
    error = RetryableError(
        ErrorCode.HELD,
        f"not sent: the target asked for a pause ({left:.1f}s left)",
        retry_after=left,
        scope="target",
    )
    return [PushResult(c.delivery["golden_id"], error=error) for c in claims]


def _observe_pause(pause: TargetPause, results: Sequence[PushResult]) -> None:
    """Close the pause on a target-wide refusal (once per refusal: a call's refusal is every
    record's error); reset its backoff when a request went through."""
    if any(result.ok for result in results):
        pause.answered()
    refusals = {
        id(e): e
        for e in (result.error for result in results)
        if e is not None and e.scope == "target" and e.retryable and e.code != ErrorCode.HELD
    }
    for error in refusals.values():
        pause.refused(error)


def _push(connector: Connector, claims: Sequence[Claim], pause: TargetPause) -> list[Outcome]:
    """One call's outcomes ("failed" ones are classified by ``settle``); no call while the
    target is paused."""
    started = time.perf_counter()
    left = pause.wait_left()
    results = _held(claims, left) if left > 0 else _call(connector, claims, pause)
    _observe_pause(pause, results)
    until = pause.until()
    ms = (time.perf_counter() - started) * 1000 / max(1, len(claims))
    out = []
    for claim, result in zip(claims, results, strict=True):
        g = claim.golden
        assert g is not None
        outcome = Outcome(
            claim,
            "delivered" if result.error is None else "failed",
            int(g["version"]),
            state_hash=state_hash(g),
            target_id=result.target_id,
            deleted=result.deleted,
            error=result.error,
            duration_ms=ms,
        )
        if until is not None and result.error is not None and result.error.scope == "target":
            outcome.extra["until"] = until  # not before the target's window ends
        out.append(outcome)
    return out


def send(
    connector: Connector, claims: Sequence[Claim], pool: ThreadPoolExecutor, pause: TargetPause
) -> list[Outcome]:
    """Push what needs pushing, ``connector.max_batch`` records a call, calls in parallel
    on ``pool``, none while ``pause`` is closed; one outcome per claim."""
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
    for part in pool.map(lambda b: _push(connector, b, pause), batches):
        outcomes.extend(part)
    return outcomes
