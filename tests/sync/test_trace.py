"""Following a business transaction by its correlation id: from the request through
source-record versions, decisions, golden versions and outbox events to deliveries, and
every steward decision carrying the id of the request that made it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mdm.bootstrap import Container
from mdm.cli import app
from tests.sync.hub import add_target, dispatcher
from tests.test_stewardship import make_review

ACME = {"kind": "organization", "name": "Acme GmbH", "tax_id": "DE123456789"}


def _trace(client: TestClient, cid: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/trace/{cid}")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_trace_follows_a_record_from_the_request_to_the_target(
    client: TestClient, container: Container, standins: Any
) -> None:
    add_target(client, standins("netsuite"), readiness={})  # ACME lacks payment terms
    put = client.put(
        "/api/v1/sources/erp/customer/E1", json=ACME, headers={"X-Correlation-ID": "order-42"}
    )
    dispatcher(container).run_until_idle()

    items = _trace(client, "order-42")

    kinds = [i["kind"] for i in items]
    assert kinds == [
        "request",
        "source_record_version",
        "match_decision",
        "golden_version",
        "outbox_event",
        "delivery_attempt",
    ]
    request, version, _, golden, event, attempt = items
    assert (request["method"], request["path"]) == ("PUT", "/api/v1/sources/erp/customer/E1")
    assert request["command"] == "IngestRecords" and request["actor"] == "test admin"
    assert (version["source"], version["source_id"], version["version"]) == ("erp", "E1", 1)
    assert golden["golden_id"] == put.json()["golden_id"] == event["golden_id"]
    assert (attempt["target"], attempt["outcome"]) == ("netsuite", "delivered")
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)


def test_steward_decisions_carry_the_correlation_id_of_their_request(client: TestClient) -> None:
    task, _, _ = make_review(client)
    tid = task["id"]

    client.post(
        f"/api/v1/stewardship/tasks/{tid}/assign",
        json={"assignee": "dana"},
        headers={"X-Correlation-ID": "assign-1"},
    )
    client.post(
        f"/api/v1/stewardship/tasks/{tid}/defer", json={}, headers={"X-Correlation-ID": "defer-1"}
    )
    client.post(
        f"/api/v1/stewardship/tasks/{tid}/reject",
        json={"reason": "different companies"},
        headers={"X-Correlation-ID": "reject-1"},
    )

    for cid, action in (
        ("assign-1", "task_assigned"),
        ("defer-1", "task_deferred"),
        ("reject-1", "task_rejected"),
    ):
        items = _trace(client, cid)
        assert [i["kind"] for i in items] == ["request", "audit"], cid
        assert items[1]["action"] == action


def test_an_unknown_correlation_id_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/trace/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "nothing carries correlation id 'nothing-here'"


def test_mdm_trace_prints_the_same_story(cli_env: CliRunner, client: TestClient) -> None:
    client.put("/api/v1/sources/erp/customer/E1", json=ACME, headers={"X-Correlation-ID": "c-7"})

    out = cli_env.invoke(app, ["trace", "c-7"])
    missing = cli_env.invoke(app, ["trace", "nope"])

    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert [line.split()[1] for line in lines] == [
        "request",
        "source_record_version",
        "match_decision",
        "golden_version",
        "outbox_event",
    ]
    assert missing.exit_code == 2
