"""A target's success rate: the share of its delivery attempts in the last hour that
delivered (or found nothing to send), from the attempts the dispatcher recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from mdm.db.types import utcnow
from sync.targets import success_rate
from tests.helpers import put_ok
from tests.standins.fixtures import TOKEN
from tests.sync.hub import add_target, dispatcher

ORG = {"kind": "organization", "address": {"city": "Berlin", "country": "DE"}}


def test_the_success_rate_counts_the_last_hours_attempts(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("zendesk")
    add_target(client, running)
    made = httpx.post(
        f"{running.url}/api/v2/organizations",
        json={"organization": {"name": "Acme GmbH"}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert made.status_code == 201, made.text
    put_ok(client, "erp/customer/E1", {**ORG, "name": "Acme GmbH", "tax_id": "DE123456789"})
    put_ok(client, "erp/customer/E2", {**ORG, "name": "Globex AG", "tax_id": "DE987654321"})
    before = client.get("/api/v1/sync/targets").json()["targets"][0]

    dispatcher(container).run_until_idle()

    [target] = client.get("/api/v1/sync/targets").json()["targets"]
    assert (before["attempts_last_hour"], before["success_rate"]) == (0, None)
    assert (target["delivered"], target["dead"]) == (1, 1)
    assert (target["attempts_last_hour"], target["success_rate"]) == (2, 0.5)
    from_now_on = container.bus.query(
        lambda uow: uow.deliveries.outcomes_since(utcnow() + timedelta(minutes=1))
    )
    assert from_now_on == {}
    one = client.get("/api/v1/sync/targets/zendesk")
    assert one.status_code == 200 and one.json() == target
    assert TOKEN not in one.text
    missing = client.get("/api/v1/sync/targets/nope")
    assert missing.status_code == 404 and "no sync target 'nope'" in missing.text


def test_skipped_attempts_count_as_successes() -> None:
    assert success_rate({"delivered": 2, "skipped": 1, "retry": 1}) == 0.75
    assert success_rate({"dead": 3}) == 0.0
    assert success_rate({}) is None
