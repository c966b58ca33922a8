"""Consumer pact: the Stripe connector's products and prices (docs.stripe.com api/products,
api/prices): a product created under our id, a price created with its lookup key, a changed
amount as a new Price that takes the lookup key and archives the old one, a price whose
product Stripe does not have."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from pact import match

from sync.connectors import ErrorCode, RetryableError
from tests.sync.catalog import outbound_catalog

pytestmark = pytest.mark.contract

PROVIDER = "stripe"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
BEARER = match.regex("Bearer test-token", regex=r"^Bearer \S+$")
KEY = match.regex("mdm-delivery-g-1-v1-create-0", regex=r"^mdm-[A-Za-z0-9_-]+$")
WIDGET = {"sku": "SKU-1", "name": "Widget", "description": "A widget", "status": "active"}
PRICE = {
    "product": "g-prod",
    "price_book": "standard",
    "currency": "EUR",
    "unit_amount": "19.90",
    "billing_period": "month",
}


def stripe_price(price_id: str, amount: int, *, lookup_key: str | None, active: bool = True):
    return {
        "id": match.regex(price_id, regex=r"^price_[A-Za-z0-9]+$"),
        "object": "price",
        "active": active,
        "product": "mdm_g-prod",
        "currency": "eur",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
        "billing_scheme": "per_unit",
        "recurring": {"interval": "month", "interval_count": 1},
        "lookup_key": lookup_key,
        "metadata": {"mdm_golden_id": "g-price"},
    }


def price_create(replaces: str | None = None) -> str:
    pairs = [
        ("product", "mdm_g-prod"),
        ("currency", "eur"),
        ("unit_amount", "2450" if replaces else "1990"),
        ("recurring[interval]", "month"),
        ("recurring[interval_count]", "1"),
        ("active", "true"),
        ("nickname", "standard"),
        ("metadata[mdm_golden_id]", "g-price"),
        ("metadata[mdm_status]", "active"),
        ("metadata[mdm_price_book]", "standard"),
        ("metadata[mdm_product]", "g-prod"),
        *([("metadata[mdm_replaces]", replaces)] if replaces else []),
        ("lookup_key", "mdm_g-price"),
        ("transfer_lookup_key", "true"),
    ]
    return urlencode(pairs)


def lookup(pact, description: str, state: str, found: list, **params) -> None:
    (
        pact.upon_receiving(description)
        .given(state, **params)
        .with_request("GET", "/v1/prices")
        .with_query_parameter("lookup_keys[]", "mdm_g-price")
        .with_query_parameter("expand[]", "data.tiers")
        .with_header("Authorization", BEARER)
        .will_respond_with(200)
        .with_body({"object": "list", "url": "/v1/prices", "has_more": False, "data": found}, JSON)
    )


def post(pact, description: str, path: str, body: str, state: str, **params):
    return (
        pact.upon_receiving(description)
        .given(state, **params)
        .with_request("POST", path)
        .with_header("Authorization", BEARER)
        .with_header("Idempotency-Key", KEY)
        .with_body(body, FORM)
    )


def test_a_product_is_created_under_our_id(pact, connect):
    body = urlencode(
        [
            ("id", "mdm_g-prod"),
            ("name", "Widget"),
            ("description", "A widget"),
            ("active", "true"),
            ("metadata[mdm_golden_id]", "g-prod"),
            ("metadata[mdm_status]", "active"),
            ("metadata[mdm_sku]", "SKU-1"),
        ]
    )
    post(
        pact,
        "a product create with our id",
        "/v1/products",
        body,
        "no product has the id",
        product="mdm_g-prod",
    ).will_respond_with(200).with_body(
        {"id": "mdm_g-prod", "object": "product", "name": "Widget", "active": True}, JSON
    )

    with pact.serve() as server:
        [result] = connect("stripe", server.url).push(
            [outbound_catalog("product", "g-prod", WIDGET)]
        )

    assert result.ok and result.target_id == "mdm_g-prod"


def test_a_price_is_created_with_its_lookup_key(pact, connect):
    lookup(
        pact,
        "a read of a lookup key no price holds",
        "no price holds the lookup key",
        [],
        lookup_key="mdm_g-price",
    )
    post(
        pact,
        "a price create with its lookup key",
        "/v1/prices",
        price_create(),
        "the product exists",
        product="mdm_g-prod",
    ).will_respond_with(200).with_body(
        stripe_price("price_1", 1990, lookup_key="mdm_g-price"), JSON
    )

    with pact.serve() as server:
        [result] = connect("stripe", server.url).push([outbound_catalog("price", "g-price", PRICE)])

    assert result.ok and result.target_id == "price_1"


def test_a_changed_amount_is_a_new_price_that_takes_the_key_and_archives_the_old(pact, connect):
    lookup(
        pact,
        "a read of the price holding a lookup key",
        "a price holds the lookup key",
        [stripe_price("price_old", 1990, lookup_key="mdm_g-price")],
        lookup_key="mdm_g-price",
        price="price_old",
    )
    post(
        pact,
        "a price create that takes the lookup key from the old price",
        "/v1/prices",
        price_create(replaces="price_old"),
        "a price holds the lookup key",
        lookup_key="mdm_g-price",
        price="price_old",
    ).will_respond_with(200).with_body(
        stripe_price("price_new", 2450, lookup_key="mdm_g-price"), JSON
    )
    post(
        pact,
        "a price archive",
        "/v1/prices/price_old",
        urlencode([("active", "false")]),
        "a price holds the lookup key",
        lookup_key="mdm_g-price",
        price="price_old",
    ).will_respond_with(200).with_body(
        stripe_price("price_old", 1990, lookup_key=None, active=False), JSON
    )

    changed = outbound_catalog("price", "g-price", {**PRICE, "unit_amount": "24.50"}, attempt=2)
    with pact.serve() as server:
        [result] = connect("stripe", server.url).push([changed])

    assert result.ok and result.target_id == "price_new"


def test_a_price_of_a_product_stripe_does_not_have_waits_for_the_product(pact, connect):
    lookup(
        pact,
        "a read of a lookup key no price holds",
        "no price holds the lookup key",
        [],
        lookup_key="mdm_g-price",
    )
    post(
        pact,
        "a price create for a product that does not exist",
        "/v1/prices",
        price_create(),
        "no product has the id",
        product="mdm_g-prod",
    ).will_respond_with(400).with_body(
        {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "param": "product",
                "message": match.str("No such product: 'mdm_g-prod'"),
            }
        },
        JSON,
    )

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("stripe", server.url).push([outbound_catalog("price", "g-price", PRICE)])

    assert (caught.value.code, caught.value.depends_on) == (ErrorCode.PARENT_MISSING, "g-prod")
