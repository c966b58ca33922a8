"""``mdm targets add|list|remove``, ``mdm sync replay`` and ``mdm worker --once`` as an
operator runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mdm.cli import app
from mdm.settings import get_settings
from tests.conftest import ADMIN_KEY, TEST_SECRET_KEY
from tests.helpers import put_ok
from tests.standins.fixtures import TOKEN
from tests.sync.hub import add_target

# what NetSuite's default readiness rules ask of a customer: a billing address and payment terms
# (a US company needs no tax id)
INITECH = {
    "kind": "organization",
    "name": "Initech",
    "payment_terms": "Net 30",
    "address": {"line1": "4120 Freidrich Ln", "city": "Austin", "country": "US"},
}


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("MDM_DATABASE_URL", database_url)
    monkeypatch.setenv("MDM_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_an_operator_adds_a_target_delivers_lists_and_removes_it(
    cli: CliRunner, client: TestClient, standins: Any
) -> None:
    running = standins("netsuite")
    gid = put_ok(client, "erp/customer/E1", INITECH)["golden_id"]

    added = cli.invoke(
        app,
        [
            "targets",
            "add",
            "ns",
            "--kind",
            "netsuite",
            "--base-url",
            running.url,
            "--token",
            TOKEN,
            "--source",
            "erp",
            "--option",
            "on_merge=delete",
        ],
    )
    once = cli.invoke(app, ["worker", "--once"])
    listed = cli.invoke(app, ["targets", "list", "--json"])
    removed = cli.invoke(app, ["targets", "remove", "ns"])
    again = cli.invoke(app, ["targets", "remove", "ns"])

    assert added.exit_code == 0, added.output
    assert "added target 'ns' (netsuite)" in added.output
    assert once.exit_code == 0, once.output
    assert running.app.customer(gid)["companyName"] == "Initech"
    [target] = json.loads(listed.output)
    assert (target["name"], target["delivered"], target["options"]["on_merge"]) == (
        "ns",
        1,
        "delete",
    )
    assert TOKEN not in listed.output
    assert removed.exit_code == 0 and "removed target 'ns'" in removed.output
    assert again.exit_code == 2 and "no sync target 'ns'" in again.output


def test_a_bad_target_from_the_command_line_names_the_problem(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "targets",
            "add",
            "x1",
            "--kind",
            "hubspot",
            "--base-url",
            "https://h.example",
            "--token",
            "t",
        ],
    )

    assert result.exit_code == 2
    assert "/kind" in result.output


def test_replay_from_the_command_line_redrives_dead_letters(
    cli: CliRunner, client: TestClient, standins: Any
) -> None:
    running = standins("stripe")
    add = ["targets", "add", "st", "--kind", "stripe", "--base-url", running.url]
    cli.invoke(app, [*add, "--token", TOKEN, "--source", "billing"])
    put_ok(client, "billing/customer/B1", {"kind": "organization", "name": "Hooli"})
    running.app.inject("status", status=400, times=1)  # Stripe refuses the request once
    cli.invoke(app, ["worker", "--once"])
    dead = client.get("/api/v1/sync/deliveries", params={"state": "dead"}).json()["items"]

    replayed = cli.invoke(app, ["sync", "replay", "--target", "st", "--state", "dead"])
    cli.invoke(app, ["worker", "--once"])

    assert [d["last_error"]["retryable"] for d in dead] == [False]
    assert replayed.exit_code == 0 and "replaying 1 deliveries" in replayed.output
    delivered = client.get("/api/v1/sync/deliveries", params={"state": "delivered"}).json()
    assert delivered["total"] == 1
    assert len(running.app.live_customers(delivered["items"][0]["golden_id"])) == 1


def test_a_worker_serves_its_delivery_counters_on_its_metrics_port(
    database_url: str, client: TestClient, standins: Any, container: Any
) -> None:
    running = standins("netsuite")
    add_target(client, running)
    put_ok(client, "erp/customer/E1", INITECH)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    container.engine.dispose()
    env = os.environ | {
        "MDM_DATABASE_URL": database_url,
        "MDM_SECRET_KEY": TEST_SECRET_KEY,
        "MDM_ADMIN_API_KEY": ADMIN_KEY,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "mdm.cli", "worker", "--metrics-port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    delivered = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not delivered:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            except httpx.TransportError:
                text = ""
            delivered = "\n".join(
                line for line in text.splitlines() if line.startswith("mdm_deliveries_total{")
            )
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(20)

    assert 'state="delivered"' in delivered, delivered
    assert delivered.rstrip().endswith(" 1.0"), delivered
