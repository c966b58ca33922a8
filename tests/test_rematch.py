"""Rematch preview (issue 19, point 3): the whole hub scored again under proposed settings,
what would change, and the steward decisions it would contradict, with nothing written.

The hub: one golden record of two records linked on their own (Proseware, 0.99997), and
three pairs of look-alikes in the review band (0.86) that each opened a task: Fabrikam
(approved: merged), Litware (rejected: not a match) and Northwind (left open)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from matching.settings import default_settings, to_json
from mdm.cli import app
from tests.helpers import STATE_TABLES, counts, put_ok

EVERY_TABLE = (*STATE_TABLES, "not_a_match", "merge_event", "match_label", "audit_log")


def org(name: str, city: str, **kw: Any) -> dict[str, Any]:
    return {"kind": "organization", "name": name, "address": {"city": city, "country": "US"}, **kw}


PHONE = "+1 312 555 0142"


def hub(client: TestClient) -> dict[str, Any]:
    """The hub of the module docstring; returns the tasks by name and the golden ids."""
    linked = put_ok(client, "crm/customer/P1", org("Proseware Inc", "Chicago", phone=PHONE))
    again = put_ok(client, "erp/customer/P2", org("Proseware", "Chicago", phone=PHONE))
    assert again["action"] == "linked" and again["golden_id"] == linked["golden_id"]
    tasks = {}
    for name, city in (("Fabrikam", "Denver"), ("Litware", "Portland"), ("Northwind", "Tulsa")):
        put_ok(client, f"crm/customer/{name}-1", org(f"{name} Inc", city))
        second = put_ok(client, f"erp/customer/{name}-2", org(name, city))
        assert second["action"] == "review", second
        open_tasks = client.get("/api/v1/stewardship/tasks").json()["items"]
        tasks[name] = next(t for t in open_tasks if t["golden_id"] == second["golden_id"])
    approve = client.post(
        f"/api/v1/stewardship/tasks/{tasks['Fabrikam']['id']}/approve", json={"reason": "same"}
    )
    reject = client.post(
        f"/api/v1/stewardship/tasks/{tasks['Litware']['id']}/reject", json={"reason": "two firms"}
    )
    assert approve.status_code == 200 and reject.status_code == 200
    return {"tasks": tasks, "proseware": linked["golden_id"]}


def proposed(link: float, review: float) -> dict[str, Any]:
    doc = to_json(default_settings("customer"))
    return {
        **doc,
        "version": f"customer/3-link{link}",
        "thresholds": {"link": link, "review": review},
    }


def rematch(client: TestClient, **body: Any) -> dict[str, Any]:
    r = client.post("/api/v1/matching/customer/rematch", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def names(sample: dict[str, Any]) -> set[str]:
    return {sample["left"]["source_id"], sample["right"]["source_id"]}


def test_the_settings_in_use_change_nothing_and_contradict_no_one(
    client: TestClient, engine: Engine
) -> None:
    hub(client)
    before = counts(engine, EVERY_TABLE)

    out = rematch(client)

    assert out["settings_version"] == out["in_use"] == "customer/3"
    assert (out["records"], out["golden_records"], out["golden_records_after"]) == (8, 4 + 2, 6)
    c = out["counts"]
    assert (c["merge"], c["split"], c["changed_golden_records"]) == (0, 0, 0)
    assert (c["review_open"], c["review_close"], c["open_tasks"]) == (0, 0, 1)
    assert (c["contradict_approved"], c["contradict_rejected"]) == (0, 0)
    assert c["steward_decisions"] == {"together": 1, "apart": 1, "together_not_kept": 0}
    assert all(samples == [] for samples in out["samples"].values())
    assert out["applied"] is False
    assert counts(engine, EVERY_TABLE) == before


def test_a_lower_link_threshold_merges_and_would_merge_the_pair_a_steward_rejected(
    client: TestClient, engine: Engine
) -> None:
    made = hub(client)
    before = counts(engine, EVERY_TABLE)

    out = rematch(client, settings=proposed(0.6, 0.5))

    c = out["counts"]
    # Northwind links now; Litware would too, but a steward said no: kept apart
    assert (c["merge"], c["golden_records_merging"], c["split"]) == (1, 2, 0)
    assert names(out["samples"]["merge"][0]) == {"Northwind-1", "Northwind-2"}
    assert 0.85 < out["samples"]["merge"][0]["score"] < 0.9
    assert out["golden_records_after"] == out["golden_records"] - 1
    closed = out["samples"]["review_close"]
    assert [(s["task_id"], s["why"]) for s in closed] == [
        (made["tasks"]["Northwind"]["id"], "linked")
    ]
    assert (c["contradict_approved"], c["contradict_rejected"]) == (0, 1)
    rejected = out["samples"]["contradict_rejected"][0]
    assert names(rejected) == {"Litware-1", "Litware-2"}
    assert rejected["decision"] == "not_a_match"
    assert (rejected["actor"], rejected["reason"]) == ("test admin", "two firms")
    assert rejected["left"]["name"] in ("Litware Inc", "Litware")
    assert c["review_open"] == 0
    assert counts(engine, EVERY_TABLE) == before


def test_a_higher_link_threshold_splits_and_would_split_the_merge_a_steward_approved(
    client: TestClient, engine: Engine
) -> None:
    made = hub(client)
    before = counts(engine, EVERY_TABLE)

    out = rematch(client, settings=proposed(0.99999, 0.9999))

    c = out["counts"]
    # Proseware falls apart (0.99997 is under the new link threshold); Fabrikam would
    # too, but a steward merged it: kept together
    assert (c["merge"], c["split"], c["changed_golden_records"]) == (0, 1, 1)
    split = out["samples"]["split"][0]
    assert split["golden_id"] == made["proseware"]
    assert (split["records"], split["parts"]) == (2, 2)
    assert names(split) == {"P1", "P2"}
    # the two Proseware records are doubtful now: a review task would open
    assert c["review_open"] == 1 and names(out["samples"]["review_open"][0]) == {"P1", "P2"}
    assert [s["why"] for s in out["samples"]["review_close"]] == ["below_review"]
    assert (c["contradict_approved"], c["contradict_rejected"]) == (1, 0)
    approved = out["samples"]["contradict_approved"][0]
    assert names(approved) == {"Fabrikam-1", "Fabrikam-2"}
    assert approved["decision"] == "approved_match"
    assert approved["task_id"] == made["tasks"]["Fabrikam"]["id"]
    assert approved["kept"] is True and approved["score"] < 0.9999
    assert counts(engine, EVERY_TABLE) == before


def test_a_stored_version_is_named_and_bad_proposals_are_refused_with_the_field(
    client: TestClient,
) -> None:
    hub(client)

    shipped = rematch(client, version="customer/3")
    unknown = client.post("/api/v1/matching/customer/rematch", json={"version": "customer/99"})
    both = client.post(
        "/api/v1/matching/customer/rematch",
        json={"version": "customer/3", "settings": proposed(0.9, 0.5)},
    )
    product = client.post(
        "/api/v1/matching/customer/rematch",
        json={"settings": to_json(default_settings("product"))},
    )
    broken = client.post(
        "/api/v1/matching/customer/rematch", json={"settings": {"entity_type": "customer"}}
    )
    shapes = [
        client.post(
            "/api/v1/matching/customer/rematch", json={"settings": {**proposed(0.9, 0.5), **odd}}
        )
        for odd in ({"comparisons": [1]}, {"trained_on": {"term_frequencies": 5}})
    ]
    price = client.post("/api/v1/matching/price/rematch", json={})
    applying = client.post("/api/v1/matching/customer/rematch", json={"apply": 1})

    assert shipped["counts"]["merge"] == 0
    assert unknown.status_code == 404
    assert [r.status_code for r in (both, product, broken, price, applying)] == [422] * 5
    assert product.json()["error"]["errors"][0]["pointer"] == "/settings/entity_type"
    assert broken.json()["error"]["errors"][0]["pointer"] == "/settings"
    # a document of another shape, or one the engine cannot use, is refused before any work
    assert [(r.status_code, r.json()["error"]["errors"][0]["pointer"]) for r in shapes] == [
        (422, "/settings"),
        (422, "/settings"),
    ]
    # strict: 1 is not true
    assert applying.json()["error"]["errors"][0]["pointer"] == "/body/apply"


def test_only_an_admin_previews_a_rematch_and_sees_the_records_as_they_are(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    reader = client_as("reader").post("/api/v1/matching/customer/rematch", json={})
    steward = client_as("steward").post("/api/v1/matching/customer/rematch", json={})
    put_ok(
        client,
        "crm/customer/J1",
        {"kind": "person", "first_name": "Jane", "last_name": "Doe", "email": "jane@doe.example"},
    )
    put_ok(
        client,
        "erp/customer/J2",
        {"kind": "person", "first_name": "Jane", "last_name": "Doe", "email": "jane@doe.example"},
    )
    admin = client_as("admin").post(
        "/api/v1/matching/customer/rematch", json={"settings": proposed(1.0, 1.0)}
    )

    assert (reader.status_code, steward.status_code, admin.status_code) == (403, 403, 200)
    split = admin.json()["samples"]["split"][0]
    # an admin holds pii: a person's email is shown, not masked
    assert split["left"]["attributes"]["email"] == "jane@doe.example"
    assert names(split) == {"J1", "J2"}


def test_the_command_prints_the_impact_and_writes_every_item_to_the_report(
    client: TestClient, cli_env: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    hub(client)
    settings_file = tmp_path / "lower.json"
    settings_file.write_text(json.dumps(proposed(0.6, 0.5)))
    report = tmp_path / "impact.json"
    before = counts(engine, EVERY_TABLE)

    result = cli_env.invoke(
        app,
        [
            "matching",
            "rematch",
            "--entity",
            "customer",
            "--settings",
            str(settings_file),
            "--report",
            str(report),
        ],
    )

    assert result.exit_code == 0, result.output
    assert "merge: 1 new clusters joining 2 golden records" in result.output
    assert "1 not-a-match pairs it would merge" in result.output
    assert "dry run: nothing was changed" in result.output
    written = json.loads(report.read_text())
    assert written["counts"]["merge"] == 1
    assert {k: len(v) for k, v in written["items"].items()} == {
        "merge": 1,
        "split": 0,
        "review_open": 0,
        "review_close": 1,
        "contradict_approved": 0,
        "contradict_rejected": 1,
    }
    assert names(written["items"]["contradict_rejected"][0]) == {"Litware-1", "Litware-2"}
    assert counts(engine, EVERY_TABLE) == before


def test_the_command_refuses_a_bad_settings_file_or_version_with_exit_2(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")

    broken = cli_env.invoke(app, ["matching", "rematch", "--settings", str(bad)])
    unknown = cli_env.invoke(app, ["matching", "rematch", "--version", "customer/99"])
    applying = cli_env.invoke(app, ["matching", "rematch", "--version", "customer/99", "--apply"])

    assert (broken.exit_code, unknown.exit_code, applying.exit_code) == (2, 2, 2)
    assert "no stored match settings version 'customer/99'" in unknown.output


def test_can_i_deploy_shows_what_proposed_match_settings_would_do_to_the_hub(
    client: TestClient, cli_env: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    hub(client)
    settings_file = tmp_path / "lower.json"
    settings_file.write_text(json.dumps(proposed(0.6, 0.5)))
    pacts = Path(__file__).resolve().parents[1] / "contracts" / "pacts"
    before = counts(engine, EVERY_TABLE)

    result = cli_env.invoke(
        app,
        [
            "contracts",
            "can-i-deploy",
            "--pacts",
            str(pacts),
            "--match-settings",
            str(settings_file),
        ],
    )

    assert f"rematch impact of {settings_file} on the hub:" in result.output
    assert "  merge: 1 new clusters joining 2 golden records" in result.output
    assert "1 not-a-match pairs it would merge" in result.output
    assert counts(engine, EVERY_TABLE) == before
