"""Learning that every process sees: training needs enough steward labels of both kinds,
a trained version decides in every process at once, the hub retrains on its own records,
and GET /api/v1/matching/settings shows what decides."""

from __future__ import annotations

import math
import random
import string
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from canonical.commands import CreateApiKey, IngestItem, IngestRecords, RetrainMatcher, TrainMatcher
from canonical.errors import Conflict
from matching.settings import default_settings
from mdm.api.schemas.matching import SettingsInUse
from mdm.app import create_app
from mdm.bootstrap import Container, bootstrap
from mdm.cli import app
from mdm.db.engine import make_engine
from mdm.db.types import utcnow
from mdm.db.uow import run_in_transaction
from mdm.domain.learning import MIN_LABELS_PER_KIND
from mdm.queries.match_settings import settings_in_use
from mdm.settings import Settings
from tests.helpers import counts

CITIES = ("Berlin", "Lyon", "Austin", "Leeds", "Porto", "Graz", "Turin", "Malmo")
WORDS = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
TRADES = ("Widgets", "Logistics", "Foods", "Robotics", "Textiles", "Media", "Labs", "Energy")


def company(i: int) -> dict[str, Any]:
    return {
        "kind": "organization",
        "name": f"{WORDS[i % 8]} {TRADES[(i // 8) % 8]} {i} GmbH",
        "phone": f"+49 30 {5550000 + i * 7}",
        "address": {"line1": f"{i} Hauptstrasse", "city": CITIES[i % 8], "country": "DE"},
    }


def noisy(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "name": record["name"].upper().replace("GMBH", "G.m.b.H.")}


def seed_labels(engine: Engine, *, matches: int, non_matches: int) -> None:
    rows = [
        {
            "entity_type": "customer",
            "left_record": company(i),
            "right_record": noisy(company(i)) if is_match else company(i + 500),
            "is_match": is_match,
            "task_id": None,
            "actor": "steward",
            "created_at": utcnow(),
        }
        for i, is_match in enumerate([True] * matches + [False] * non_matches)
    ]
    run_in_transaction(engine, lambda uow: uow.labels.insert(rows))


def ingest(container: Container, source: str, records: dict[str, dict[str, Any]]) -> list[Any]:
    items = tuple(IngestItem(sid, rec) for sid, rec in records.items())
    result = container.bus.handle(IngestRecords(source, "customer", items))
    return list(result) if isinstance(result, list | tuple) else [result]


def decided_versions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT settings_version FROM match_decision ORDER BY id"))
        return [r[0] for r in rows]


@pytest.fixture
def other(settings: Settings, database_url: str) -> Any:
    """A second process on the same database: its own engine, matcher and bus."""
    engine = make_engine(database_url)
    yield bootstrap(settings, engine=engine)
    engine.dispose()


def test_training_below_the_minimum_is_refused_naming_the_counts_and_writes_nothing(
    client: TestClient, engine: Engine
) -> None:
    seed_labels(engine, matches=MIN_LABELS_PER_KIND - 1, non_matches=MIN_LABELS_PER_KIND + 5)
    before = counts(engine, ("match_settings", "audit_log"))

    r = client.post("/api/v1/matching/customer/train", json={})

    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "not_enough_labels"
    assert error["message"] == (
        "training customer settings from steward labels needs at least 20 matches and "
        "20 non-matches; there are 19 matches and 25 non-matches so far"
    )
    assert counts(engine, ("match_settings", "audit_log")) == before


def test_a_version_trained_in_one_process_decides_in_another_at_once(
    container: Container, other: Container, engine: Engine
) -> None:
    seed_labels(engine, matches=MIN_LABELS_PER_KIND, non_matches=MIN_LABELS_PER_KIND)
    ingest(other, "crm", {"C1": company(1)})
    assert decided_versions(engine) == ["customer/3"]
    before = other.matcher.settings_version

    trained = container.bus.handle(TrainMatcher("customer", "test"))
    ingest(other, "billing", {"B1": noisy(company(1))})
    other.bus.handle(CreateApiKey("other process", ("reader",), secret="mdm_other_reader"))
    with TestClient(create_app(other)) as http:
        found = http.post(
            "/api/v1/match/customer",
            json=noisy(company(1)),
            headers={"Authorization": "Bearer mdm_other_reader"},
        )

    assert trained["version"].startswith("customer/3+trained.")
    assert trained["version"] not in before
    assert decided_versions(engine) == ["customer/3", trained["version"]]
    assert found.json()["decision"]["settings_version"] == trained["version"]
    assert trained["version"] in other.matcher.settings_version


