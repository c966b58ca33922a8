"""``mdm serve --workers 2`` on one database (the embedded SQLite file too): both API
processes read and write, two writers at once (one on each process) lose nothing, and
the one dispatcher, in the parent process, delivers each change once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from tests.conftest import ADMIN_KEY, TEST_SECRET_KEY
from tests.sync.hub import add_target

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
PER_WRITER = 15
BY_ID = "query($id: ID!) { customer(id: $id) { id attributes { name } } }"


def _customer(n: int) -> dict[str, Any]:
    return {
        "kind": "organization",
        "name": f"Twoproc {n:04d} Industries",
        "tax_id": f"DE{300000000 + n}",
        "payment_terms": "Net 30",
        "address": {"line1": f"{n} Ringstr.", "city": "Hamburg", "country": "DE"},
    }


def _children(pid: int) -> list[int]:
    """The uvicorn worker processes under ``pid`` (spawned, so each runs spawn_main)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return sorted(found)


@contextmanager
def _hub(database_url: str, log: Path) -> Iterator[tuple[str, list[int]]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "MDM_DATABASE_URL": database_url,
        "MDM_ADMIN_API_KEY": ADMIN_KEY,
        "MDM_SECRET_KEY": TEST_SECRET_KEY,
        "MDM_DISPATCHER": "inline",  # the embedded dispatcher on PostgreSQL as well
        "MDM_SYNC_RECONCILE_SECONDS": "3600",
    }
    args = ["serve", "--no-demo", "--port", str(port), "--workers", "2"]
    with log.open("wb") as err:
        hub = subprocess.Popen(
            [sys.executable, "-m", "mdm.cli", *args], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(hub.pid)) < 2 or not _live(base):
            if hub.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mdm serve --workers 2 did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, workers
    finally:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(20)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait()


def _live(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health/live", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextmanager
def _connected_to(base: str, serving: int, paused: int) -> Iterator[httpx.Client]:
    """A keep-alive client whose one connection the ``serving`` process accepted: the
    other one is paused (SIGSTOP) while the connection is made."""
    http = httpx.Client(
        base_url=base, headers=AUTH, timeout=60, limits=httpx.Limits(max_connections=1)
    )
    os.kill(paused, signal.SIGSTOP)
    try:
        assert http.get("/health/live").status_code == 200
    finally:
        os.kill(paused, signal.SIGCONT)
    try:
        yield http
    finally:
        http.close()


def _write(http: httpx.Client, numbers: range, failures: list[str]) -> None:
    for n in numbers:
        r = http.put(f"/api/v1/sources/erp/customer/E{n}", json=_customer(n))
        if r.status_code not in (200, 201):
            failures.append(f"E{n}: {r.status_code} {r.text[:200]}")


def _golden_ids(container: Container) -> list[str]:
    def read(uow: Any) -> list[str]:
        return sorted(
            uow.records.golden_of("erp", "customer", f"E{n}") for n in range(2 * PER_WRITER)
        )

    return list(container.bus.query(read))


def _delivered(container: Container) -> list[dict[str, Any]]:
    return list(
        container.bus.query(
            lambda uow: uow.deliveries.page(
                target="salesforce", state="delivered", golden_id=None, limit=1000, offset=0
            )[1]
        )
    )


def test_two_api_processes_read_and_write_one_database_and_deliver_each_change_once(
    database_url: str,
    container: Container,
    client: TestClient,
    standins: Any,
    tmp_path: Path,
) -> None:
    target = standins("salesforce")
    add_target(client, target)
    container.engine.dispose()  # the hub's processes open the database on their own

    with _hub(database_url, tmp_path / "serve.log") as (base, (one, two)):
        # given one keep-alive connection on each API process
        with (
            _connected_to(base, one, paused=two) as first,
            _connected_to(base, two, paused=one) as second,
        ):
            # when both write at once, each through its own process
            failures: list[str] = []
            writers = [
                threading.Thread(target=_write, args=(http, numbers, failures))
                for http, numbers in (
                    (first, range(PER_WRITER)),
                    (second, range(PER_WRITER, 2 * PER_WRITER)),
                )
            ]
            for w in writers:
                w.start()
            for w in writers:
                w.join(120)
            assert failures == []

            # then every record reads back through either process, REST and GraphQL
            ids = _golden_ids(container)
            assert len(set(ids)) == 2 * PER_WRITER
            for http in (first, second):
                for gid in ids:
                    rest = http.get(f"/api/v1/golden/customer/{gid}")
                    assert rest.status_code == 200, rest.text
                    gql = http.post("/graphql", json={"query": BY_ID, "variables": {"id": gid}})
                    assert gql.status_code == 200 and gql.json()["data"]["customer"]["id"] == gid

        # and the one dispatcher delivers each new golden record once
        deadline = time.monotonic() + 120
        while len(_delivered(container)) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.3)
    delivered = _delivered(container)
    assert sorted(d["golden_id"] for d in delivered) == ids
    assert {d["delivered_version"] for d in delivered} == {1}
    assert target.app.duplicates() == {}
    assert sorted(target.app.counts()) == ids
    assert set(target.app.counts().values()) == {1}


def test_several_workers_on_an_in_memory_database_are_refused(tmp_path: Path) -> None:
    env = os.environ | {"MDM_DATABASE_URL": "sqlite://", "MDM_ADMIN_API_KEY": ADMIN_KEY}
    done = subprocess.run(
        [sys.executable, "-m", "mdm.cli", "serve", "--no-demo", "--workers", "2", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "in-memory SQLite database" in done.stderr
