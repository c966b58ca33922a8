"""Crashes lose nothing and duplicate nothing: ``kill -9`` of a worker (three ``mdm worker``
processes on PostgreSQL) or of the embedded hub (``mdm serve`` on SQLite) in the middle of
delivering; every golden record ends up at every target exactly once (counted by external
id), with its latest state."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from canonical.commands import IngestItem, IngestRecords
from mdm.bootstrap import Container
from tests.conftest import ADMIN_KEY, TEST_SECRET_KEY
from tests.sync.hub import add_target

KINDS = ("salesforce", "stripe", "netsuite", "zendesk")
RECORDS = 120


def _customer(n: int, version: int = 1) -> dict[str, Any]:
    return {
        "kind": "organization",
        "name": f"Crashtest {n:04d} Industries v{version}",
        "tax_id": f"DE{100000000 + n}",
        # what NetSuite's default readiness rules ask before it takes a customer
        "payment_terms": "Net 30",
        "address": {"line1": f"{n} Hauptstr.", "city": "Berlin", "country": "DE"},
    }


def _load(container: Container, version: int, numbers: range) -> None:
    items = tuple(IngestItem(f"E{n}", _customer(n, version)) for n in numbers)
    container.bus.handle(IngestRecords("erp", "customer", items, f"load-v{version}"))


def _settled(container: Container) -> bool:
    """Every delivery is delivered at its golden record's current version."""

    def read(uow: Any) -> bool:
        total, rows = uow.deliveries.page(
            target=None, state=None, golden_id=None, limit=10_000, offset=0
        )
        if total != RECORDS * len(KINDS):
            return False
        versions = uow.goldens.for_update([r["golden_id"] for r in rows], lock=False)
        return all(
            r["state"] == "delivered"
            and r["delivered_version"] == versions[r["golden_id"]]["version"]
            for r in rows
        )

    return bool(container.bus.query(read))


def _states(container: Container) -> dict[str, int]:
    rows = container.bus.query(
        lambda uow: uow.deliveries.page(
            target=None, state=None, golden_id=None, limit=10_000, offset=0
        )[1]
    )
    out: dict[str, int] = {}
    for r in rows:
        key = f"{r['target']}:{r['state']}"
        out[key] = out.get(key, 0) + 1
    return out


def _dead(container: Container) -> list[Any]:
    """The dead letters' last errors, to say why a run did not settle."""
    rows = container.bus.query(
        lambda uow: uow.deliveries.page(
            target=None, state="dead", golden_id=None, limit=20, offset=0
        )[1]
    )
    return [(r["target"], r["golden_id"], r.get("attempts"), r.get("last_error")) for r in rows]


def _wait(condition: Callable[[], bool], timeout: float, what: str, container: Container) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}: {_states(container)}; {_dead(container)}")


def _delivered(container: Container) -> int:
    return int(
        container.bus.query(
            lambda uow: uow.deliveries.page(
                target=None, state="delivered", golden_id=None, limit=1, offset=0
            )[0]
        )
    )


def _assert_each_target_holds_each_record_once(
    running: dict[str, Any], container: Container
) -> None:
    ids = container.bus.query(
        lambda uow: sorted(
            r["golden_id"]
            for r in uow.deliveries.page(
                target="salesforce", state=None, golden_id=None, limit=10_000, offset=0
            )[1]
        )
    )
    assert len(ids) == RECORDS
    for kind, standin in running.items():
        assert standin.app.duplicates() == {}, kind
        assert sorted(standin.app.counts()) == sorted(
            i.lower() if kind == "zendesk" else i for i in ids
        ), kind


def _env(database_url: str, **extra: str) -> dict[str, str]:
    return os.environ | {
        "MDM_DATABASE_URL": database_url,
        "MDM_SECRET_KEY": TEST_SECRET_KEY,
        "MDM_SYNC_LEASE_SECONDS": "2",
        "MDM_SYNC_RECONCILE_SECONDS": "3600",
        "MDM_ADMIN_API_KEY": ADMIN_KEY,
        **extra,
    }


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mdm.cli", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def slow_targets(client: TestClient, standins: Any) -> Iterator[dict[str, Any]]:
    """All four stand-ins answering every call after 20 ms, so a kill lands mid-batch."""
    running = {kind: standins(kind) for kind in KINDS}
    for standin in running.values():
        add_target(client, standin)
        standin.app.inject("slow", delay=0.02, times=100_000)
    yield running
    for standin in running.values():
        standin.app.release()


def test_kill_9_of_a_worker_among_three_loses_and_duplicates_nothing(
    backend: str,
    database_url: str,
    container: Container,
    slow_targets: dict[str, Any],
) -> None:
    if backend != "postgresql":
        pytest.skip("several worker processes claim work on PostgreSQL (MDM_DATABASE_URL)")
    _load(container, 1, range(RECORDS))
    env = _env(database_url)
    workers = [_start(["worker"], env) for _ in range(3)]
    try:
        _wait(lambda: _delivered(container) >= 40, 90, "the first deliveries", container)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        _load(container, 2, range(0, RECORDS, 3))  # newer versions while one worker is dead
        workers.append(_start(["worker"], env))

        _wait(lambda: _settled(container), 180, "every delivery to settle", container)
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(20)

    _assert_each_target_holds_each_record_once(slow_targets, container)
    account = slow_targets["salesforce"].app
    assert all(
        a["Name"].endswith("v2") == (int(a["Name"].split()[1]) % 3 == 0) for a in account.records()
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kill_9_of_the_embedded_hub_mid_delivery_loses_and_duplicates_nothing(
    backend: str,
    database_url: str,
    container: Container,
    slow_targets: dict[str, Any],
) -> None:
    if backend != "sqlite":
        pytest.skip("the embedded hub runs its dispatcher inside mdm serve on SQLite")
    _load(container, 1, range(RECORDS))
    container.engine.dispose()
    env = _env(database_url)
    hub = _start(["serve", "--no-demo", "--port", str(_free_port())], env)
    try:
        _wait(lambda: _delivered(container) >= 40, 90, "the first deliveries", container)
        hub.send_signal(signal.SIGKILL)
        hub.wait(10)
        _load(container, 2, range(0, RECORDS, 3))
        hub = _start(["serve", "--no-demo", "--port", str(_free_port())], env)

        _wait(lambda: _settled(container), 180, "every delivery to settle", container)
    finally:
        if hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
        hub.wait(20)

    _assert_each_target_holds_each_record_once(slow_targets, container)
