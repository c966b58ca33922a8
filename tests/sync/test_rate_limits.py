"""Rate limits to the letter (issue 22.3): once a target answers 429 or 503 with Retry-After,
or refuses for its concurrency limit, no new request goes to it until the window ends, from
this worker's batch in hand or from any other worker; only requests already on the wire may
arrive inside the window. The stand-ins log the arrival of every request, so each test counts
what arrived inside the window the target asked for."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from canonical.commands import IngestItem, IngestRecords
from mdm.bootstrap import Container
from mdm.db.types import utcnow
from mdm.db.uow import run_in_transaction
from sync.connectors import ErrorCode, RetryableError, build_connector
from sync.connectors.http import paused_by
from sync.dispatch import Policy
from sync.worker import Dispatcher
from tests.sync.hub import add_target, dispatcher
from tests.sync.outbound import outbound

# requests sent before the hub read the refusal may still arrive after it was answered
ON_THE_WIRE_S = 0.25
# each answer takes this long, so a batch takes longer to send than ON_THE_WIRE_S, and each
# other thread has at most a request or two on the wire when the hub reads the refusal
ANSWER_S = 0.02


def _load(container: Container, count: int) -> None:
    items = tuple(
        IngestItem(
            f"E{n}",
            {
                "kind": "organization",
                "name": f"Ratelimit {n:04d} Holdings",
                "tax_id": f"DE{300000000 + n}",
                "address": {"city": "Berlin", "country": "DE"},
            },
        )
        for n in range(count)
    )
    container.bus.handle(IngestRecords("erp", "customer", items, "rate-limits"))


def _target(client: TestClient, name: str) -> dict[str, Any]:
    shown: dict[str, Any] = client.get(f"/api/v1/sync/targets/{name}").json()
    return shown


def _deliver_all(d: Dispatcher, client: TestClient, name: str, timeout: float = 30.0) -> None:
    """Deliver until nothing is left, waiting out the pauses the target asks for."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d.run_until_idle()
        shown = _target(client, name)
        if shown["pending"] == shown["in_flight"] == shown["dead"] == 0:
            return
        if shown["dead"]:
            break
        time.sleep(0.05)
    raise AssertionError(f"not delivered: {_target(client, name)}")


def _slow(running: Any) -> None:
    running.app.inject("slow", delay=ANSWER_S, times=100_000)


def _refusals(requests: list[dict[str, Any]], status: int) -> list[dict[str, Any]]:
    return [r for r in requests if r.get("status") == status]


def _arrived(requests: list[dict[str, Any]], start: float, end: float) -> list[dict[str, Any]]:
    return [r for r in requests if start < r["at"] < end]


def test_after_a_429_no_new_request_arrives_until_retry_after_has_passed(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running, options={"concurrency": 4})
    _load(container, 120)
    running.app.inject("status", status=429, retry_after="1", after=20)
    _slow(running)
    d = dispatcher(container)

    _deliver_all(d, client, "zendesk")

    requests = list(running.app.requests)
    [refused] = _refusals(requests, 429)
    inside = _arrived(requests, refused["answered_at"] + ON_THE_WIRE_S, refused["answered_at"] + 1)
    assert inside == []
    assert len(_arrived(requests, refused["answered_at"], refused["answered_at"] + 1)) <= 2 * 3
    assert len(running.app.counts()) == 120 and running.app.duplicates() == {}
    shown = _target(client, "zendesk")
    assert (shown["delivered"], shown["dead"]) == (120, 0)


def test_the_rest_of_the_batch_is_not_sent_counted_or_dead_lettered(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running, options={"concurrency": 2})
    _load(container, 40)
    running.app.inject("status", status=429, retry_after="30", after=5)
    _slow(running)
    d = dispatcher(container)
    d.plan()

    claimed = d.deliver()

    sent = len(running.app.requests)
    assert claimed == 40 and sent <= 6 + 2  # the other thread's, on the wire
    shown = _target(client, "zendesk")
    assert (shown["pending"], shown["in_flight"], shown["dead"]) == (40 - sent + 1, 0, 0)
    assert shown["pause_reason"].startswith("Zendesk APIRateLimitExceeded")
    rows = container.bus.query(
        lambda uow: uow.deliveries.page(
            target="zendesk", state="pending", golden_id=None, limit=100, offset=0
        )[1]
    )
    assert {r["failures"] for r in rows} == {0}
    # a delivery that was not sent was not tried: its attempt is not counted
    assert sorted(r["attempts"] for r in rows).count(0) == 40 - sent
    assert d.deliver() == 0 and len(running.app.requests) == sent


