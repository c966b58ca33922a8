"""Outbound sync end to end: golden changes in the hub reach stand-in targets that speak
the real APIs, in order, once, through faults; failures become dead letters that can be
replayed; a target's own records come back through the crosswalk without an echo."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from mdm.bootstrap import Container
from tests.helpers import counts, put_ok
from tests.standins.fixtures import TOKEN
from tests.sync.hub import add_target, deliveries, dispatcher

ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "tax_id": "DE123456789",
    "phone": "+49 30 1234567",
    "website": "https://www.acme.example",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}
GLOBEX = {
    "kind": "organization",
    "name": "Globex Handels GmbH",
    "tax_id": "DE987654321",
    "address": {"city": "Hamburg", "country": "DE"},
}


def _put(client: TestClient, sid: str, body: dict[str, Any], source: str = "erp") -> str:
    return str(put_ok(client, f"{source}/customer/{sid}", body)["golden_id"])


def test_a_target_is_configured_shown_without_its_token_and_removed(
    client: TestClient, standins: Any
) -> None:
    running = standins("salesforce")
    add_target(client, running, "sf", rate_limit_per_s=50, options={"on_merge": "delete"})

    [shown] = client.get("/api/v1/sync/targets").json()["targets"]

    assert shown["name"] == "sf" and shown["kind"] == "salesforce"
    assert shown["credentials"] == {"configured": True}
    assert "test-token" not in str(shown)
    assert shown["options"]["on_merge"] == "delete"
    assert (shown["pending"], shown["in_flight"], shown["dead"], shown["lag_seconds"]) == (
        0,
        0,
        0,
        0,
    )
    assert client.delete("/api/v1/sync/targets/sf").status_code == 200
    assert client.get("/api/v1/sync/targets").json()["targets"] == []
    assert client.delete("/api/v1/sync/targets/sf").status_code == 404


def test_a_bad_target_is_refused_naming_the_field_and_nothing_is_stored(
    client: TestClient, client_as: Any, engine: Engine
) -> None:
    bad = {"kind": "hubspot", "base_url": "https://x.example", "credentials": {"token": "t"}}

    refused = client.put("/api/v1/sync/targets/crm-out", json=bad)
    no_token = client.put(
        "/api/v1/sync/targets/crm-out",
        json={"kind": "stripe", "base_url": "https://x.example", "credentials": {}},
    )
    not_admin = client_as("steward").put("/api/v1/sync/targets/crm-out", json=bad)

    assert refused.status_code == 422
    assert refused.json()["error"]["errors"][0]["pointer"] == "/kind"
    assert no_token.status_code == 422
    assert no_token.json()["error"]["errors"][0]["pointer"] == "/credentials/token"
    assert not_admin.status_code == 403
    assert client.get("/api/v1/sync/targets").json()["targets"] == []


def test_golden_records_reach_the_target_and_its_ids_are_kept(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("salesforce")
    add_target(client, running)
    acme = _put(client, "E1", ACME)

    dispatcher(container).run_until_idle()

    account = running.app.account(acme)
    assert account["Name"] == "Acme GmbH" and account["BillingCity"] == "Berlin"
    [delivery] = deliveries(client, target="salesforce")
    assert (delivery["state"], delivery["delivered_version"]) == ("delivered", 1)
    crosswalk = container.bus.query(lambda uow: uow.crosswalk.of("salesforce", [acme]))
    assert crosswalk == {acme: account["Id"]}


def test_changes_made_before_delivery_coalesce_into_the_latest_state(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("salesforce")
    add_target(client, running)
    acme = _put(client, "E1", ACME)
    for n in range(3):
        _put(client, "E1", {**ACME, "name": f"Acme GmbH v{n + 2}"})

    dispatcher(container).run_until_idle()

    upserts = [r for r in running.app.requests if r["method"] == "PATCH"]
    assert len(upserts) == 1
    assert running.app.account(acme)["Name"] == "Acme GmbH v4"
    [delivery] = deliveries(client, target="salesforce")
    assert delivery["delivered_version"] == 4


def test_a_version_the_target_has_is_not_sent_again(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running)
    _put(client, "E1", ACME)
    d = dispatcher(container)
    d.run_until_idle()
    sent = len(running.app.requests)

    d.reconcile()
    d.run_until_idle()

    assert len(running.app.requests) == sent


def test_parents_are_delivered_before_their_children(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("netsuite")
    add_target(client, running, readiness={})  # the target's own refusal orders them here
    items = [
        {"source_id": "P1", "record": GLOBEX},
        {"source_id": "C1", "record": {**ACME, "parent": "P1"}},
    ]
    # the child arrives first: it waits for its parent, which is then delivered first
    client.post("/api/v1/sources/erp/customer/batch", json=items[::-1])
    client.post("/api/v1/sources/erp/customer/batch", json=items)

    dispatcher(container).run_until_idle()

    puts = [r["path"].rsplit(":", 1)[-1] for r in running.app.requests if r["method"] == "PUT"]
    parent = client.get("/api/v1/xref/erp/customer/P1").json()["golden_id"]
    child = client.get("/api/v1/xref/erp/customer/C1").json()["golden_id"]
    assert puts.index(parent) < puts.index(child)
    assert running.app.customer(child)["parent"]["externalId"] == parent
    assert {d["state"] for d in deliveries(client, target="netsuite")} == {"delivered"}


def test_server_errors_are_retried_until_delivered(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("stripe")
    add_target(client, running)
    acme = _put(client, "E1", ACME)
    running.app.inject("status", status=503, times=2)

    dispatcher(container).run_until_idle()

    [delivery] = deliveries(client, target="stripe")
    assert delivery["state"] == "delivered"
    assert delivery["attempts"] == 3
    assert len(running.app.live_customers(acme)) == 1


def test_a_lost_answer_after_a_create_never_makes_a_second_customer(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("stripe")
    add_target(client, running)
    acme = _put(client, "E1", ACME)
    running.app.inject("lost_answer", method="POST", path="/v1/customers", how="drop")
    d = dispatcher(container)
    d.plan()
    d.deliver()  # the create is applied at Stripe, its answer lost
    _put(client, "E1", {**ACME, "name": "Acme AG"})  # and a newer version arrives

    d.run_until_idle()

    [customer] = running.app.live_customers(acme)
    assert customer["name"] == "Acme AG"
    assert running.app.duplicates() == {}


def test_a_permanent_refusal_is_a_dead_letter_that_does_not_block_others_and_replays(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running)
    # Zendesk holds an organization of that name already, made outside the hub
    auth = {"Authorization": f"Bearer {TOKEN}"}
    made = httpx.post(
        f"{running.url}/api/v2/organizations",
        json={"organization": {"name": "Acme GmbH"}},
        headers=auth,
    )
    assert made.status_code == 201, made.text
    acme = _put(client, "E1", ACME)
    globex = _put(client, "E2", GLOBEX)

    d = dispatcher(container)
    d.run_until_idle()

    dead = deliveries(client, target="zendesk", state="dead")
    assert [x["golden_id"] for x in dead] == [acme]
    assert dead[0]["last_error"]["code"] == "duplicate_value"
    assert [x["golden_id"] for x in deliveries(client, state="delivered")] == [globex]
    assert client.get("/api/v1/sync/targets").json()["targets"][0]["dead"] == 1

    other = made.json()["organization"]["id"]  # someone removes the other organization
    assert httpx.delete(f"{running.url}/api/v2/organizations/{other}", headers=auth).is_success
    replayed = client.post("/api/v1/sync/replay", json={"target": "zendesk", "state": "dead"})
    d.run_until_idle()

    assert replayed.json()["replayed"] == 1
    assert deliveries(client, target="zendesk", state="dead") == []
    assert sorted(running.app.counts()) == sorted([acme, globex])


def test_a_429_with_retry_after_pauses_the_whole_target_only(
    client: TestClient, container: Container, standins: Any
) -> None:
    zendesk, salesforce = standins("zendesk"), standins("salesforce")
    add_target(client, zendesk)
    add_target(client, salesforce)
    _put(client, "E1", ACME)
    zendesk.app.inject("status", status=429, retry_after="30")

    dispatcher(container).run_until_idle()

    targets = {t["name"]: t for t in client.get("/api/v1/sync/targets").json()["targets"]}
    assert targets["zendesk"]["paused_until"] is not None
    assert targets["zendesk"]["pending"] == 1
    assert targets["salesforce"]["delivered"] == 1
    [zd] = deliveries(client, target="zendesk")
    assert zd["failures"] == 0  # the target's pause is not the record's fault


def test_a_merge_deactivates_the_merged_record_and_an_unmerge_brings_it_back(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("salesforce")
    add_target(client, running)
    acme, globex = _put(client, "E1", ACME), _put(client, "E2", GLOBEX)
    d = dispatcher(container)
    d.run_until_idle()

    merged = client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": acme, "merged": [globex], "reason": "same company"},
    )
    d.run_until_idle()
    after_merge = dict(running.app.account(globex))
    client.post(
        f"/api/v1/golden/customer/{acme}/unmerge", json={"merged": globex, "reason": "oops"}
    )
    d.run_until_idle()

    assert merged.status_code == 200
    assert after_merge["MDM_Active__c"] is False
    assert after_merge["MDM_Merged_Into__c"] == acme
    assert running.app.account(globex)["MDM_Active__c"] is True
    assert running.app.duplicates() == {}


def test_the_target_sending_its_record_back_links_through_the_crosswalk_without_an_echo(
    client: TestClient, container: Container, standins: Any, engine: Engine
) -> None:
    running = standins("salesforce")
    add_target(client, running)
    acme = _put(client, "E1", ACME)
    d = dispatcher(container)
    d.run_until_idle()
    account_id = running.app.account(acme)["Id"]
    sent = len(running.app.requests)

    # CRM (Salesforce) now sends its Account as a source record, under its own id,
    # with nothing a matcher could use
    echoed = put_ok(client, f"crm/customer/{account_id}", {"kind": "organization", "name": "ACME"})
    d.run_until_idle()

    assert (echoed["action"], echoed["golden_id"]) == ("linked", acme)
    golden = client.get(f"/api/v1/golden/customer/{acme}").json()
    assert {x["source"] for x in golden["xrefs"]} == {"erp", "crm"}
    # the golden record changed only by membership: nothing new goes back to Salesforce
    assert len(running.app.requests) == sent


def test_a_target_added_later_receives_existing_records_by_reconciliation(
    client: TestClient, container: Container, standins: Any
) -> None:
    acme, globex = _put(client, "E1", ACME), _put(client, "E2", GLOBEX)
    d = dispatcher(container)
    d.run_until_idle()
    running = standins("netsuite")
    add_target(client, running, readiness={})  # these records lack NetSuite's defaults

    queued = d.reconcile()
    d.run_until_idle()

    assert queued == 2
    assert sorted(running.app.counts()) == sorted([acme, globex])


def test_a_target_added_while_the_dispatcher_runs_gets_existing_records_at_once(
    client: TestClient, container: Container, standins: Any
) -> None:
    acme, globex = _put(client, "E1", ACME), _put(client, "E2", GLOBEX)
    d = dispatcher(container)
    d.reconcile()  # the dispatcher's start: no target yet
    d.run_until_idle()  # the outbox is read: nothing to plan for anyone
    running = standins("netsuite")
    add_target(client, running, readiness={})  # these records lack NetSuite's defaults

    d.run_until_idle()  # no scheduled reconciliation is due

    assert sorted(running.app.counts()) == sorted([acme, globex])


def test_replay_needs_a_selector_and_writes_nothing_without_one(
    client: TestClient, engine: Engine
) -> None:
    before = counts(engine)

    response = client.post("/api/v1/sync/replay", json={})

    assert response.status_code == 422
    assert counts(engine) == before


def test_a_replay_since_a_time_with_no_utc_equivalent_is_a_422_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    before = counts(engine)

    # year 1 at +00:05 is before year 1 in UTC (schemathesis found it a 500)
    response = client.post(
        "/api/v1/sync/replay", json={"since": "0001-01-01T00:02:00.0+00:05", "golden_id": ""}
    )
    numeric = client.post("/api/v1/sync/replay", json={"since": 0, "golden_id": "x"})

    assert response.status_code == 422 and "since" in response.text
    assert numeric.status_code == 422
    assert counts(engine) == before


def test_a_rate_limited_target_gets_no_more_than_its_rate(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running, rate_limit_per_s=0.5)
    for n in range(10):
        _put(client, f"E{n}", {**GLOBEX, "name": f"Globex {n}", "tax_id": f"DE98765432{n}"})
    d = dispatcher(container)
    d.plan()

    first = d.deliver()  # a full bucket holds one delivery (at least one, at most 1 s worth)
    second = d.deliver()  # and refills one every 2 s

    assert (first, second) == (1, 0)
    assert len(running.app.counts()) == 1
