"""Related organisations are proposed as a hierarchy link, never merged (issue 17, point 2).

Two organisations of one group (the same name but for its numbers; one name with another
tax id, registration number or country) stay two golden records, and a steward gets a
``hierarchy_proposal`` task: approving it makes one the parent of the other, as a
steward's assertion that survives every later recompute and reaches targets; rejecting it
remembers the pair. Runs on SQLite and PostgreSQL (``MDM_DATABASE_URL``).
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from mdm.cli import app
from tests.helpers import counts, outbox, put_ok

AGENT = {"line1": "1 Canada Square", "city": "London", "postcode": "E14 5AB", "country": "GB"}


def firm(name: str, **kw: object) -> dict:
    return {"kind": "organization", "name": name, "address": AGENT, **kw}


def _proposals(client: TestClient, status: str = "open") -> list[dict]:
    r = client.get(
        "/api/v1/stewardship/tasks", params={"kind": "hierarchy_proposal", "status": status}
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _numbered(client: TestClient) -> tuple[str, str, dict]:
    three = put_ok(client, "erp/customer/H3", firm("Harbour Property Holdings 3 Ltd"))
    four = put_ok(client, "erp/customer/H4", firm("Harbour Property Holdings 4 Ltd"))
    (task,) = _proposals(client)
    return three["golden_id"], four["golden_id"], task


def test_numbered_entities_of_one_group_stay_apart_and_a_hierarchy_link_is_proposed(
    client: TestClient,
) -> None:
    three, four, task = _numbered(client)

    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()

    assert three != four
    assert (task["golden_id"], task["candidate_golden_id"]) == (four, three)
    assert detail["explanation"]["reason"] == (
        "related, not the same: the same name but for its numbers"
    )
    assert detail["explanation"]["proposal"] == {"parent": three, "child": four}
    merge_reviews = client.get("/api/v1/stewardship/tasks", params={"kind": "match_review"})
    assert merge_reviews.json()["total"] == 0


def test_group_entities_with_one_name_in_two_countries_are_proposed_not_merged(
    client: TestClient,
) -> None:
    berlin = {"line1": "Hauptstrasse 1", "city": "Berlin", "postcode": "10115", "country": "DE"}
    de = put_ok(client, "erp/customer/A1", firm("Acme GmbH", address=berlin))
    uk = put_ok(client, "crm/customer/A2", firm("Acme Ltd"))

    (task,) = _proposals(client)

    assert de["golden_id"] != uk["golden_id"]
    assert task["candidate_golden_id"] == de["golden_id"]
    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    assert "one name, another country" in detail["explanation"]["related"]


def test_firms_that_only_share_a_switchboard_get_no_proposal(client: TestClient) -> None:
    put_ok(client, "erp/customer/S1", firm("Golden Nugget Hotel", phone="+44 20 7946 0000"))
    put_ok(client, "erp/customer/S2", firm("Lillie Langtrys", phone="+44 20 7946 0000"))

    assert _proposals(client) == []


def test_approving_makes_the_parent_a_stewards_assertion_that_survives_updates(
    client: TestClient, engine: Engine
) -> None:
    three, four, task = _numbered(client)

    r = client.post(
        f"/api/v1/stewardship/tasks/{task['id']}/approve",
        json={"reason": "one group", "parent": three},
    )
    # a later update from the source recomputes the child: the asserted parent stays
    put_ok(
        client, "erp/customer/H4", firm("Harbour Property Holdings 4 Ltd", phone="+442079460004")
    )

    assert r.status_code == 200, r.text
    assert r.json()["parent"] == three and r.json()["child"] == four
    child = client.get(f"/api/v1/golden/customer/{four}").json()
    assert child["attributes"]["parent"] == three
    assert child["attributes"]["phone"]
    lineage = child["lineage"]["parent"]
    assert (lineage["rule"], lineage["source"], lineage["source_id"]) == (
        "steward",
        "steward",
        task["id"],
    )
    assert lineage["actor"] == "test admin"
    children = client.get(f"/api/v1/golden/customer/{three}").json()
    assert children["id"] == three
    events = [e for e in outbox(engine) if e["subject"] == four]
    assert events[-2]["data"]["cause"] == "hierarchy_asserted"
    assert events[-2]["data"]["attributes"]["parent"] == three
    assert _proposals(client) == []


def test_the_steward_may_choose_the_other_record_as_the_parent(client: TestClient) -> None:
    three, four, task = _numbered(client)

    r = client.post(f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"parent": four})

    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/golden/customer/{three}").json()["attributes"]["parent"] == four


def test_a_parent_outside_the_pair_is_refused_and_nothing_changes(
    client: TestClient, engine: Engine
) -> None:
    _, four, task = _numbered(client)
    before = counts(engine)

    r = client.post(f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"parent": "g" * 32})

    assert r.status_code == 422, r.text
    assert r.json()["error"]["errors"][0]["pointer"] == "/parent"
    assert counts(engine) == before
    assert len(_proposals(client)) == 1
    assert "parent" not in client.get(f"/api/v1/golden/customer/{four}").json()["attributes"]


def test_a_parent_on_a_merge_review_is_refused(client: TestClient) -> None:
    # a record whose identifiers point at two golden records goes to review
    org = {"kind": "organization"}
    put_ok(client, "erp/customer/E1", {**org, "name": "Acme Inc", "tax_id": "DE811907980"})
    put_ok(client, "crm/customer/C1", {**org, "name": "Acme", "email": "ap@acme.example"})
    both = {"tax_id": "DE811907980", "email": "ap@acme.example"}
    put_ok(client, "billing/customer/B1", {**org, "name": "ACME", **both})
    review = client.get("/api/v1/stewardship/tasks", params={"kind": "match_review"}).json()
    task = review["items"][0]

    r = client.post(
        f"/api/v1/stewardship/tasks/{task['id']}/approve",
        json={"parent": task["candidate_golden_id"]},
    )

    assert r.status_code == 422, r.text
    assert r.json()["error"]["errors"][0]["pointer"] == "/parent"


def test_a_proposal_that_would_close_a_loop_is_a_conflict(client: TestClient) -> None:
    three, _, task = _numbered(client)
    # four is already three's parent, as its source says
    put_ok(client, "erp/customer/H3", firm("Harbour Property Holdings 3 Ltd", parent="H4"))

    r = client.post(f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"parent": three})

    assert r.status_code == 409, r.text
    assert "cycle" in r.json()["error"]["message"]
    assert len(_proposals(client)) == 1


def test_rejecting_remembers_the_pair_so_it_is_not_proposed_again(client: TestClient) -> None:
    _, _, task = _numbered(client)

    r = client.post(f"/api/v1/stewardship/tasks/{task['id']}/reject", json={"reason": "no"})
    put_ok(client, "erp/customer/H4", firm("Harbour Property Holdings 4 Ltd", website="h4.example"))
    put_ok(client, "crm/customer/X4", firm("Harbour Property Holdings 4 Ltd", website="h4.example"))

    assert r.status_code == 200, r.text
    assert _proposals(client) == []


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_initial_load_proposes_the_links_ingest_proposes(
    cli_env: CliRunner, client: TestClient, tmp_path: Path
) -> None:
    erp = [
        {"source_id": "H3", **firm("Harbour Property Holdings 3 Ltd")},
        {"source_id": "S1", **firm("Golden Nugget Hotel", phone="+44 20 7946 0000")},
    ]
    crm = [
        {"source_id": "H4", **firm("Harbour Property Holdings 4 Ltd")},
        {"source_id": "S2", **firm("Lillie Langtrys", phone="+44 20 7946 0000")},
    ]
    specs = [
        f"erp={_write(tmp_path / 'erp.jsonl', erp)}",
        f"crm={_write(tmp_path / 'crm.jsonl', crm)}",
    ]

    run = cli_env.invoke(app, ["load", "--initial", "--entity", "customer", *specs])

    assert run.exit_code == 0, run.output
    (task,) = _proposals(client)
    three = client.get("/api/v1/xref/erp/customer/H3").json()["golden_id"]
    four = client.get("/api/v1/xref/crm/customer/H4").json()["golden_id"]
    assert three != four
    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    assert detail["explanation"]["proposal"] == {"parent": three, "child": four}
    assert detail["explanation"]["related"] == ["the same name but for its numbers"]
