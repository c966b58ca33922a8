"""A catalog target's configuration is checked when it is stored (422 naming the field,
nothing stored), its object options merge over their defaults, and the stand-ins refuse what
the real APIs refuse about products and prices."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.standins.fixtures import TOKEN


def _body(kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "base_url": "https://target.example",
        "credentials": {"token": "t"},
        "entity_types": ["product", "price"],
        **extra,
    }


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (_body("stripe", entity_types=["price"]), "/entity_types"),
        (_body("zendesk", credentials={"token": "t", "email": "a@b.example"}), "/entity_types"),
        (_body("stripe", options={"tiers_mode": "flat"}), "/options/tiers_mode"),
        (_body("stripe", options={"price_books": ["a"]}), "/options/price_books"),
        (
            _body("netsuite", options={"price_books": {"partner": 2}}),
            "/options/price_books/partner",
        ),
        (
            _body("netsuite", options={"item_types": {"one_time": "customer"}}),
            "/options/item_types/one_time",
        ),
        (_body("salesforce", options={"multi_currency": "yes"}), "/options/multi_currency"),
    ],
)
def test_a_catalog_target_that_cannot_work_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], pointer: str
) -> None:
    refused = client.put("/api/v1/sync/targets/catalog", json=body)

    assert refused.status_code == 422, refused.text
    assert [e["pointer"] for e in refused.json()["error"]["errors"]] == [pointer]
    assert client.get("/api/v1/sync/targets").json()["targets"] == []


def test_object_options_merge_over_their_defaults(client: TestClient) -> None:
    body = _body("netsuite", options={"price_books": {"partner": "2"}})

    created = client.put("/api/v1/sync/targets/erp-out", json=body)

    assert created.status_code == 201, created.text
    options = created.json()["options"]
    assert options["price_books"] == {"*": "1", "partner": "2"}
    assert options["item_types"]["subscription"] == "serviceSaleItem"
    assert created.json()["entity_types"] == ["product", "price"]


def test_stripe_refuses_to_change_what_a_price_fixes(standins: Any) -> None:
    running = standins("stripe")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=running.url, headers=auth) as stripe:
        stripe.post("/v1/products", data={"id": "mdm_p", "name": "Widget"}).raise_for_status()
        made = stripe.post(
            "/v1/prices", data={"product": "mdm_p", "currency": "eur", "unit_amount": "100"}
        )
        price_id = made.json()["id"]
        changed = stripe.post(f"/v1/prices/{price_id}", data={"unit_amount": "200"})
        again = stripe.post("/v1/products", data={"id": "mdm_p", "name": "Widget"})

    assert changed.status_code == 400
    assert changed.json()["error"]["code"] == "parameter_unknown"
    assert changed.json()["error"]["param"] == "unit_amount"
    assert running.app.prices[price_id]["unit_amount"] == 100
    assert again.json()["error"]["code"] == "resource_already_exists"
