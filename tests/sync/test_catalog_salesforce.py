"""Golden products and prices to a Salesforce stand-in end to end: Product2 and PricebookEntry
upserted by external id, the standard price book's entry before a custom one's, entries that
cannot change product, price book or currency, retirement and merges."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from tests.sync.catalog import catalog_target, price, product, put_price, put_product
from tests.sync.hub import deliveries, dispatcher


@pytest.fixture
def running(client: TestClient, standins: Any) -> Any:
    """The salesforce stand-in, with the hub's catalog target ``salesforce`` pointing at it."""
    target = standins("salesforce")
    catalog_target(client, target)
    return target


def test_products_and_prices_reach_salesforce_by_external_id(
    client: TestClient, container: Container, running: Any
) -> None:
    pr = put_price(client, "PR1", price("P1", "19.90", currency="USD"))
    p = put_product(client, "P1", product(1, family="Widgets"))
    put_product(client, "P2", product(2))

    dispatcher(container).run_until_idle()

    sf = running.app
    p2 = sf.product2(p)
    assert (p2["Name"], p2["ProductCode"], p2["Family"], p2["IsActive"]) == (
        "Widget 0001",
        "SKU-0001",
        "Widgets",
        True,
    )
    [entry] = sf.entries(product=p)
    assert (entry["Pricebook"], entry["UnitPrice"], entry["IsActive"]) == (
        "Standard Price Book",
        19.9,
        True,
    )
    assert entry["MDM_Golden_Id__c"].startswith(f"{pr}-")
    assert {d["state"] for d in deliveries(client, target="salesforce")} == {"delivered"}
    crosswalk = container.bus.query(lambda uow: uow.crosswalk.of("salesforce", [p, pr]))
    assert crosswalk == {p: p2["Id"], pr: entry["Id"]}


def test_a_custom_price_book_gets_the_standard_price_first_then_takes_it_over(
    client: TestClient, container: Container, standins: Any
) -> None:
    running = standins("salesforce", multi_currency=True)
    catalog_target(client, running, options={"multi_currency": True})
    p = put_product(client, "P1", product(1))
    partner = put_price(client, "PR2", price("P1", "15.00", price_book="Partner"))
    d = dispatcher(container)
    d.run_until_idle()

    books = {e["Pricebook"]: e for e in running.app.entries(product=p)}
    assert set(books) == {"Standard Price Book", "Partner"}
    assert books["Partner"]["MDM_Golden_Id__c"].startswith(f"{partner}-")
    assert books["Standard Price Book"]["UnitPrice"] == 15.0
    assert books["Standard Price Book"]["CurrencyIsoCode"] == "EUR"
    # refused for want of a standard price, which is then created, and the custom one again
    calls = [
        (r["method"], r.get("status")) for r in running.app.requests if "Pricebook" in r["path"]
    ]
    assert calls[-3:] == [("PATCH", 400), ("POST", 201), ("PATCH", 201)]

    # the hub's standard price arrives: it takes over the entry made for the custom one
    standard = put_price(client, "PR1", price("P1", "19.90"))
    d.run_until_idle()

    books = {e["Pricebook"]: e for e in running.app.entries(product=p)}
    assert len(running.app.entries(product=p)) == 2
    assert books["Standard Price Book"]["UnitPrice"] == 19.9
    assert books["Standard Price Book"]["MDM_Golden_Id__c"].startswith(f"{standard}-")
    assert running.app.duplicates() == {}


def test_a_changed_amount_updates_the_entry_and_a_moved_price_is_a_new_entry(
    client: TestClient, container: Container, running: Any
) -> None:
    keep = put_product(client, "P1", product(1))
    gone = put_product(client, "P2", product(2))
    pr = put_price(client, "PR2", price("P2", "9.00", currency="USD"))
    d = dispatcher(container)
    d.run_until_idle()
    [first] = running.app.entries(product=gone)

    put_price(client, "PR2", price("P2", "11.00", currency="USD"))
    d.run_until_idle()
    [changed] = running.app.entries(product=gone)
    assert (changed["Id"], changed["UnitPrice"]) == (first["Id"], 11.0)

    merged = client.post(
        "/api/v1/golden/product/merge",
        json={"survivor": keep, "merged": [gone], "reason": "same widget"},
    )
    assert merged.status_code == 200, merged.text
    d.run_until_idle()

    assert running.app.product2(gone)["IsActive"] is False
    [old] = running.app.entries(product=gone)
    [new] = running.app.entries(product=keep)
    assert old["IsActive"] is False and new["IsActive"] is True and new["UnitPrice"] == 11.0
    crosswalk = container.bus.query(lambda uow: uow.crosswalk.of("salesforce", [pr]))
    assert crosswalk == {pr: new["Id"]}

    put_product(client, "P1", product(1, status="retired"))
    d.run_until_idle()
    assert running.app.product2(keep)["IsActive"] is False
    assert running.app.duplicates() == {}


def test_a_price_in_an_unmapped_price_book_is_a_dead_letter_that_replays_once_mapped(
    client: TestClient, container: Container, running: Any
) -> None:
    p = put_product(client, "P1", product(1))
    pr = put_price(client, "PR1", price("P1", currency="USD", price_book="EU list"))
    d = dispatcher(container)
    d.run_until_idle()
    [dead] = deliveries(client, target="salesforce", state="dead")
    assert dead["golden_id"] == pr and "options.price_books" in dead["last_error"]["message"]

    catalog_target(client, running, options={"price_books": {"EU list": "Partner"}})
    client.post("/api/v1/sync/replay", json={"target": "salesforce", "state": "dead"})
    d.run_until_idle()

    assert {e["Pricebook"] for e in running.app.entries(product=p)} == {
        "Standard Price Book",
        "Partner",
    }
    assert {x["state"] for x in deliveries(client, target="salesforce")} == {"delivered"}
