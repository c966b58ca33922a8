"""Golden products and prices to a Stripe stand-in end to end: Products under our id, Prices
that never change what Stripe fixes (a new Price, the old one archived, the lookup key moved),
a price waiting for its product, retirement, merges and replay."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from tests.sync.catalog import catalog_target, price, product, put_price, put_product
from tests.sync.hub import deliveries, dispatcher


@pytest.fixture
def running(client: TestClient, standins: Any) -> Any:
    """The stripe stand-in, with the hub's catalog target ``stripe`` pointing at it."""
    target = standins("stripe")
    catalog_target(client, target)
    return target


def _posts(running: Any, path: str) -> list[dict[str, Any]]:
    return [r for r in running.app.requests if r["method"] == "POST" and r["path"] == path]


def test_a_product_and_its_price_reach_stripe_product_first(
    client: TestClient, container: Container, running: Any
) -> None:
    # the price arrives first: its delivery waits for its product's
    pr = put_price(client, "PR1", price("P1", "19.90"))
    p = put_product(client, "P1", product(1))

    dispatcher(container).run_until_idle()

    stripe = running.app
    assert stripe.products[f"mdm_{p}"]["name"] == "Widget 0001"
    assert stripe.products[f"mdm_{p}"]["active"] is True
    [live] = stripe.prices_of(pr, active=True)
    assert (live["product"], live["currency"], live["unit_amount"]) == (f"mdm_{p}", "eur", 1990)
    assert live["recurring"]["interval"] == "month"
    assert live["lookup_key"] == f"mdm_{pr}" and live["nickname"] == "standard"
    posts = [r for r in stripe.requests if r["method"] == "POST"]
    paths = [r["path"] for r in posts]
    assert paths.index("/v1/products") < paths.index("/v1/prices")
    assert all(r["headers"].get("idempotency-key") for r in posts)
    assert {d["state"] for d in deliveries(client, target="stripe")} == {"delivered"}
    crosswalk = container.bus.query(lambda uow: uow.crosswalk.of("stripe", [p, pr]))
    assert crosswalk == {p: f"mdm_{p}", pr: live["id"]}


def test_a_changed_amount_is_a_new_price_and_the_old_one_is_archived(
    client: TestClient, container: Container, running: Any
) -> None:
    put_product(client, "P1", product(1))
    pr = put_price(client, "PR1", price("P1", "19.90"))
    d = dispatcher(container)
    d.run_until_idle()
    [first] = running.app.prices_of(pr)

    put_price(client, "PR1", price("P1", "24.50"))
    d.run_until_idle()

    [live] = running.app.prices_of(pr, active=True)
    old = next(p for p in running.app.prices_of(pr) if p["id"] == first["id"])
    assert live["unit_amount"] == 2450 and live["id"] != first["id"]
    assert old["active"] is False and old["lookup_key"] is None
    assert live["lookup_key"] == f"mdm_{pr}" and live["metadata"]["mdm_replaces"] == first["id"]
    # an update never tried to change what Stripe fixes
    updates = [r for r in running.app.requests if r["path"] == f"/v1/prices/{first['id']}"]
    assert updates and all("unit_amount" not in r["body"] for r in updates)
    assert running.app.duplicates() == {}


