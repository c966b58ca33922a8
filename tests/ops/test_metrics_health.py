"""``/metrics`` counts what the hub did and reads what waits in the database;
``/health/live`` and ``/health/ready`` say whether to send it traffic."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from mdm.app import create_app
from mdm.bootstrap import Container, bootstrap
from mdm.db.engine import make_engine
from mdm.settings import Settings
from tests.browser.seed import seed_review
from tests.events.events import ACME, invoice, posted
from tests.helpers import ACME_CRM
from tests.sync.nats_probe import nats_url

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_ingest_results_match_decisions_and_http_answers_are_counted(
    client: TestClient,
) -> None:
    put = "/api/v1/sources/{source}/{entity_type}/{source_id}"
    before = scrape(client)

    client.put("/api/v1/sources/crm/customer/C1", json=ACME_CRM)
    client.post(
        "/api/v1/sources/erp/customer/batch",
        json=[
            {"source_id": "E1", "record": {**ACME_CRM, "name": "ACME Corp"}},
            {"source_id": "E2", "record": {"kind": "organization"}},
        ],
    )
    client.get("/api/v1/no/such/route")
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ingest = "mdm_ingest_results_total"
    assert delta(ingest, source="crm", entity_type="customer", action="created") == 1
    assert delta(ingest, source="erp", entity_type="customer", action="rejected") == 1
    linked = delta(ingest, source="erp", entity_type="customer", action="linked")
    review = delta(ingest, source="erp", entity_type="customer", action="review")
    assert linked + review == 1
    decisions = "mdm_match_decisions_total"
    assert delta(decisions, entity_type="customer", outcome="new") == 1
    assert delta(decisions, entity_type="customer", outcome="link") == linked
    requests = "mdm_http_requests_total"
    assert delta(requests, method="PUT", route=put, status="200") == 1
    assert delta(requests, method="GET", route="unmatched", status="404") == 1
    assert delta("mdm_http_request_duration_seconds_count", method="PUT", route=put) == 1


def test_inbound_events_are_counted_by_source_type_and_outcome(client: TestClient) -> None:
    client.put("/api/v1/sources/billing/customer/C-1", json=ACME)
    before = scrape(client)

    first = invoice("e1", "C-1", "2026-03-01T09:00:00Z", "INV-1")
    parked = invoice("e2", "C-404", "2026-03-01T09:00:00Z", "INV-2")
    assert posted(client, "billing", [first, parked, first]) == ["stored", "parked", "duplicate"]
    after = scrape(client)

    def delta(**labels: str) -> float:
        name = "mdm_inbound_events_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(source="billing", event_type="invoice.posted", outcome="stored") == 1
    assert delta(source="billing", event_type="invoice.posted", outcome="parked") == 1
    assert delta(source="billing", event_type="invoice.posted", outcome="duplicate") == 1


def test_open_tasks_and_the_outbox_backlog_are_read_from_the_database(
    client: TestClient, container: Container
) -> None:
    task = seed_review(client, "Acme", 1)  # a TestClient is an httpx client
    with container.engine.connect() as conn:
        outbox = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()

    samples = scrape(client)

    assert value(samples, "mdm_database_up") == 1
    assert value(samples, "mdm_steward_tasks_open", entity_type="customer", kind=task["kind"]) == 1
    # nothing relayed yet: both relays have every event still to read
    assert value(samples, "mdm_outbox_backlog", relay="deliveries") == outbox > 0
    assert value(samples, "mdm_outbox_backlog", relay="stream") == outbox
    assert value(samples, "mdm_outbox_oldest_age_seconds", relay="deliveries") >= 0


def test_live_and_ready_answer_and_need_no_key(app: FastAPI) -> None:
    anonymous = TestClient(app)

    live = anonymous.get("/health/live")
    ready = anonymous.get("/health/ready")

    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    # NATS is checked too where one is configured (CI's PostgreSQL pass sets MDM_NATS_URL)
    expected = ["database", "nats"] if os.environ.get("MDM_NATS_URL") else ["database"]
    assert list(ready.json()["checks"]) == expected
    assert ready.json()["checks"]["database"]["status"] == "ok"


def test_ready_is_503_naming_a_database_it_cannot_reach() -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    app = create_app(bootstrap(settings, engine=make_engine(settings.database_url)))
    anonymous = TestClient(app)

    ready = anonymous.get("/health/ready")
    samples = scrape(anonymous)

    assert ready.status_code == 503
    assert ready.json()["status"] == "unready"
    assert ready.json()["checks"]["database"]["status"] == "failed"
    assert value(samples, "mdm_database_up") == 0
    assert anonymous.get("/health/live").status_code == 200


@pytest.mark.nats
@pytest.mark.skipif(
    nats_url() is None, reason="no NATS server: set MDM_NATS_URL or run nats-server -js"
)
def test_ready_checks_nats_when_it_is_configured(container: Container) -> None:
    def ready(url: str) -> Any:
        settings = container.settings.model_copy(update={"nats_url": url})
        return TestClient(create_app(replace(container, settings=settings))).get("/health/ready")

    up = ready(nats_url() or "")
    down = ready("nats://127.0.0.1:1")

    assert up.status_code == 200, up.text
    assert up.json()["checks"]["nats"]["status"] == "ok"
    assert down.status_code == 503
    assert down.json()["checks"]["nats"]["status"] == "failed"
    assert down.json()["checks"]["database"]["status"] == "ok"
