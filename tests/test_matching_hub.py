"""The hub matches with the probabilistic engine: fuzzy links with explanations,
find-matches without writing, capped candidate lookup, and training from stewards."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from mdm.bootstrap import Container, bootstrap
from mdm.db.uow import run_in_transaction
from mdm.domain import candidates
from mdm.domain.learning import MIN_LABELS_PER_KIND
from mdm.settings import Settings
from tests.helpers import counts, put_ok
from tests.test_matching_learning import seed_labels

WIDGETS_CRM = {
    "kind": "organization",
    "name": "Acme Widgets Inc",
    "website": "https://www.acme-widgets.example/about",
    "phone": "+1 415 555 0100",
    "address": {"line1": "1 Market Street", "city": "San Francisco", "country": "US"},
}
WIDGETS_BILLING = {
    "kind": "organization",
    "name": "ACME Widgest Incorporated",  # typo and another legal form
    "email": "billing@acme-widgets.example",
    "phone": "+1 (415) 555-0100",
    "address": {"line1": "1 Market St", "city": "San Francisco", "country": "US"},
}
GLOBEX = {
    "kind": "organization",
    "name": "Globex Corporation",
    "address": {"city": "San Francisco", "country": "US"},
}


def decisions(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT action, settings_version, explanation FROM match_decision ORDER BY id")
        ).mappings()
        return [
            {**r, "explanation": orjson.loads(r["explanation"])}
            if isinstance(r["explanation"], str)
            else dict(r)
            for r in rows
        ]


def test_a_noisy_copy_links_and_the_decision_explains_itself(
    client: TestClient, engine: Engine
) -> None:
    first = put_ok(client, "crm/customer/C1", WIDGETS_CRM)
    second = put_ok(client, "billing/customer/B1", WIDGETS_BILLING)
    other = put_ok(client, "erp/customer/E1", GLOBEX)

    assert second["action"] == "linked"
    assert second["golden_id"] == first["golden_id"]
    assert other["action"] == "created"
    linked = decisions(engine)[1]
    explanation = linked["explanation"]
    assert linked["action"] == "link"
    assert linked["settings_version"] == "customer/3"
    assert explanation["match_probability"] >= 0.9
    by_name = {c["comparison"]: c for c in explanation["comparisons"]}
    assert by_name["phone"]["level"] == "phone equal (E.164)"
    assert by_name["name"]["level"].startswith("name Jaro-Winkler")
    assert by_name["name"]["log2_weight"] > 0
    assert "domain:acme-widgets.example" in explanation["shared_keys"]


def test_find_matches_answers_the_ingest_decision_and_writes_nothing(
    client: TestClient, client_as: Callable[..., TestClient], engine: Engine
) -> None:
    gid = put_ok(client, "crm/customer/C1", WIDGETS_CRM)["golden_id"]
    put_ok(client, "erp/customer/E1", GLOBEX)
    before = counts(engine)

    r = client_as("reader").post("/api/v1/match/customer", json=WIDGETS_BILLING)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"]["action"] == "link"
    assert body["decision"]["golden_id"] == gid
    assert body["candidates"][0]["golden_id"] == gid
    assert body["candidates"][0]["match_probability"] >= 0.9
    assert "phone:+14155550100" in body["candidates"][0]["shared_keys"]
    assert counts(engine) == before


def test_find_matches_rejects_bad_input_by_name(client: TestClient, engine: Engine) -> None:
    before = counts(engine)

    bad = client.post("/api/v1/match/customer", json={"kind": "organization", "name": 7})
    unknown = client.post("/api/v1/match/planet", json={"name": "Mars"})
    not_json = client.post(
        "/api/v1/match/customer",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )

    assert bad.status_code == 422
    assert "/name" in [e["pointer"] for e in bad.json()["error"]["errors"]]
    assert unknown.status_code == 404
    assert not_json.status_code == 400
    assert counts(engine) == before


def test_a_common_key_is_capped_and_the_record_sharing_most_keys_still_wins(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many golden records share the name-prefix key; the true one also shares the phone
    and street keys, so it is found although the common key only yields a few ids."""
    monkeypatch.setattr(candidates, "PER_KEY_LIMIT", 2)
    monkeypatch.setattr(candidates, "MAX_CANDIDATES", 3)
    for n in range(6):
        put_ok(
            client,
            f"erp/customer/X{n}",
            {"kind": "organization", "name": f"Acme {n} Holdings", "address": {"country": "US"}},
        )
    gid = put_ok(client, "crm/customer/C1", WIDGETS_CRM)["golden_id"]

    result = put_ok(client, "billing/customer/B1", WIDGETS_BILLING)

    assert result["action"] == "linked"
    assert result["golden_id"] == gid


def test_golden_ids_by_keys_caps_each_key(container: Container) -> None:
    rows = [
        {"entity_type": "customer", "key": "name4:acme|US", "golden_id": f"g{n:02d}"}
        for n in range(10)
    ] + [{"entity_type": "customer", "key": "phone:+1", "golden_id": "g05"}]
    run_in_transaction(container.engine, lambda uow: uow.keys.insert(rows))

    found = container.bus.query(
        lambda uow: uow.keys.golden_ids("customer", ["name4:acme|US", "phone:+1"], per_key=3)
    )

    assert len(found["name4:acme|US"]) == 3
    assert found["phone:+1"] == {"g05"}