def test_a_price_change_only_stripe_may_change_is_an_update(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("stripe")
    catalog_target(client, running, options={"price_books": {"partner": "Partner EU"}})
    put_product(client, "P1", product(1))
    pr = put_price(client, "PR1", price("P1", price_book="standard"))
    d = dispatcher(container)
    d.run_until_idle()

    put_price(client, "PR1", price("P1", price_book="partner"))
    d.run_until_idle()

    [only] = running.app.prices_of(pr)
    assert only["active"] is True and only["nickname"] == "Partner EU"
    assert only["metadata"]["mdm_price_book"] == "Partner EU"
    assert len(_posts(running, "/v1/prices")) == 1


def test_tiers_and_a_quarter_map_to_stripe_words(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("stripe")
    catalog_target(client, running, options={"tiers_mode": "volume"})
    put_product(client, "P1", product(1, type="subscription"))
    tiers = [
        {"up_to": 10, "unit_amount": "5.00"},
        {"up_to": None, "unit_amount": "4.25", "flat_amount": "10"},
    ]
    body = price("P1", billing_period="quarter", tiers=tiers, currency="JPY", unit_amount="500")
    pr = put_price(client, "PR1", body)

    dispatcher(container).run_until_idle()

    [live] = running.app.prices_of(pr, active=True)
    assert live["recurring"]["interval"] == "month" and live["recurring"]["interval_count"] == 3
    assert (live["billing_scheme"], live["tiers_mode"], live["currency"]) == (
        "tiered",
        "volume",
        "jpy",
    )
    # JPY has no minor unit: 4.25 yen is a fraction of Stripe's unit, sent as a decimal
    assert [(t["up_to"], t["unit_amount_decimal"], t["flat_amount"]) for t in live["_tiers"]] == [
        (10, "5", None),
        (None, "4.25", 10),
    ]


def test_a_retired_product_is_archived_and_its_merge_moves_the_prices(
    client: TestClient, container: Container, running: Any
) -> None:
    keep = put_product(client, "P1", product(1))
    gone = put_product(client, "P2", product(2))
    pr = put_price(client, "PR2", price("P2", "9.00", currency="USD"))
    d = dispatcher(container)
    d.run_until_idle()
    [before] = running.app.prices_of(pr)

    merged = client.post(
        "/api/v1/golden/product/merge",
        json={"survivor": keep, "merged": [gone], "reason": "same widget"},
    )
    assert merged.status_code == 200, merged.text
    d.run_until_idle()

    assert running.app.products[f"mdm_{gone}"]["active"] is False
    assert running.app.products[f"mdm_{gone}"]["metadata"]["mdm_merged_into"] == keep
    # a Price cannot change product: the price moved to the survivor is a new Price there
    [live] = running.app.prices_of(pr, active=True)
    assert live["product"] == f"mdm_{keep}" and live["id"] != before["id"]
    assert running.app.prices[before["id"]]["active"] is False

    put_product(client, "P1", product(1, status="retired"))
    d.run_until_idle()
    assert running.app.products[f"mdm_{keep}"]["active"] is False
    assert running.app.duplicates() == {}


def test_a_price_stripe_refuses_is_a_dead_letter_that_replays(
    client: TestClient, container: Container, running: Any
) -> None:
    put_product(client, "P1", product(1))
    pr = put_price(client, "PR1", price("P1"))
    running.app.inject("status", status=400, path="/v1/prices", method="POST", times=1)
    d = dispatcher(container)
    d.run_until_idle()
    [dead] = deliveries(client, target="stripe", state="dead")
    assert dead["golden_id"] == pr and running.app.prices_of(pr) == []

    replayed = client.post("/api/v1/sync/replay", json={"target": "stripe", "state": "dead"})
    d.run_until_idle()

    assert replayed.json()["replayed"] == 1
    assert len(running.app.prices_of(pr, active=True)) == 1
    assert {x["state"] for x in deliveries(client, target="stripe")} == {"delivered"}


def test_an_unmerge_brings_the_product_and_its_price_back(
    client: TestClient, container: Container, running: Any
) -> None:
    keep = put_product(client, "P1", product(1))
    gone = put_product(client, "P2", product(2))
    pr = put_price(client, "PR2", price("P2", "9.00"))
    d = dispatcher(container)
    d.run_until_idle()
    client.post(
        "/api/v1/golden/product/merge",
        json={"survivor": keep, "merged": [gone], "reason": "same widget"},
    )
    d.run_until_idle()

    undone = client.post(
        f"/api/v1/golden/product/{keep}/unmerge", json={"merged": gone, "reason": "not the same"}
    )
    d.run_until_idle()

    assert undone.status_code == 200, undone.text
    assert running.app.products[f"mdm_{gone}"]["active"] is True
    [live] = running.app.prices_of(pr, active=True)
    assert live["product"] == f"mdm_{gone}"
    assert len(running.app.prices_of(pr)) == 3  # the first, the one under the survivor, this one
    assert running.app.duplicates() == {}
