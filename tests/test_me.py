"""``GET /api/v1/me``: a client learns its key's name and roles (implied ones included),
so it can offer only what the key may do."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_me_names_the_key_and_its_roles(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    assert client.get("/api/v1/me").json() == {
        "name": "test admin",
        "roles": ["admin", "pii", "reader", "steward"],
    }
    assert client_as("steward").get("/api/v1/me").json() == {
        "name": "test",
        "roles": ["reader", "steward"],
    }
    assert client_as("source:crm").get("/api/v1/me").json()["roles"] == ["source:crm"]


def test_me_needs_a_known_key(client: TestClient) -> None:
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})

    assert r.status_code == 401