def _review_task(client: TestClient) -> dict:
    put_ok(
        client,
        "erp/customer/E1",
        {"kind": "organization", "name": "Acme Inc", "tax_id": "DE811907980"},
    )
    put_ok(
        client,
        "crm/customer/C1",
        {"kind": "organization", "name": "Acme", "email": "ap@acme.example"},
    )
    put_ok(
        client,
        "billing/customer/B1",
        {
            "kind": "organization",
            "name": "ACME",
            "tax_id": "DE811907980",
            "email": "ap@acme.example",
        },
    )
    return client.get("/api/v1/stewardship/tasks").json()["items"][0]


def test_training_from_steward_decisions_changes_the_settings_every_later_decision_records(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    task = _review_task(client)
    client.post(f"/api/v1/stewardship/tasks/{task['id']}/reject", json={"reason": "no"})
    seed_labels(engine, matches=MIN_LABELS_PER_KIND, non_matches=MIN_LABELS_PER_KIND - 1)

    r = client.post("/api/v1/matching/customer/train", json={"reason": "first labels"})

    assert r.status_code == 200, r.text
    trained = r.json()
    assert trained["version"].startswith("customer/3+trained.")
    labels = 2 * MIN_LABELS_PER_KIND
    assert (trained["labels"], trained["matches"], trained["non_matches"]) == (labels, 20, 20)
    assert trained["version"] in client.get("/api/v1/matching/settings").json()["in_use"]
    put_ok(client, "support/customer/S1", GLOBEX)
    assert decisions(engine)[-1]["settings_version"] == trained["version"]
    audit = client.get("/api/v1/audit").json()["entries"]
    assert audit[0]["action"] == "matcher_trained"
    # a restarted hub decides with what was trained
    assert trained["version"] in bootstrap(settings, engine=engine).matcher.settings_version
    # the same labels again give the same version
    again = client.post("/api/v1/matching/customer/train", json={}).json()
    assert again["version"] == trained["version"]


def test_training_needs_labels_a_matched_type_and_the_admin_role(
    client: TestClient, client_as: Callable[..., TestClient], engine: Engine
) -> None:
    before = counts(engine, ("match_settings", "audit_log"))

    none_yet = client.post("/api/v1/matching/customer/train", json={})
    prices = client.post("/api/v1/matching/price/train", json={})
    steward = client_as("steward").post("/api/v1/matching/customer/train", json={})

    assert none_yet.status_code == 409
    assert "there are 0 matches and 0 non-matches" in none_yet.json()["error"]["message"]
    assert prices.status_code == 422
    assert steward.status_code == 403
    assert counts(engine, ("match_settings", "audit_log")) == before
    assert client.get("/api/v1/matching/settings").json()["trained"] == []


def test_each_source_record_keeps_its_prepared_form_for_later_candidates(
    client: TestClient, engine: Engine
) -> None:
    put_ok(client, "crm/customer/C1", WIDGETS_CRM)

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT match_std FROM source_record")).scalar_one()
    stored = orjson.loads(stored) if isinstance(stored, str) else stored

    assert stored["phone"] == "+14155550100"
    assert stored["domain"] == "acme-widgets.example"
    assert stored["_standardizer"] == "3"


def test_the_exact_matcher_can_be_chosen_and_links_only_on_identifiers(
    database_url: str, engine: Engine
) -> None:
    from matching.exact import ExactIdentifierMatcher

    container = bootstrap(Settings(database_url=database_url, matcher="exact"), engine=engine)

    assert isinstance(container.matcher, ExactIdentifierMatcher)
    assert container.matcher.keys("customer", WIDGETS_CRM) == []
    assert container.matcher.keys("customer", {**WIDGETS_CRM, "tax_id": "DE811907980"})


def test_a_look_alike_with_another_tax_id_does_not_multiply_golden_records(
    client: TestClient, engine: Engine
) -> None:
    def northgate(tax_id: str) -> dict:
        return {
            "kind": "organization",
            "name": "Northgate Bearings Inc",
            "tax_id": tax_id,
            "phone": "+1 415 555 0190",
            "address": {"line1": "1 Harbor Way", "city": "Oakland", "country": "US"},
        }

    first = put_ok(client, "crm/customer/N1", northgate("94-3011111"))
    second = put_ok(client, "crm/customer/N2", northgate("94-3022222"))
    later = [
        put_ok(client, f"{source}/customer/{source}-{tax[-1]}", northgate(tax))
        for source in ("erp", "billing")
        for tax in ("94-3022222", "94-3011111")
    ]

    assert second["action"] == "review"
    golden = {r["golden_id"] for r in [first, second, *later]}
    assert golden == {first["golden_id"], second["golden_id"]}
    by_tax = {r["golden_id"] for r in later[0::2]}, {r["golden_id"] for r in later[1::2]}
    assert by_tax == ({second["golden_id"]}, {first["golden_id"]})
