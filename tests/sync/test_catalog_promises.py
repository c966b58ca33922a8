"""What every catalog connector promises, end to end through a test hub, against each of the
three catalog kinds and its stand-in: a price waits for its product, a product the target
lost is delivered again before its price, merged and retired products are made inactive, and
a retry duplicates nothing.

A kind's own wire rules (Stripe's immutable Prices, Salesforce's standard price book first,
NetSuite's item types and price levels) stay in ``test_catalog_{kind}.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from tests.sync.catalog import catalog_target, price, product, put_price, put_product
from tests.sync.hub import deliveries, dispatcher

Record = dict[str, Any]


@dataclass(frozen=True)
class CatalogKind:
    """How to read one kind's stand-in: a golden product's record there and whether it is
    active, the active prices of a golden price, and how to lose a product behind the hub's
    back."""

    name: str
    product: Callable[[Any, str], Record | None]
    active: Callable[[Record], bool]
    live_prices: Callable[[Any, str, str], list[Any]]  # (app, product id, price id)
    lose_product: Callable[[Any, str], None]
    currency: str = "EUR"  # one the target takes as configured by default


def _lose_salesforce(app: Any, golden_id: str) -> None:
    found = app.product2(golden_id)
    del app.sf_products[found["Id"]]


def _lose_netsuite(app: Any, golden_id: str) -> None:
    found = app.item(golden_id)
    del app.items[next(k for k, i in app.items.items() if i["id"] == found["id"])]


KINDS = [
    CatalogKind(
        "salesforce",
        product=lambda app, g: app.product2(g),
        active=lambda r: r["IsActive"] is True,
        live_prices=lambda app, p, pr: [e for e in app.entries(product=p) if e["IsActive"]],
        lose_product=_lose_salesforce,
        currency="USD",  # a single-currency org
    ),
    CatalogKind(
        "stripe",
        product=lambda app, g: app.products.get(f"mdm_{g}"),
        active=lambda r: r["active"] is True,
        live_prices=lambda app, p, pr: app.prices_of(pr, active=True),
        lose_product=lambda app, g: app.products.pop(f"mdm_{g}"),
    ),
    CatalogKind(
        "netsuite",
        product=lambda app, g: app.item(g),
        active=lambda r: r["isInactive"] is False,
        live_prices=lambda app, p, pr: list((app.item(p) or {"prices": {}})["prices"].values()),
        lose_product=_lose_netsuite,
    ),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request: pytest.FixtureRequest) -> CatalogKind:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def running(client: TestClient, standins: Any, kind: CatalogKind) -> Any:
    """The kind's stand-in, with a catalog target of the hub pointing at it."""
    target = standins(kind.name)
    catalog_target(client, target)
    return target


def states(client: TestClient, kind: CatalogKind) -> set[str]:
    return {d["state"] for d in deliveries(client, target=kind.name)}


def test_a_price_put_before_its_product_waits_for_it_and_both_are_in_the_crosswalk(
    client: TestClient, container: Container, kind: CatalogKind, running: Any
) -> None:
    pr = put_price(client, "PR1", price("P1", "19.90", currency=kind.currency))
    p = put_product(client, "P1", product(1))

    dispatcher(container).run_until_idle()

    record = kind.product(running.app, p)
    assert record is not None and kind.active(record)
    assert len(kind.live_prices(running.app, p, pr)) == 1
    assert states(client, kind) == {"delivered"}
    crosswalk = container.bus.query(lambda uow: uow.crosswalk.of(kind.name, [p, pr]))
    assert set(crosswalk) == {p, pr}
    assert running.app.duplicates() == {}


def test_a_price_whose_product_the_target_lost_delivers_the_product_again_first(
    client: TestClient, container: Container, kind: CatalogKind, running: Any
) -> None:
    p = put_product(client, "P1", product(1))
    d = dispatcher(container)
    d.run_until_idle()
    kind.lose_product(running.app, p)  # gone at the target, the hub still thinks delivered

    pr = put_price(client, "PR1", price("P1", currency=kind.currency))
    d.run_until_idle()

    assert kind.product(running.app, p) is not None
    assert len(kind.live_prices(running.app, p, pr)) == 1
    assert states(client, kind) == {"delivered"}


def test_a_merged_product_and_a_retired_one_are_made_inactive(
    client: TestClient, container: Container, kind: CatalogKind, running: Any
) -> None:
    keep = put_product(client, "P1", product(1))
    gone = put_product(client, "P2", product(2))
    d = dispatcher(container)
    d.run_until_idle()

    merged = client.post(
        "/api/v1/golden/product/merge",
        json={"survivor": keep, "merged": [gone], "reason": "same widget"},
    )
    assert merged.status_code == 200, merged.text
    d.run_until_idle()
    merged_away = kind.product(running.app, gone)
    put_product(client, "P1", product(1, status="retired"))
    d.run_until_idle()

    assert merged_away is not None and not kind.active(merged_away)
    retired = kind.product(running.app, keep)
    assert retired is not None and not kind.active(retired)
    assert states(client, kind) == {"delivered"}
    assert running.app.duplicates() == {}


@pytest.mark.parametrize("how", ["drop", "502"])
def test_a_lost_answer_retried_leaves_one_product_and_one_price(
    client: TestClient, container: Container, kind: CatalogKind, running: Any, how: str
) -> None:
    running.app.inject("lost_answer", how=how, times=2)
    p = put_product(client, "P1", product(1))
    pr = put_price(client, "PR1", price("P1", currency=kind.currency))

    dispatcher(container).run_until_idle()

    assert kind.product(running.app, p) is not None
    assert len(kind.live_prices(running.app, p, pr)) == 1
    assert states(client, kind) == {"delivered"}
    assert running.app.duplicates() == {}
