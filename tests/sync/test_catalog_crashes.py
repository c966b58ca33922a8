"""Crashes duplicate no product and no price: ``kill -9`` of a worker among three (PostgreSQL)
or of the embedded hub (SQLite) while products and prices go to Stripe, Salesforce and NetSuite
stand-ins, then price changes while it is down; afterwards every product is at every target
once (by external id or metadata), and every golden price has exactly one active Stripe Price,
one active Salesforce entry and its value in the NetSuite item, at its latest amount."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from canonical.commands import IngestItem, IngestRecords
from mdm.bootstrap import Container
from tests.sync.catalog import CATALOG
from tests.sync.hub import add_target
from tests.sync.test_crashes import _delivered, _env, _free_port, _start, _wait

KINDS = ("salesforce", "stripe", "netsuite")
PRODUCTS = 40


def _amount(n: int, version: int) -> str:
    return f"{10 + n}.{version:02d}"


def _load(container: Container, version: int, numbers: range) -> None:
    products = tuple(
        IngestItem(f"P{n}", {"sku": f"CRASH-{n:04d}", "name": f"Crash widget {n}"}) for n in numbers
    )
    prices = tuple(
        IngestItem(
            f"PR{n}",
            {
                "product": f"P{n}",
                "price_book": "standard",
                "currency": "USD",
                "unit_amount": _amount(n, version),
                "billing_period": "month",
            },
        )
        for n in numbers
    )
    if version == 1:
        container.bus.handle(IngestRecords("cpq", "product", products, "crash-products"))
    container.bus.handle(IngestRecords("cpq", "price", prices, f"crash-prices-v{version}"))


def _settled(container: Container) -> bool:
    def read(uow: Any) -> bool:
        total, rows = uow.deliveries.page(
            target=None, state=None, golden_id=None, limit=10_000, offset=0
        )
        if total != 2 * PRODUCTS * len(KINDS):
            return False
        versions = uow.goldens.for_update([r["golden_id"] for r in rows], lock=False)
        return all(
            r["state"] == "delivered"
            and r["delivered_version"] == versions[r["golden_id"]]["version"]
            for r in rows
        )

    return bool(container.bus.query(read))


def _goldens(container: Container) -> dict[str, dict[str, Any]]:
    def read(uow: Any) -> dict[str, dict[str, Any]]:
        rows = uow.deliveries.page(
            target="stripe", state=None, golden_id=None, limit=10_000, offset=0
        )[1]
        return dict(uow.goldens.for_update([r["golden_id"] for r in rows], lock=False))

    return dict(container.bus.query(read))


def _assert_once_each(running: dict[str, Any], container: Container) -> None:
    goldens = _goldens(container)
    products = {g for g, row in goldens.items() if row["entity_type"] == "product"}
    prices = {g: row for g, row in goldens.items() if row["entity_type"] == "price"}
    assert (len(products), len(prices)) == (PRODUCTS, PRODUCTS)
    for kind, standin in running.items():
        assert standin.app.duplicates() == {}, kind
    stripe = running["stripe"].app
    assert sorted(stripe.counts()) == sorted(products | set(prices))
    sf, ns = running["salesforce"].app, running["netsuite"].app
    assert {sf.product2(p)["MDM_Golden_Id__c"] for p in products} == products
    assert sorted(ns.counts()) == sorted(products)
    for gid, row in prices.items():
        cents = round(float(row["attributes"]["unit_amount"]) * 100)
        [live] = stripe.prices_of(gid, active=True)
        assert live["unit_amount"] == cents, gid
        product = row["attributes"]["product"]
        [entry] = [e for e in sf.entries(product=product) if e["IsActive"]]
        assert round(entry["UnitPrice"] * 100) == cents
        assert ns.item(product)["prices"] == {("1", "1", 0): cents / 100}


@pytest.fixture
def slow_catalog_targets(client: TestClient, standins: Any) -> Iterator[dict[str, Any]]:
    running = {kind: standins(kind) for kind in KINDS}
    for standin in running.values():
        add_target(client, standin, entity_types=CATALOG)
        standin.app.inject("slow", delay=0.02, times=100_000)
    yield running
    for standin in running.values():
        standin.app.release()


def test_kill_9_of_a_worker_duplicates_no_product_or_price(
    backend: str,
    database_url: str,
    container: Container,
    slow_catalog_targets: dict[str, Any],
) -> None:
    if backend != "postgresql":
        pytest.skip("several worker processes claim work on PostgreSQL (MDM_DATABASE_URL)")
    _load(container, 1, range(PRODUCTS))
    env = _env(database_url)
    workers = [_start(["worker"], env) for _ in range(3)]
    try:
        _wait(lambda: _delivered(container) >= 40, 90, "the first deliveries", container)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        _load(container, 2, range(0, PRODUCTS, 3))  # new amounts while one worker is dead
        workers.append(_start(["worker"], env))

        _wait(lambda: _settled(container), 180, "every delivery to settle", container)
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(20)

    _assert_once_each(slow_catalog_targets, container)


def test_kill_9_of_the_embedded_hub_duplicates_no_product_or_price(
    backend: str,
    database_url: str,
    container: Container,
    slow_catalog_targets: dict[str, Any],
) -> None:
    if backend != "sqlite":
        pytest.skip("the embedded hub runs its dispatcher inside mdm serve on SQLite")
    _load(container, 1, range(PRODUCTS))
    container.engine.dispose()
    env = _env(database_url)
    hub = _start(["serve", "--no-demo", "--port", str(_free_port())], env)
    try:
        _wait(lambda: _delivered(container) >= 40, 90, "the first deliveries", container)
        hub.send_signal(signal.SIGKILL)
        hub.wait(10)
        _load(container, 2, range(0, PRODUCTS, 3))
        hub = _start(["serve", "--no-demo", "--port", str(_free_port())], env)

        _wait(lambda: _settled(container), 180, "every delivery to settle", container)
    finally:
        if hub.poll() is None:
            hub.send_signal(signal.SIGTERM)
        hub.wait(20)

    _assert_once_each(slow_catalog_targets, container)
