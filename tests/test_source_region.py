"""A source's default region: registered, listed, changed and validated (REST and CLI), and
used to read national phone numbers, so ``312-555-0142`` finds its candidates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from matching.standardize import STANDARDIZER_VERSION
from mdm.cli import app as cli
from tests.helpers import put_ok

ACME = {"kind": "organization", "name": "Kestrel Analytics", "phone": "312-555-0142"}
ACME_AGAIN = {"kind": "organization", "name": "Kestrel Analytics Inc.", "phone": "(312) 555-0142"}


def _sources(client: TestClient) -> dict[str, Any]:
    return {s["name"]: s for s in client.get("/api/v1/sources").json()["sources"]}


def _keys(engine: Engine, golden_id: str) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT key FROM match_key WHERE golden_id = :g"), {"g": golden_id}
        )
        return {r[0] for r in rows}


def test_a_source_is_registered_with_a_default_region_and_lists_it(client: TestClient) -> None:
    made = client.post("/api/v1/sources", json={"name": "shop_us", "default_region": "us"})

    assert made.status_code == 201, made.text
    assert made.json() == {
        "name": "shop_us",
        "description": "",
        "default_region": "US",
        "validation": "lenient",
    }
    assert _sources(client)["shop_us"]["default_region"] == "US"
    assert _sources(client)["crm"]["default_region"] is None


@pytest.mark.parametrize("region", ["USA", "XX", "1", 44, ""])
def test_a_default_region_that_is_no_iso_country_is_a_422_naming_the_field(
    client: TestClient, region: Any
) -> None:
    made = client.post("/api/v1/sources", json={"name": "shop_x", "default_region": region})
    changed = client.patch("/api/v1/sources/crm", json={"default_region": region})

    for answer in (made, changed):
        assert answer.status_code == 422, answer.text
        assert [e["pointer"] for e in answer.json()["error"]["errors"]] == ["/default_region"]
    assert "shop_x" not in _sources(client)
    assert _sources(client)["crm"]["default_region"] is None


def test_a_default_region_is_changed_and_cleared(client: TestClient) -> None:
    set_ = client.patch("/api/v1/sources/crm", json={"default_region": "DE"})
    listed = _sources(client)["crm"]["default_region"]
    cleared = client.patch("/api/v1/sources/crm", json={"default_region": None})

    assert (set_.status_code, set_.json()["default_region"], listed) == (200, "DE", "DE")
    assert cleared.json()["default_region"] is None
    assert _sources(client)["crm"]["default_region"] is None
    assert client.patch("/api/v1/sources/nope", json={"default_region": "DE"}).status_code == 404
    assert client.patch("/api/v1/sources/crm", json={}).status_code == 422


def test_a_source_name_with_a_trailing_newline_is_refused(client: TestClient) -> None:
    answer = client.post("/api/v1/sources", json={"name": "shop\n"})

    assert answer.status_code == 422
    assert answer.json()["error"]["errors"][0]["pointer"] == "/name"
    assert "shop\n" not in _sources(client)


def test_mdm_sources_add_and_update_take_a_default_region(
    cli_env: CliRunner, client: TestClient
) -> None:
    added = cli_env.invoke(cli, ["sources", "add", "shop_us", "--default-region", "US"])
    refused = cli_env.invoke(cli, ["sources", "add", "shop_zz", "--default-region", "ZZ"])
    updated = cli_env.invoke(cli, ["sources", "update", "shop_us", "--default-region", "ca"])
    listed = cli_env.invoke(cli, ["sources", "list"])

    assert added.exit_code == 0, added.output
    assert refused.exit_code == 2 and "ISO 3166" in refused.output
    assert updated.exit_code == 0, updated.output
    assert any(line.split()[:2] == ["shop_us", "CA"] for line in listed.output.splitlines())
    assert "shop_zz" not in _sources(client)


def test_a_national_phone_of_a_source_with_a_default_region_finds_the_candidate(
    client: TestClient, engine: Engine
) -> None:
    client.patch("/api/v1/sources/crm", json={"default_region": "US"})
    first = put_ok(client, "crm/customer/K-1", ACME)
    second = put_ok(client, "crm/customer/K-2", ACME_AGAIN)

    decision = client.post("/api/v1/match/customer?source=crm", json=ACME_AGAIN).json()

    assert "phone:+13125550142" in _keys(engine, first["golden_id"])
    assert second["golden_id"] == first["golden_id"], second
    assert first["golden_id"] in {c["golden_id"] for c in decision["candidates"]}
    assert "phone:+13125550142" in decision["keys"]


def test_without_a_region_the_national_digits_still_find_the_candidate(
    client: TestClient, engine: Engine
) -> None:
    first = put_ok(client, "crm/customer/K-1", ACME)

    decision = client.post("/api/v1/match/customer", json=ACME_AGAIN).json()

    assert "phone:3125550142" in _keys(engine, first["golden_id"])
    assert "phone:3125550142" in decision["keys"]
    assert first["golden_id"] in {c["golden_id"] for c in decision["candidates"]}


def test_find_matches_for_an_unknown_source_is_a_404(client: TestClient) -> None:
    assert client.post("/api/v1/match/customer?source=nope", json=ACME).status_code == 404


def _prepared(engine: Engine, source_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT match_std FROM source_record WHERE source_id = :s"), {"s": source_id}
        ).scalar_one()
    return json.loads(stored) if isinstance(stored, str) else stored


def test_restandardizing_after_a_region_change_re_keys_the_source_records(
    cli_env: CliRunner, client: TestClient, engine: Engine
) -> None:
    first = put_ok(client, "crm/customer/K-1", ACME)
    put_ok(
        client, "erp/customer/E-1", {"kind": "organization", "name": "Umbra", "phone": "555 0100"}
    )
    client.patch("/api/v1/sources/crm", json={"default_region": "US"})
    stale = _keys(engine, first["golden_id"])

    done = cli_env.invoke(cli, ["sources", "restandardize", "crm", "--page", "1"])

    assert done.exit_code == 0, done.output
    assert "customer: 1 golden records re-keyed, 1 records standardized anew" in done.output
    assert "phone:3125550142" in stale
    assert "phone:+13125550142" in _keys(engine, first["golden_id"])
    assert "phone:3125550142" not in _keys(engine, first["golden_id"])
    assert _prepared(engine, "K-1")["phone"] == "+13125550142"
    assert _prepared(engine, "E-1")["phone"] == "5550100"  # another source: left alone


def test_restandardizing_replaces_prepared_forms_of_an_older_standardizer(
    cli_env: CliRunner, client: TestClient, engine: Engine
) -> None:
    put_ok(client, "crm/customer/K-1", ACME)
    with engine.begin() as conn:
        conn.execute(text("UPDATE source_record SET match_std = NULL"))

    done = cli_env.invoke(cli, ["sources", "restandardize"])
    again = cli_env.invoke(cli, ["sources", "restandardize"])

    assert done.exit_code == 0, done.output
    assert _prepared(engine, "K-1")["_standardizer"] == STANDARDIZER_VERSION
    assert "customer: 1 golden records re-keyed, 0 records standardized anew" in again.output
    assert cli_env.invoke(cli, ["sources", "restandardize", "nope"]).exit_code == 2
