"""Wiring a test hub to stand-in targets: register a target through the API, run the
dispatcher, read what the target holds."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from sync.dispatch import Policy
from sync.worker import Dispatcher
from tests.standins.fixtures import TOKEN, ZENDESK_EMAIL, Running

SOURCE_OF = {"salesforce": "crm", "stripe": "billing", "netsuite": "erp", "zendesk": "support"}


def add_target(client: TestClient, running: Running, name: str | None = None, **body: Any) -> str:
    kind = running.app.kind
    name = name or kind
    credentials = {"token": TOKEN}
    if kind == "zendesk":
        credentials["email"] = ZENDESK_EMAIL
    payload = {
        "kind": kind,
        "base_url": running.url,
        "credentials": credentials,
        "source": SOURCE_OF[kind],
        "entity_types": ["customer"],
        **body,
    }
    response = client.put(f"/api/v1/sync/targets/{name}", json=payload)
    assert response.status_code in (200, 201), response.text
    return name


def dispatcher(container: Container, **policy: Any) -> Dispatcher:
    """A dispatcher run step by step, retrying at once (no backoff) unless told otherwise."""
    options = {"backoff_base_s": 0.0, "backoff_cap_s": 0.0} | policy
    return Dispatcher(container, worker_id="test-worker", policy=Policy(**options))


def deliveries(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/sync/deliveries", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