def test_a_retry_after_given_as_an_http_date_is_honoured(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("salesforce")
    add_target(client, running, options={"concurrency": 3, "batch_size": 2})
    _load(container, 150)
    d = dispatcher(container)
    d.plan()
    until = email.utils.formatdate(time.time() + 2, usegmt=True)
    running.app.inject("status", status=503, retry_after=until, after=4, window=True)
    _slow(running)

    _deliver_all(d, client, "salesforce")

    requests = list(running.app.requests)
    refused = _refusals(requests, 503)[0]
    ends = email.utils.parsedate_to_datetime(until).timestamp()
    assert _arrived(requests, refused["answered_at"] + ON_THE_WIRE_S, ends) == []
    assert len(running.app.counts()) == 150 and running.app.duplicates() == {}
    assert _target(client, "salesforce")["dead"] == 0


def test_a_concurrency_refusal_without_retry_after_pauses_for_the_targets_option(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("netsuite")
    options = {"concurrency": 4, "concurrency_pause_s": 1.0}
    add_target(client, running, options=options, readiness={})  # no payment terms here
    _load(container, 60)
    running.app.inject("status", status=429, after=10)
    _slow(running)
    d = dispatcher(container)

    _deliver_all(d, client, "netsuite")

    requests = list(running.app.requests)
    [refused] = _refusals(requests, 429)
    inside = _arrived(requests, refused["answered_at"] + ON_THE_WIRE_S, refused["answered_at"] + 1)
    assert inside == []
    assert len(running.app.counts()) == 60


def test_a_429_without_retry_after_pauses_the_target_with_backoff(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("stripe")
    add_target(client, running, options={"concurrency": 4})
    _load(container, 40)
    running.app.inject("status", status=429, after=8)  # Stripe's rate_limit, no Retry-After
    _slow(running)
    d = dispatcher(container, backoff_base_s=0.8, backoff_cap_s=5.0)

    _deliver_all(d, client, "stripe")

    requests = list(running.app.requests)
    [refused] = _refusals(requests, 429)
    start = refused["answered_at"]
    assert _arrived(requests, start + ON_THE_WIRE_S, start + 0.8) == []
    assert len(running.app.counts()) == 40 and running.app.duplicates() == {}


def test_a_pause_one_worker_records_stops_another_workers_claims(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running, options={"concurrency": 2})
    _load(container, 30)
    running.app.inject("status", status=429, retry_after="30", window=True)
    policy = Policy(backoff_base_s=0.0, backoff_cap_s=0.0, batch=10)
    first = Dispatcher(container, worker_id="worker-a", policy=policy)
    second = Dispatcher(container, worker_id="worker-b", policy=policy)
    first.plan()

    first.deliver()
    sent = len(running.app.requests)
    refused_at = running.app.requests[0]["answered_at"]
    second_claimed = second.deliver()

    assert sent <= 2 and second_claimed == 0  # a second request may have been on the wire
    assert len(running.app.requests) == sent
    paused = container.bus.query(lambda uow: uow.targets.get("zendesk"))["paused_until"]
    assert paused.timestamp() >= refused_at + 30
    shown = _target(client, "zendesk")
    assert (shown["pending"], shown["dead"]) == (30, 0)


def test_a_pause_recorded_by_another_worker_stops_a_batch_in_hand(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running, options={"concurrency": 2})
    _load(container, 80)
    _slow(running)
    d = dispatcher(container)
    d.plan()
    paused_at: list[float] = []

    def pause_after(count: int) -> None:
        while len(running.app.requests) < count:
            time.sleep(0.005)
        paused_at.append(time.time())
        run_in_transaction(
            container.engine,
            lambda uow: uow.targets.pause(
                "zendesk", until=utcnow().replace(year=2100), reason="another worker got 429"
            ),
        )

    other = threading.Thread(target=pause_after, args=(10,))
    other.start()
    claimed = d.deliver()
    other.join()

    requests = list(running.app.requests)
    # what this worker sends after it reads the other's pause: none
    late = [r for r in requests if r["at"] > paused_at[0] + d.policy.pause_check_s + ON_THE_WIRE_S]
    assert claimed == 80 and late == []
    shown = _target(client, "zendesk")
    assert shown["dead"] == 0 and shown["pending"] == 80 - len(running.app.counts())


def test_a_connector_sends_nothing_while_its_target_is_paused(standins: Any) -> None:
    running = standins("zendesk")
    connector = build_connector(running.target())
    wait: Callable[[], float] = lambda: 12.5  # noqa: E731

    with paused_by(wait), pytest.raises(RetryableError) as held:
        connector.push([outbound("g-1")])

    assert (held.value.code, held.value.scope) == (ErrorCode.HELD, "target")
    assert held.value.retry_after == 12.5
    assert list(running.app.requests) == []