def test_the_same_labels_train_the_same_version_and_the_newest_training_wins(
    container: Container, other: Container, engine: Engine
) -> None:
    seed_labels(engine, matches=MIN_LABELS_PER_KIND, non_matches=MIN_LABELS_PER_KIND)
    first = container.bus.handle(TrainMatcher("customer", "test"))
    seed_labels(engine, matches=5, non_matches=0)
    second = other.bus.handle(TrainMatcher("customer", "test"))
    ingest(container, "crm", {"C1": company(2)})
    again = container.bus.handle(TrainMatcher("customer", "test"))

    assert first["version"] != second["version"]
    assert again["version"] == second["version"]
    assert second["version"] in container.matcher.settings_version


def records_for_retraining() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    crm = {f"C{i}": company(i) for i in range(120)}
    billing = {f"B{i}": noisy(company(i)) for i in range(0, 120, 4)}
    return crm, billing


def test_the_hub_retrains_on_its_own_records_with_no_labels_and_every_process_uses_it(
    container: Container, other: Container, engine: Engine
) -> None:
    crm, billing = records_for_retraining()
    ingest(container, "crm", crm)
    ingest(container, "billing", billing)

    summary = container.bus.handle(RetrainMatcher("customer", "test", "records only"))
    ingest(other, "erp", {"E1": noisy(company(7))})

    assert summary["records"] == 150
    assert (summary["labels_used"], summary["labels"]) == (False, 0)
    assert summary["version"] == summary["from_records"]
    assert summary["version"].startswith("customer/3+trained.")
    assert decided_versions(engine)[-1] == summary["version"]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT version, labels FROM match_settings")).all()
    assert [tuple(r) for r in stored] == [(summary["version"], 0)]
    shipped = default_settings("customer")
    assert other.matcher.settings_for("customer").prior != shipped.prior  # type: ignore[attr-defined]


def test_retraining_refines_with_enough_labels_and_label_training_builds_on_it(
    container: Container, engine: Engine
) -> None:
    crm, billing = records_for_retraining()
    ingest(container, "crm", crm)
    ingest(container, "billing", billing)
    seed_labels(engine, matches=MIN_LABELS_PER_KIND, non_matches=MIN_LABELS_PER_KIND)

    summary = container.bus.handle(RetrainMatcher("customer", "test"))
    labels_only = container.bus.handle(TrainMatcher("customer", "test"))

    assert summary["labels_used"] is True
    assert summary["labels"] == 2 * MIN_LABELS_PER_KIND
    assert summary["version"] != summary["from_records"]
    assert labels_only["refined_from"] == summary["from_records"]
    assert labels_only["version"] == summary["version"]  # same records, same labels


def test_retraining_needs_records_and_a_matched_type(
    client: TestClient, client_as: Callable[..., TestClient], engine: Engine
) -> None:
    before = counts(engine, ("match_settings", "audit_log"))

    few = client.post("/api/v1/matching/customer/retrain", json={})
    prices = client.post("/api/v1/matching/price/retrain", json={})
    reader = client_as("reader").post("/api/v1/matching/customer/retrain", json={})

    assert few.status_code == 409
    assert few.json()["error"]["message"] == (
        "retraining customer settings needs at least 100 customer records in the hub; there are 0"
    )
    assert prices.status_code == 422
    assert reader.status_code == 403
    assert counts(engine, ("match_settings", "audit_log")) == before


def test_retraining_refuses_records_that_share_no_blocking_key(
    client: TestClient, container: Container, engine: Engine
) -> None:
    rng = random.Random(3)
    names = {"".join(rng.choices(string.ascii_lowercase, k=9)).title() for _ in range(100)}
    unrelated = {f"U{i}": {"kind": "organization", "name": n} for i, n in enumerate(names)}
    ingest(container, "crm", unrelated)
    before = counts(engine, ("match_settings", "audit_log"))

    r = client.post("/api/v1/matching/customer/retrain", json={})

    assert r.status_code == 409
    assert r.json()["error"]["message"] == (
        "no two of the 100 customer records share a blocking key, so there is nothing to "
        "estimate m and the prior from"
    )
    assert counts(engine, ("match_settings", "audit_log")) == before


