"""Applying a rematch (issue 19, point 3): one audited change that merges and splits with
versions and events, opens and closes review tasks, makes the settings the ones in use,
and leaves every steward decision standing. The hub is the one of ``test_rematch``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from canonical.commands import ApplyRematch
from canonical.errors import Conflict
from mdm.bootstrap import Container
from mdm.cli import app
from mdm.db.uow import run_in_transaction
from mdm.handlers import apply_rematch
from tests.helpers import counts
from tests.test_rematch import EVERY_TABLE, hub, proposed, rematch


def golden_of(client: TestClient, source: str, source_id: str) -> str:
    r = client.get(f"/api/v1/xref/{source}/customer/{source_id}")
    assert r.status_code == 200, r.text
    golden_id: str = r.json()["golden_id"]
    return golden_id


def pairs(client: TestClient) -> dict[str, bool]:
    """For each pair of look-alikes, whether its two records share a golden record."""
    together = {}
    for name in ("Fabrikam", "Litware", "Northwind"):
        left = golden_of(client, "crm", f"{name}-1")
        together[name] = left == golden_of(client, "erp", f"{name}-2")
    together["Proseware"] = golden_of(client, "crm", "P1") == golden_of(client, "erp", "P2")
    return together


def audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [a for (a,) in conn.execute(text("SELECT action FROM audit_log ORDER BY id"))]


def test_applying_a_lower_link_threshold_merges_keeps_the_rejected_pair_apart_and_is_audited(
    client: TestClient, engine: Engine
) -> None:
    made = hub(client)
    before = counts(engine, EVERY_TABLE)
    northwind = made["tasks"]["Northwind"]

    out = rematch(client, settings=proposed(0.6, 0.5), apply=True, reason="looser names")

    assert out["applied"] is True
    assert out["written"] == {
        "moved_records": 1,
        "merged_away": 1,
        "created": 0,
        "changed_golden_records": 1,
        "groups_left_out": 0,
        "tasks_closed": 1,
        "tasks_opened": 0,
    }
    assert pairs(client) == {
        "Fabrikam": True,
        "Litware": False,
        "Northwind": True,
        "Proseware": True,
    }
    # the merged-away id still resolves, to the survivor
    merged_id = next(
        g for g in (northwind["golden_id"], northwind["candidate_golden_id"])
        if g != golden_of(client, "crm", "Northwind-1")
    )  # fmt: skip
    resolved = client.get(f"/api/v1/golden/customer/{merged_id}").json()
    assert resolved["id"] == golden_of(client, "crm", "Northwind-1")
    task = client.get(f"/api/v1/stewardship/tasks/{northwind['id']}").json()
    assert (task["status"], task["reason"]) == (
        "resolved",
        "rematch under customer/3-link0.6: linked",
    )
    after = counts(engine, EVERY_TABLE)
    assert after["outbox"] > before["outbox"] and after["golden_version"] > before["golden_version"]
    assert after["merge_event"] == before["merge_event"] + 1
    assert audit_actions(engine)[-1] == "rematch_applied"
    in_use = client.get("/api/v1/matching/settings").json()["in_use"]
    assert "customer/3-link0.6" in in_use
    # the settings are in use now: nothing left to change, and the rematch's own merge
    # is the model's, not one more steward decision
    again = rematch(client)
    assert again["settings_version"] == "customer/3-link0.6"
    assert again["counts"]["changed_golden_records"] == 0
    assert again["counts"]["steward_decisions"]["together"] == 1
    # and a steward can undo the rematch's merge exactly
    survivor = golden_of(client, "crm", "Northwind-1")
    undone = client.post(
        f"/api/v1/golden/customer/{survivor}/unmerge",
        json={"merged": merged_id, "reason": "not the same after all"},
    )
    assert undone.status_code == 200, undone.text
    assert pairs(client)["Northwind"] is False


def test_applying_a_higher_link_threshold_splits_but_keeps_the_approved_merge(
    client: TestClient, engine: Engine
) -> None:
    made = hub(client)
    northwind = made["tasks"]["Northwind"]

    out = rematch(client, settings=proposed(0.99999, 0.9999), apply=True)

    assert out["written"]["moved_records"] == 1 and out["written"]["created"] == 1
    assert (out["written"]["tasks_opened"], out["written"]["tasks_closed"]) == (1, 1)
    assert pairs(client) == {
        "Fabrikam": True,
        "Litware": False,
        "Northwind": False,
        "Proseware": False,
    }
    # the golden record that was split keeps its id for one of its records
    assert made["proseware"] in (golden_of(client, "crm", "P1"), golden_of(client, "erp", "P2"))
    closed = client.get(f"/api/v1/stewardship/tasks/{northwind['id']}").json()
    assert closed["status"] == "resolved"
    opened = client.get("/api/v1/stewardship/tasks").json()["items"]
    assert [t["kind"] for t in opened] == ["match_review"]
    detail = client.get(f"/api/v1/stewardship/tasks/{opened[0]['id']}").json()
    assert detail["explanation"]["reason"] == "rematch"
    assert detail["explanation"]["settings_version"] == "customer/3-link0.99999"
    sides = {opened[0]["golden_id"], opened[0]["candidate_golden_id"]}
    assert sides == {golden_of(client, "crm", "P1"), golden_of(client, "erp", "P2")}
    assert rematch(client)["counts"]["changed_golden_records"] == 0


def test_a_steward_deciding_while_the_rematch_ran_makes_it_run_again(
    client: TestClient, container: Container, engine: Engine
) -> None:
    made = hub(client)
    command = ApplyRematch("customer", "test admin", None, proposed(0.6, 0.5))
    prepared = run_in_transaction(
        engine,
        lambda uow: apply_rematch.prepare(command, uow, matcher=container.matcher),
        readonly=True,
    )
    task = made["tasks"]["Northwind"]
    client.post(f"/api/v1/stewardship/tasks/{task['id']}/reject", json={"reason": "no"})
    before = counts(engine, EVERY_TABLE)

    with pytest.raises(Conflict, match="a steward decided meanwhile"):
        run_in_transaction(
            engine,
            lambda uow: apply_rematch.handle(command, uow, prepared, matcher=container.matcher),
        )

    assert counts(engine, EVERY_TABLE) == before


def test_the_command_applies_with_a_reason_and_says_what_it_wrote(
    client: TestClient, cli_env: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    hub(client)
    settings_file = tmp_path / "lower.json"
    settings_file.write_text(json.dumps(proposed(0.6, 0.5)))

    result = cli_env.invoke(
        app,
        [
            "matching",
            "rematch",
            "--settings",
            str(settings_file),
            "--apply",
            "--reason",
            "looser names",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "applied: 1 records moved, 1 golden records merged away, 0 created" in result.output
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT actor, reason FROM audit_log WHERE action = 'rematch_applied'")
        ).one()
    assert tuple(row) == ("cli", "looser names")
    assert pairs(client)["Northwind"] is True
