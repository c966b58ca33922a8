"""Readiness rules per target: a golden customer a target cannot take yet is held for that
target only (nothing is sent to it), shown with what it lacks and given to a steward as a
task, and goes out on the change that makes it ready; rules are data on the target, checked
against the canonical schema."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mdm.bootstrap import Container
from mdm.cli import app
from mdm.db.types import utcnow
from mdm.db.uow import run_in_transaction
from mdm.settings import get_settings
from sync.dispatch import Claim, Outcome, settle, take
from sync.readiness_rules import DEFAULTS
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import put_ok
from tests.standins.fixtures import TOKEN
from tests.sync.hub import add_target, deliveries, dispatcher

ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "tax_id": "DE123456789",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}
READY = {**ACME, "payment_terms": "Net 30"}
WORKER = "test-worker"
NETSUITE_BODY = {"kind": "netsuite", "credentials": {"token": TOKEN}, "source": "erp"}


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("MDM_DATABASE_URL", database_url)
    monkeypatch.setenv("MDM_SECRET_KEY", TEST_SECRET_KEY)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def netsuite(client: TestClient, standins: Any) -> Any:
    """The NetSuite stand-in, the hub's target ``netsuite`` with its default readiness rules."""
    running = standins("netsuite")
    add_target(client, running)
    return running


def _put(client: TestClient, sid: str, body: dict[str, Any]) -> str:
    return str(put_ok(client, f"erp/customer/{sid}", body)["golden_id"])


def _puts(running: Any) -> list[str]:
    """The golden ids the NetSuite stand-in was asked to upsert, in order."""
    return [r["path"].rsplit(":", 1)[-1] for r in running.app.requests if r["method"] == "PUT"]


def _tasks(client: TestClient, status: str = "open") -> list[dict[str, Any]]:
    listed = client.get(
        "/api/v1/stewardship/tasks", params={"kind": "target_not_ready", "status": status}
    ).json()["items"]
    return [client.get(f"/api/v1/stewardship/tasks/{t['id']}").json() for t in listed]