def test_the_settings_page_shows_thresholds_prior_blocking_and_each_level_weight(
    client_as: Callable[..., TestClient],
) -> None:
    reader = client_as("reader")

    both = reader.get("/api/v1/matching/settings")
    product = reader.get("/api/v1/matching/settings", params={"entity_type": "product"})
    price = reader.get("/api/v1/matching/settings", params={"entity_type": "price"})

    assert both.status_code == 200
    body = SettingsInUse.model_validate(both.json())
    assert [s.entity_type for s in body.settings] == ["customer", "product"]
    customer = body.settings[0]
    shipped = default_settings("customer")
    assert customer.version == shipped.version
    assert (customer.thresholds.link, customer.thresholds.review) == (0.9, 0.5)
    assert customer.prior == shipped.prior
    assert [b.name for b in customer.blocking] == [r.name for r in shipped.blocking]
    level = shipped.comparisons[0].levels[1]
    shown = customer.comparisons[0].levels[1]
    assert (shown.label, shown.m, shown.u) == (level.label, level.m, level.u)
    assert shown.weight == pytest.approx(math.log2(level.m / level.u))
    assert [s["entity_type"] for s in product.json()["settings"]] == ["product"]
    assert price.status_code == 422


def test_the_settings_response_is_documented_in_openapi(client: TestClient) -> None:
    document = client.get("/openapi.json").json()

    ok = document["paths"]["/api/v1/matching/settings"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/SettingsInUse"
    level = document["components"]["schemas"]["LevelPublic"]
    assert {"label", "m", "u", "weight"} <= set(level["required"])


def test_the_cli_refuses_training_below_the_minimum_with_the_counts_and_exits_2(
    cli_env: CliRunner, engine: Engine
) -> None:
    seed_labels(engine, matches=3, non_matches=MIN_LABELS_PER_KIND)

    result = cli_env.invoke(app, ["matching", "train", "--entity", "customer"])

    assert result.exit_code == 2
    assert result.stderr == (
        "error: training customer settings from steward labels needs at least 20 matches "
        "and 20 non-matches; there are 3 matches and 20 non-matches so far\n"
    )
    assert counts(engine, ("match_settings",)) == {"match_settings": 0}


def test_the_cli_retrains_on_the_hubs_records_and_says_the_labels_were_left_out(
    cli_env: CliRunner, container: Container, engine: Engine
) -> None:
    crm, billing = records_for_retraining()
    ingest(container, "crm", crm)
    ingest(container, "billing", billing)
    seed_labels(engine, matches=2, non_matches=1)

    result = cli_env.invoke(app, ["matching", "retrain", "-e", "customer", "--reason", "weekly"])
    shown = cli_env.invoke(app, ["matching", "settings", "-e", "customer"])

    assert result.exit_code == 0, result.output
    version = orjson.loads(shown.stdout)["settings"][0]["version"]
    assert result.stdout == (
        f"retrained {version} on 150 records; steward decisions left out "
        "(2 match, 1 not a match; 20 of each needed)\n"
    )
    assert version.startswith("customer/3+trained.")


def test_following_the_newest_settings_costs_one_query_when_nothing_changed(
    container: Container, other: Container, engine: Engine
) -> None:
    seed_labels(engine, matches=MIN_LABELS_PER_KIND, non_matches=MIN_LABELS_PER_KIND)
    trained = container.bus.handle(TrainMatcher("customer", "test"))
    assert other.follower is not None
    statements: list[str] = []

    def count(*args: Any) -> None:
        if str(args[2]).startswith("SELECT"):  # not SQLite's BEGIN
            statements.append(str(args[2]))

    event.listen(other.engine, "before_cursor_execute", count)
    try:
        other.bus.query(other.follower.current)  # picks the trained version up
        picked_up = len(statements)
        other.bus.query(other.follower.current)
    finally:
        event.remove(other.engine, "before_cursor_execute", count)

    assert trained["version"] in other.matcher.settings_version
    assert picked_up == 3  # newest time, newest versions, the new body
    assert len(statements) - picked_up == 1


def test_a_matcher_without_settings_shows_none_and_trains_nothing(
    settings: Settings, engine: Engine
) -> None:
    exact = bootstrap(settings.model_copy(update={"matcher": "exact"}), engine=engine)
    seed_labels(engine, matches=MIN_LABELS_PER_KIND, non_matches=MIN_LABELS_PER_KIND)

    shown = exact.bus.query(lambda uow: settings_in_use(uow, exact.current_matcher(uow)))

    assert shown["settings"] == []
    with pytest.raises(Conflict, match="does not learn from steward decisions"):
        exact.bus.handle(TrainMatcher("customer", "test"))
