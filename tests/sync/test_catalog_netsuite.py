"""Golden products and prices to a NetSuite stand-in end to end: items upserted by external id
by the product's type, prices in the item's pricing sublist per currency and price level, a
price changed in place once its lost item is back, a merge moving prices. What every catalog
kind promises is in ``test_catalog_promises.py``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from tests.sync.catalog import catalog_target, price, product, put_price, put_product
from tests.sync.hub import deliveries, dispatcher


@pytest.fixture
def running(client: TestClient, standins: Any) -> Any:
    """The netsuite stand-in, with the hub's catalog target ``netsuite`` pointing at it."""
    target = standins("netsuite")
    catalog_target(client, target)
    return target


def test_items_by_type_and_their_prices_per_currency_and_price_level(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("netsuite")
    catalog_target(client, running, options={"price_books": {"partner": "2"}})
    pr = put_price(client, "PR1", price("P1", "19.90"))
    tiers = [{"up_to": 10, "unit_amount": "5"}, {"up_to": None, "unit_amount": "4.5"}]
    put_price(client, "PR2", price("P2", "0", currency="USD", price_book="partner", tiers=tiers))
    one = put_product(client, "P1", product(1, type="one_time"))
    sub = put_product(client, "P2", product(2, type="subscription"))

    dispatcher(container).run_until_idle()

    ns = running.app
    item = ns.item(one)
    assert (item["type"], item["itemId"], item["displayName"], item["isInactive"]) == (
        "noninventorysaleitem",
        "SKU-0001",
        "Widget 0001",
        False,
    )
    assert item["prices"] == {("4", "1", 0): 19.9}
    assert ns.item(sub)["type"] == "servicesaleitem"
    assert ns.item(sub)["prices"] == {("1", "2", 0): 5.0, ("1", "2", 11): 4.5}
    assert {d["state"] for d in deliveries(client, target="netsuite")} == {"delivered"}
    crosswalk = container.bus.query(lambda uow: uow.crosswalk.of("netsuite", [one, pr]))
    assert crosswalk == {one: item["id"], pr: f"{item['id']}:4:1"}
    assert ns.duplicates() == {}


def test_a_price_for_an_item_netsuite_lost_queues_the_product_then_changes_in_place(
    client: TestClient, container: Container, running: Any
) -> None:
    p = put_product(client, "P1", product(1))
    d = dispatcher(container)
    d.run_until_idle()
    running.app.items.clear()  # gone at NetSuite while the hub thinks it delivered

    put_price(client, "PR1", price("P1", "19.90"))
    d.run_until_idle()
    put_price(client, "PR1", price("P1", "21.00"))
    d.run_until_idle()

    assert running.app.item(p)["prices"] == {("4", "1", 0): 21.0}
    missing = [r for r in running.app.requests if r["method"] == "PATCH" and r["status"] == 404]
    assert missing  # refused first, for want of the item
    assert {x["state"] for x in deliveries(client, target="netsuite")} == {"delivered"}


def test_a_merge_moves_the_merged_items_prices_to_the_survivor(
    client: TestClient, container: Container, running: Any
) -> None:
    keep = put_product(client, "P1", product(1))
    gone = put_product(client, "P2", product(2))
    put_price(client, "PR2", price("P2", "9.00"))
    d = dispatcher(container)
    d.run_until_idle()

    merged = client.post(
        "/api/v1/golden/product/merge",
        json={"survivor": keep, "merged": [gone], "reason": "same widget"},
    )
    assert merged.status_code == 200, merged.text
    d.run_until_idle()

    assert running.app.item(keep)["prices"] == {("4", "1", 0): 9.0}
    assert running.app.duplicates() == {}


def test_a_price_level_netsuite_does_not_have_is_a_dead_letter_naming_it(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("netsuite")
    catalog_target(client, running, options={"price_books": {"*": "99"}})
    p = put_product(client, "P1", product(1))
    pr = put_price(client, "PR1", price("P1"))

    dispatcher(container).run_until_idle()

    [dead] = deliveries(client, target="netsuite", state="dead")
    assert dead["golden_id"] == pr
    assert dead["last_error"]["target_code"] == "INVALID_KEY_OR_REF"
    assert running.app.item(p)["prices"] == {}