def _target(client: TestClient, name: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/sync/targets/{name}")
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()
    return out


def test_a_customer_netsuite_cannot_take_is_held_there_only_with_its_reason_and_a_task(
    client: TestClient, container: Container, standins: Any
) -> None:
    netsuite, salesforce = standins("netsuite"), standins("salesforce")
    add_target(client, netsuite)
    add_target(client, salesforce)
    acme = _put(client, "E1", ACME)  # no payment terms

    dispatcher(container).run_until_idle()

    assert list(netsuite.app.requests) == []
    [held] = deliveries(client, state="held")
    assert (held["target"], held["golden_id"], held["missing"]) == (
        "netsuite",
        acme,
        ["payment_terms"],
    )
    assert held["last_error"]["code"] == "not_ready"
    assert "payment_terms" in held["last_error"]["message"]
    assert (held["attempts"], held["delivered_version"]) == (0, None)
    assert salesforce.app.account(acme)["Name"] == "Acme GmbH"
    assert [d["state"] for d in deliveries(client, target="salesforce")] == ["delivered"]
    [task] = _tasks(client)
    assert (task["golden_id"], task["entity_type"]) == (acme, "customer")
    assert task["explanation"]["target"] == "netsuite"
    assert task["explanation"]["missing"] == ["payment_terms"]
    assert (_target(client, "netsuite")["held"], _target(client, "netsuite")["pending"]) == (1, 0)
    assert _target(client, "salesforce")["held"] == 0


def test_the_change_that_makes_it_ready_releases_it_in_one_relay_pass_and_resolves_the_task(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    acme = _put(client, "E1", ACME)
    d = dispatcher(container)
    d.run_until_idle()
    _put(client, "E1", {**ACME, "address": {"city": "Berlin", "country": "DE"}})
    d.run_until_idle()  # still held, now for two reasons: one task, kept up to date
    [task] = _tasks(client)
    assert task["explanation"]["missing"] == ["address.line1", "payment_terms"]

    _put(client, "E1", READY)
    d.plan()  # one relay pass: pending again
    assert [x["state"] for x in deliveries(client, target="netsuite")] == ["pending"]
    d.deliver()  # one round: sent

    assert _puts(netsuite) == [acme]
    assert netsuite.app.customer(acme)["companyName"] == "Acme GmbH"
    [delivery] = deliveries(client, target="netsuite")
    assert (delivery["state"], delivery["missing"], delivery["last_error"]) == (
        "delivered",
        None,
        None,
    )
    assert _tasks(client) == []
    [resolved] = _tasks(client, "resolved")
    assert resolved["id"] == task["id"]
    assert resolved["decided_by"] == "sync" and "ready for netsuite" in resolved["reason"]


def test_a_held_parent_holds_its_children_until_it_goes_out_first(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    holding = {**ACME, "name": "Initech Holding AG", "tax_id": "DE811111111"}
    parent = _put(client, "P1", holding)  # no payment terms
    child = _put(client, "C1", {**READY, "name": "Initech Berlin GmbH", "parent": "P1"})
    d = dispatcher(container)

    d.run_until_idle()

    assert list(netsuite.app.requests) == []
    held = {x["golden_id"]: x for x in deliveries(client, state="held")}
    assert held[parent]["missing"] == ["payment_terms"]
    assert held[child]["missing"] == ["parent_delivered"]
    assert parent in held[child]["last_error"]["message"]
    assert {t["golden_id"] for t in _tasks(client)} == {parent, child}

    _put(client, "P1", {**holding, "payment_terms": "Net 30"})
    d.run_until_idle()

    assert _puts(netsuite) == [parent, child]
    assert netsuite.app.customer(child)["parent"]["externalId"] == parent
    assert {x["state"] for x in deliveries(client, target="netsuite")} == {"delivered"}
    assert _tasks(client) == []


def test_a_tax_id_is_required_of_organizations_where_the_country_issues_one(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    us = {"line1": "1 Main St", "city": "Austin", "country": "US"}
    german = _put(client, "E1", {k: v for k, v in READY.items() if k != "tax_id"})
    american = _put(client, "E2", {**READY, "tax_id": None, "address": us} | {"name": "Acme Inc"})
    person = _put(
        client,
        "E3",
        {
            "kind": "person",
            "first_name": "Ann",
            "last_name": "Lee",
            "payment_terms": "Net 30",
            "address": ACME["address"],
        },
    )

    dispatcher(container).run_until_idle()

    [held] = deliveries(client, state="held")
    assert (held["golden_id"], held["missing"]) == (german, ["tax_id"])
    assert sorted(_puts(netsuite)) == sorted([american, person])


def test_rules_are_stored_shown_and_the_kinds_have_documented_defaults(
    client: TestClient, standins: Any
) -> None:
    netsuite, stripe = standins("netsuite"), standins("stripe")
    add_target(client, stripe)
    add_target(client, netsuite)
    rules = {
        "customer": {
            "required": ["tax_id", "payment_terms", "address.line1", "extensions.erp_terms"],
            "parent_delivered": True,
        }
    }

    assert _target(client, "stripe")["readiness"] == DEFAULTS["stripe"] == {}
    assert _target(client, "netsuite")["readiness"] == DEFAULTS["netsuite"]
    replaced = client.put(
        "/api/v1/sync/targets/netsuite",
        json={**NETSUITE_BODY, "base_url": netsuite.url, "readiness": rules},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["readiness"] == rules
    assert _target(client, "netsuite")["readiness"] == rules
    none = client.put(
        "/api/v1/sync/targets/netsuite",
        json={**NETSUITE_BODY, "base_url": netsuite.url, "readiness": {}},
    )
    assert none.json()["readiness"] == {}


def test_bad_rules_are_a_422_naming_the_place_and_nothing_is_written(
    client: TestClient, standins: Any
) -> None:
    netsuite = standins("netsuite")
    rules = {"customer": {"required": ["payment_terms"]}}
    add_target(client, netsuite, readiness=rules)
    body = {**NETSUITE_BODY, "base_url": netsuite.url}
    bad = {
        "/readiness": ["payment_terms"],
        "/readiness/widget": {"widget": {"required": []}},
        "/readiness/customer/required/1": {"customer": {"required": ["tax_id", "payment_term"]}},
        "/readiness/customer/required/0": {"customer": {"required": ["address.street"]}},
        "/readiness/customer/required": {"customer": {"required": "tax_id"}},
        "/readiness/customer/parent_delivered": {"customer": {"parent_delivered": "yes"}},
        "/readiness/customer/deadline": {"customer": {"deadline": 3}},
        "/readiness/customer/required/0/when/address.county": {
            "customer": {"required": [{"path": "tax_id", "when": {"address.county": ["DE"]}}]}
        },
        "/readiness/customer/required/0/when/kind": {
            "customer": {"required": [{"path": "tax_id", "when": {"kind": "organization"}}]}
        },
    }

    for pointer, readiness in bad.items():
        refused = client.put("/api/v1/sync/targets/netsuite", json={**body, "readiness": readiness})
        created = client.put("/api/v1/sync/targets/other", json={**body, "readiness": readiness})

        assert refused.status_code == 422, (pointer, refused.text)
        error = refused.json()["error"]
        assert [e["pointer"] for e in error["errors"]] == [pointer], error
        assert created.status_code == 422
    stored = {"customer": {"required": ["payment_terms"], "parent_delivered": False}}
    assert _target(client, "netsuite")["readiness"] == stored
    assert client.get("/api/v1/sync/targets/other").status_code == 404
    unknown = client.put(
        "/api/v1/sync/targets/netsuite", json={**body, "readiness": bad["/readiness/widget"]}
    )
    assert "widget" in unknown.json()["error"]["message"]


def test_changing_a_targets_rules_checks_its_held_and_pending_deliveries_again(
    client: TestClient, container: Container, standins: Any
) -> None:
    netsuite, zendesk = standins("netsuite"), standins("zendesk")
    add_target(client, netsuite)
    add_target(client, zendesk)
    acme = _put(client, "E1", ACME)
    d = dispatcher(container)
    d.run_until_idle()
    assert [x["golden_id"] for x in deliveries(client, state="held")] == [acme]
    body = {**NETSUITE_BODY, "base_url": netsuite.url}

    loosened = {"customer": {"required": ["address.line1"]}}
    assert client.put("/api/v1/sync/targets/netsuite", json={**body, "readiness": loosened})
    assert [x["state"] for x in deliveries(client, target="netsuite")] == ["pending"]
    # stricter rules for Zendesk hold the next change there (it has this version already)
    zendesk_body = {
        "kind": "zendesk",
        "base_url": zendesk.url,
        "credentials": {"token": TOKEN, "email": "agent@example.com"},
        "source": "support",
        "readiness": {"customer": {"required": ["website"]}},
    }
    assert client.put("/api/v1/sync/targets/zendesk", json=zendesk_body).status_code == 200
    sent_to_zendesk = len(zendesk.app.requests)
    globex = _put(client, "E2", {**READY, "name": "Globex AG", "tax_id": "DE987654321"})
    d.run_until_idle()

    assert sorted(_puts(netsuite)) == sorted([acme, globex])
    # Acme's NetSuite task is resolved, Globex has one for Zendesk
    assert [(t["golden_id"], t["explanation"]["target"]) for t in _tasks(client)] == [
        (globex, "zendesk")
    ]
    assert [t["golden_id"] for t in _tasks(client, "resolved")] == [acme]
    [held] = deliveries(client, state="held")
    assert (held["target"], held["golden_id"], held["missing"]) == ("zendesk", globex, ["website"])
    assert len(zendesk.app.requests) == sent_to_zendesk


def test_replay_and_dead_letters_work_as_before_and_a_replayed_held_record_stays_held(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    acme = _put(client, "E1", ACME)
    globex = _put(client, "E2", {**READY, "name": "Globex AG", "tax_id": "DE987654321"})
    netsuite.app.inject("status", status=400, code="USER_ERROR", path=f"eid:{globex}")
    d = dispatcher(container)
    d.run_until_idle()
    assert [x["golden_id"] for x in deliveries(client, state="dead")] == [globex]
    assert [x["golden_id"] for x in deliveries(client, state="held")] == [acme]

    dead = client.post("/api/v1/sync/replay", json={"target": "netsuite", "state": "dead"})
    held = client.post("/api/v1/sync/replay", json={"golden_id": acme})
    d.run_until_idle()

    assert (dead.json()["replayed"], held.json()["replayed"]) == (1, 1)
    assert _puts(netsuite).count(acme) == 0
    assert netsuite.app.customer(globex) is not None
    states = {x["golden_id"]: x["state"] for x in deliveries(client, target="netsuite")}
    assert states == {acme: "held", globex: "delivered"}
    assert len(_tasks(client)) == 1


def test_removing_a_target_resolves_its_readiness_tasks(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    _put(client, "E1", ACME)
    dispatcher(container).run_until_idle()
    [task] = _tasks(client)

    assert client.delete("/api/v1/sync/targets/netsuite").status_code == 200

    assert _tasks(client) == []
    assert [t["id"] for t in _tasks(client, "resolved")] == [task["id"]]


def test_held_deliveries_are_counted_in_the_queue_gauge(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    _put(client, "E1", ACME)
    dispatcher(container).run_until_idle()

    text = client.get("/metrics").text

    assert 'mdm_delivery_queue{state="held",target="netsuite"} 1.0' in text
    assert 'mdm_steward_tasks_open{entity_type="customer",kind="target_not_ready"} 1.0' in text


def test_the_command_line_sets_rules_from_a_file_and_lists_held_records(
    cli: CliRunner, client: TestClient, standins: Any, tmp_path: Path
) -> None:
    netsuite = standins("netsuite")
    rules = tmp_path / "readiness.json"
    rules.write_text(json.dumps({"customer": {"required": ["website"]}}))
    add = ["targets", "add", "ns", "--kind", "netsuite", "--base-url", netsuite.url]
    added = cli.invoke(app, [*add, "--token", TOKEN, "--readiness", str(rules)])
    _put(client, "E1", READY)  # NetSuite's defaults are met, this target's rule is not

    once = cli.invoke(app, ["worker", "--once"])
    listed = cli.invoke(app, ["targets", "list"])

    assert added.exit_code == 0, added.output
    assert once.exit_code == 0, once.output
    assert _target(client, "ns")["readiness"] == {
        "customer": {"required": ["website"], "parent_delivered": False}
    }
    [held] = deliveries(client, state="held")
    assert held["missing"] == ["website"]
    assert list(netsuite.app.requests) == []
    header, row = listed.output.splitlines()
    assert header.split()[6] == "held" and row.split()[5] == "1"  # "in flight" is two words


def _claim_then_change(
    client: TestClient, container: Container, first: dict[str, Any], second: dict[str, Any]
) -> tuple[str, Any, Claim]:
    """E1 put as ``first`` and claimed for NetSuite by a test worker; then E1 changed to
    ``second`` and planned, so the relay raises the claimed delivery's version while it is
    in flight. Returns the golden id, the dispatcher and the claim."""
    golden_id = _put(client, "E1", first)
    d = dispatcher(container)
    d.plan()
    [claim] = run_in_transaction(
        container.engine,
        lambda uow: take(uow, "netsuite", worker=WORKER, now=utcnow(), policy=d.policy),
    )
    _put(client, "E1", second)
    d.plan()  # the relay raises the claimed delivery's version and leaves it to its worker
    return golden_id, d, claim


def _settle(container: Container, d: Any, outcome: Outcome) -> None:
    run_in_transaction(
        container.engine,
        lambda uow: settle(
            uow,
            uow.targets.get("netsuite") or {},
            [outcome],
            worker=WORKER,
            now=utcnow(),
            policy=d.policy,
        ),
    )


def test_a_fix_planned_while_the_unready_record_is_claimed_is_not_lost(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    acme, d, claim = _claim_then_change(client, container, ACME, READY)
    assert claim.not_ready is not None and claim.not_ready.missing == ("payment_terms",)

    _settle(container, d, Outcome(claim, "not_ready", 1, error=claim.not_ready.error()))

    assert [x["state"] for x in deliveries(client, target="netsuite")] == ["pending"]
    d.run_until_idle()
    assert _puts(netsuite) == [acme]
    assert _tasks(client) == []


def test_a_newer_version_planned_while_a_delivery_is_in_flight_goes_out_after_it(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    renamed = {**READY, "name": "Acme Group GmbH"}
    acme, d, claim = _claim_then_change(client, container, READY, renamed)
    assert claim.not_ready is None and claim.golden is not None

    _settle(container, d, Outcome(claim, "delivered", 1, state_hash="sent-v1"))

    [row] = deliveries(client, target="netsuite")
    assert row["state"] == "pending" and row["delivered_version"] == 1
    d.run_until_idle()
    assert _puts(netsuite) == [acme]  # the stand-in saw only the second version go out
    [row] = deliveries(client, target="netsuite")
    assert row["state"] == "delivered" and row["delivered_version"] == 2


def test_a_newer_version_planned_while_the_last_attempt_was_in_flight_outlives_a_dead_letter(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    renamed = {**READY, "name": "Acme Group GmbH"}
    acme, d, claim = _claim_then_change(client, container, READY, renamed)

    # the first version's last attempt failed for good while the second was planned
    _settle(container, d, Outcome(claim, "dead", 1))

    [row] = deliveries(client, target="netsuite")
    assert row["state"] == "pending" and row["failures"] == 0
    d.run_until_idle()
    assert _puts(netsuite) == [acme]
    [row] = deliveries(client, target="netsuite")
    assert row["state"] == "delivered" and row["delivered_version"] == 2


def test_a_running_dispatcher_sends_a_held_record_once_a_change_completes_it(
    client: TestClient, container: Container, netsuite: Any
) -> None:
    acme = _put(client, "E1", ACME)
    running = dispatcher(container)
    running.start()
    try:
        _wait(lambda: [x["state"] for x in deliveries(client, target="netsuite")] == ["held"])

        _put(client, "E1", READY)

        _wait(lambda: _puts(netsuite) == [acme])
    finally:
        running.stop()
    assert [x["state"] for x in deliveries(client, target="netsuite")] == ["delivered"]
    assert _tasks(client) == []


def _wait(done: Any, timeout: float = 30.0) -> None:
    """Until ``done()`` (the threads' own pace; the bound only stops a broken run)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.02)


def test_rules_for_products_and_prices_are_checked_against_their_own_schemas(
    client: TestClient, standins: Any
) -> None:
    netsuite = standins("netsuite")
    body = {**NETSUITE_BODY, "base_url": netsuite.url}
    good = {"product": {"required": ["gtin", "unit"]}, "price": {"required": ["price_book"]}}
    bad = {"product": {"required": ["unit_amount"]}}  # a price's attribute, not a product's

    stored = client.put("/api/v1/sync/targets/netsuite", json={**body, "readiness": good})
    refused = client.put("/api/v1/sync/targets/netsuite", json={**body, "readiness": bad})

    assert stored.status_code == 201, stored.text
    assert stored.json()["readiness"]["price"] == {
        "required": ["price_book"],
        "parent_delivered": False,
    }
    assert refused.status_code == 422
    assert refused.json()["error"]["errors"][0]["pointer"] == "/readiness/product/required/0"
    assert "not an attribute of product" in refused.json()["error"]["message"]
    assert _target(client, "netsuite")["readiness"]["product"]["required"] == ["gtin", "unit"]
