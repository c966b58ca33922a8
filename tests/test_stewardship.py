"""Stewardship over REST: the task queue, approve / reject / defer / assign, manual
merge, exact unmerge, split, bulk approve, and two stewards racing for one task."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.helpers import counts, outbox, put_ok


def org(name: str, **kw: object) -> dict:
    return {"kind": "organization", "name": name, **kw}


def make_review(client: TestClient) -> tuple[dict, str, str]:
    """Two golden records (one by tax id, one by email) and a record carrying both:
    its identifiers point at two golden records, so it joins the better one and the two
    golden records go to review (no chaining, and no golden record of its own)."""
    a = put_ok(client, "erp/customer/E1", org("Acme Inc", tax_id="DE811907980"))
    b = put_ok(client, "crm/customer/C1", org("Acme", email="ap@acme.example"))
    r = put_ok(
        client, "billing/customer/B1", org("ACME", tax_id="DE811907980", email="ap@acme.example")
    )
    assert r["action"] == "linked"
    assert r["golden_id"] in (a["golden_id"], b["golden_id"])
    tasks = client.get("/api/v1/stewardship/tasks").json()
    assert tasks["total"] == 1
    return tasks["items"][0], a["golden_id"], b["golden_id"]


def test_review_band_opens_a_task_with_both_sides_and_a_survivorship_preview(
    client: TestClient,
) -> None:
    task, a, b = make_review(client)

    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()

    assert detail["kind"] == "match_review"
    assert detail["status"] == "open"
    assert detail["source"] == "billing"
    assert detail["candidate_golden_id"] in (a, b)
    # the incoming record's golden record (which it joined) against the other one
    assert {"source": "billing", "source_id": "B1", "record_version": 1} in detail["left"]["xrefs"]
    assert len(detail["left"]["xrefs"]) == 2
    rows = {c["attribute"]: c for c in detail["comparison"]}
    assert rows["name"]["left"] == "ACME"
    assert detail["explanation"]["shared_keys"]
    # ERP outranks billing for the legal name, so the preview keeps ERP's name when the
    # candidate is the ERP record, and billing's otherwise.
    assert detail["preview"]["attributes"]["tax_id"] == "DE811907980"
    assert detail["preview"]["lineage"]["name"]["source"] in ("erp", "billing")


def test_approve_merges_and_the_merged_id_resolves_to_the_survivor(
    client: TestClient, engine: Engine
) -> None:
    task, _, _ = make_review(client)
    merged_id, survivor_id = task["golden_id"], task["candidate_golden_id"]

    r = client.post(
        f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"reason": "same VAT id"}
    )

    assert r.status_code == 200, r.text
    assert r.json()["survivor"] == survivor_id
    via_old = client.get(f"/api/v1/golden/customer/{merged_id}").json()
    assert via_old["id"] == survivor_id
    assert via_old["resolved_from"] == merged_id
    assert "billing" in [x["source"] for x in via_old["xrefs"]]
    assert client.get("/api/v1/xref/billing/customer/B1").json()["golden_id"] == survivor_id
    types = [e["type"] for e in outbox(engine)]
    assert types[-2:] == ["mdm.golden.customer.merged.v1", "mdm.golden.customer.updated.v1"]
    audit = client.get("/api/v1/audit", params={"target_id": survivor_id}).json()["entries"]
    assert (audit[0]["action"], audit[0]["actor"], audit[0]["reason"]) == (
        "merge",
        "test admin",
        "same VAT id",
    )
    assert client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()["status"] == "approved"


def test_a_decided_task_cannot_be_decided_again(client: TestClient, engine: Engine) -> None:
    task, _, _ = make_review(client)
    client.post(f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"reason": "ok"})
    before = counts(engine)

    again = client.post(f"/api/v1/stewardship/tasks/{task['id']}/reject", json={"reason": "no"})

    assert again.status_code == 409
    assert "already approved by test admin" in again.json()["error"]["message"]
    assert counts(engine) == before


def test_two_stewards_deciding_one_task_at_once_one_wins_one_gets_409(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    task, _, _ = make_review(client)
    alice, bob = client_as("steward"), client_as("steward")

    def decide(c: TestClient, verb: str) -> int:
        return c.post(
            f"/api/v1/stewardship/tasks/{task['id']}/{verb}", json={"reason": verb}
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(lambda a: decide(*a), [(alice, "approve"), (bob, "reject")]))

    assert codes == [200, 409]


def test_reject_is_remembered_so_the_pair_is_never_merged(
    client: TestClient, engine: Engine
) -> None:
    task, _, _ = make_review(client)

    r = client.post(
        f"/api/v1/stewardship/tasks/{task['id']}/reject",
        json={"reason": "different legal entities"},
    )
    merge = client.post(
        "/api/v1/golden/customer/merge",
        json={
            "survivor": task["candidate_golden_id"],
            "merged": [task["golden_id"]],
            "reason": "try anyway",
        },
    )

    assert r.json() == {"task": task["id"], "status": "rejected"}
    audit = client.get("/api/v1/audit", params={"target_id": task["id"]}).json()["entries"]
    assert [(e["action"], e["actor"], e["reason"]) for e in audit] == [
        ("task_rejected", "test admin", "different legal entities")
    ]
    assert merge.status_code == 409
    assert "not-a-match" in merge.json()["error"]["message"]
    with engine.connect() as conn:
        label = conn.execute(text("SELECT is_match, actor FROM match_label")).one()
    assert (bool(label[0]), label[1]) == (False, "test admin")


def test_defer_and_assign_move_the_task_between_queues(client: TestClient) -> None:
    task, _, _ = make_review(client)

    client.post(f"/api/v1/stewardship/tasks/{task['id']}/assign", json={"assignee": "alice"})
    client.post(f"/api/v1/stewardship/tasks/{task['id']}/defer", json={"reason": "ask sales"})

    assert client.get("/api/v1/stewardship/tasks").json()["total"] == 0
    deferred = client.get(
        "/api/v1/stewardship/tasks", params={"status": "deferred", "assignee": "alice"}
    ).json()
    assert [t["id"] for t in deferred["items"]] == [task["id"]]
    assert (
        client.get(
            "/api/v1/stewardship/tasks", params={"status": "deferred", "assignee": "bob"}
        ).json()["total"]
        == 0
    )
    audit = client.get("/api/v1/audit", params={"target_id": task["id"]}).json()["entries"]
    assert [e["action"] for e in audit] == ["task_deferred", "task_assigned"]


def test_queue_filters_by_source_score_and_entity_type(client: TestClient) -> None:
    make_review(client)

    def total(**params: object) -> int:
        return client.get("/api/v1/stewardship/tasks", params=params).json()["total"]

    assert total(source="billing") == 1
    assert total(source="crm") == 0
    assert total(min_score=0.5) == 1
    assert total(max_score=0.5) == 0
    assert total(entity_type="product") == 0
    assert client.get("/api/v1/stewardship/tasks", params={"status": "bogus"}).status_code == 422


def snapshot(client: TestClient, gid: str) -> dict:
    g = client.get(f"/api/v1/golden/customer/{gid}").json()
    return {
        "id": g["id"],
        "status": g["status"],
        "attributes": g["attributes"],
        "lineage": g["lineage"],
        "xrefs": sorted((x["source"], x["source_id"]) for x in g["xrefs"]),
    }


def test_unmerge_restores_both_records_exactly(client: TestClient) -> None:
    a = put_ok(
        client, "erp/customer/E1", org("Acme Inc", tax_id="DE811907980", payment_terms="net30")
    )["golden_id"]
    b = put_ok(client, "crm/customer/C1", org("Acme Corp", owner="dana", segment="smb"))[
        "golden_id"
    ]
    before_a, before_b = snapshot(client, a), snapshot(client, b)

    merged = client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": a, "merged": [b], "reason": "same company"},
    )
    during = snapshot(client, a)
    undone = client.post(
        f"/api/v1/golden/customer/{a}/unmerge", json={"merged": b, "reason": "different branch"}
    )

    assert merged.status_code == 200
    assert during["xrefs"] == [("crm", "C1"), ("erp", "E1")]
    assert during["attributes"]["owner"] == "dana"
    assert undone.status_code == 200, undone.text
    assert snapshot(client, a) == before_a
    assert snapshot(client, b) == before_b
    assert (
        client.post(
            f"/api/v1/golden/customer/{a}/unmerge", json={"merged": b, "reason": "again"}
        ).status_code
        == 404
    )


def test_merge_moves_children_under_the_survivor_and_unmerge_puts_them_back(
    client: TestClient,
) -> None:
    a = put_ok(client, "erp/customer/P1", org("Acme Holding"))["golden_id"]
    b = put_ok(client, "crm/customer/P2", org("Acme Holding AG"))["golden_id"]
    kid_erp = put_ok(client, "erp/customer/K1", org("Acme Retail", tax_id="DE1", parent="P1"))
    kid_crm = put_ok(client, "crm/customer/K2", org("Acme Retail GmbH", tax_id="DE1", parent="P2"))
    kid = kid_erp["golden_id"]
    assert kid_crm["golden_id"] == kid
    parent_before = client.get(f"/api/v1/golden/customer/{kid}").json()["attributes"]["parent"]
    assert parent_before == a  # ERP outranks CRM for the parent

    client.post(
        "/api/v1/golden/customer/merge",
        json={"survivor": b, "merged": [a], "reason": "same holding"},
    )
    after = client.get(f"/api/v1/golden/customer/{kid}").json()
    tree = client.get(f"/api/v1/golden/customer/{b}/hierarchy").json()

    assert after["attributes"]["parent"] == b
    assert "alternatives" not in after["lineage"]["parent"]  # duplicate links collapsed
    assert [c["id"] for c in tree["tree"]["children"]] == [kid]
    client.post(f"/api/v1/golden/customer/{b}/unmerge", json={"merged": a, "reason": "undo"})
    assert client.get(f"/api/v1/golden/customer/{kid}").json()["attributes"]["parent"] == a


def test_hierarchy_has_ancestors_and_an_ultimate_parent(client: TestClient) -> None:
    top = put_ok(client, "erp/customer/T", org("Top"))["golden_id"]
    mid = put_ok(client, "erp/customer/M", org("Mid", parent="T"))["golden_id"]
    leaf = put_ok(client, "erp/customer/L", org("Leaf", parent="M"))["golden_id"]

    h = client.get(f"/api/v1/golden/customer/{leaf}/hierarchy").json()
    down = client.get(f"/api/v1/golden/customer/{top}/hierarchy").json()

    assert [x["id"] for x in h["ancestors"]] == [mid, top]
    assert h["ultimate_parent"]["id"] == top
    assert down["descendant_count"] == 2
    assert down["tree"]["children"][0]["children"][0]["id"] == leaf


def test_a_cycle_is_refused_with_a_clear_error_and_a_steward_task(
    client: TestClient, engine: Engine
) -> None:
    put_ok(client, "erp/customer/A", org("A"))
    put_ok(client, "erp/customer/B", org("B", parent="A"))
    before = counts(engine, ("source_record", "source_record_version", "golden_version"))

    r = client.put("/api/v1/sources/erp/customer/A", json=org("A", parent="B"))

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "hierarchy_cycle"
    assert r.json()["error"]["errors"][0]["pointer"] == "/parent"
    assert counts(engine, ("source_record", "source_record_version", "golden_version")) == before
    tasks = client.get("/api/v1/stewardship/tasks", params={"kind": "hierarchy_cycle"}).json()
    assert tasks["total"] == 1
    assert client.get("/api/v1/quarantine").json()["total"] == 1


def test_sources_disagreeing_on_a_parent_stay_visible_and_open_a_task(client: TestClient) -> None:
    put_ok(client, "erp/customer/P1", org("Parent One"))
    put_ok(client, "crm/customer/P2", org("Parent Two"))
    put_ok(client, "erp/customer/K", org("Kid", tax_id="X1", parent="P1"))
    kid = put_ok(client, "crm/customer/K", org("Kid", tax_id="X1", parent="P2"))["golden_id"]

    lineage = client.get(f"/api/v1/golden/customer/{kid}").json()["lineage"]["parent"]
    tasks = client.get("/api/v1/stewardship/tasks", params={"kind": "parent_disagreement"})

    assert lineage["source"] == "erp"
    assert lineage["alternatives"][0]["source"] == "crm"
    assert tasks.json()["total"] == 1


def test_split_takes_one_record_out_and_remembers_the_pair(client: TestClient) -> None:
    gid = put_ok(client, "erp/customer/E1", org("Acme", tax_id="DE1"))["golden_id"]
    put_ok(client, "crm/customer/C1", org("Acme Wrong", tax_id="DE1"))

    r = client.post(
        f"/api/v1/golden/customer/{gid}/split",
        json={"source": "crm", "source_id": "C1", "reason": "typo in tax id"},
    )

    assert r.status_code == 200, r.text
    new = r.json()["new_golden_id"]
    assert client.get("/api/v1/xref/crm/customer/C1").json()["golden_id"] == new
    assert snapshot(client, gid)["xrefs"] == [("erp", "E1")]
    again = client.post(
        "/api/v1/golden/customer/merge", json={"survivor": gid, "merged": [new], "reason": "oops"}
    )
    assert again.status_code == 409


def test_bulk_approve_needs_the_count_the_steward_saw(client: TestClient, engine: Engine) -> None:
    make_review(client)
    before = counts(engine)

    wrong = client.post(
        "/api/v1/stewardship/tasks/bulk-approve",
        json={"expected_count": 2, "reason": "batch", "source": "billing"},
    )
    after_wrong = counts(engine)
    right = client.post(
        "/api/v1/stewardship/tasks/bulk-approve",
        json={"expected_count": 1, "reason": "batch", "source": "billing"},
    )

    assert wrong.status_code == 409
    assert after_wrong == before
    assert right.json()["approved"] == 1
    assert client.get("/api/v1/stewardship/tasks").json()["total"] == 0


def test_bulk_approve_refuses_a_boolean_for_a_number_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    make_review(client)
    before = counts(engine)

    r = client.post(
        "/api/v1/stewardship/tasks/bulk-approve",
        json={"expected_count": 1, "reason": "batch", "older_than_hours": False},
    )

    assert r.status_code == 422
    assert r.json()["error"]["errors"][0]["pointer"] == "/body/older_than_hours"
    assert counts(engine) == before


def test_readers_cannot_decide_and_nothing_is_written(
    client: TestClient, client_as: Callable[..., TestClient], engine: Engine
) -> None:
    task, _, _ = make_review(client)
    before = counts(engine)
    reader = client_as("reader")

    assert (
        reader.post(
            f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"reason": "x"}
        ).status_code
        == 403
    )
    assert (
        reader.post(
            "/api/v1/golden/customer/merge",
            json={
                "survivor": task["candidate_golden_id"],
                "merged": [task["golden_id"]],
                "reason": "x",
            },
        ).status_code
        == 403
    )
    assert reader.get("/api/v1/stewardship/tasks").status_code == 403
    assert counts(engine) == before


def test_bad_merge_requests_are_clear_4xx(client: TestClient) -> None:
    gid = put_ok(client, "erp/customer/E1", org("Acme"))["golden_id"]

    missing = client.post(
        "/api/v1/golden/customer/merge", json={"survivor": gid, "merged": ["nope"], "reason": "x"}
    )
    itself = client.post(
        "/api/v1/golden/customer/merge", json={"survivor": gid, "merged": [gid], "reason": "x"}
    )
    no_reason = client.post(
        "/api/v1/golden/customer/merge", json={"survivor": gid, "merged": ["nope"]}
    )

    assert missing.status_code == 404
    assert itself.status_code == 422
    assert no_reason.status_code == 422


def test_a_shared_email_with_a_different_tax_id_goes_to_review_not_merge(
    client: TestClient,
) -> None:
    first = put_ok(
        client, "erp/customer/E1", org("Acme", tax_id="DE811907980", email="ap@acme.example")
    )
    second = put_ok(
        client, "crm/customer/C1", org("Acme", tax_id="FR40303265045", email="ap@acme.example")
    )

    assert second["action"] == "review"
    assert second["golden_id"] != first["golden_id"]
    task = client.get("/api/v1/stewardship/tasks", params={"kind": "identifier_conflict"}).json()[
        "items"
    ][0]
    detail = client.get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    assert detail["explanation"]["conflicts"]["tax_id"][0] == "FR40303265045"
