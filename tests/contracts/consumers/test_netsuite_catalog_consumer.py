"""Consumer pact: the NetSuite connector's products and prices (help center: non-inventory and
service sale items, upsert by external id, the pricing sublist): an item upserted by external
id, a price written into its item's pricing sublist, and a price whose item NetSuite does not
have under any item type."""

from __future__ import annotations

import pytest
from pact import match

from sync.connectors import ErrorCode, RetryableError
from tests.sync.catalog import outbound_catalog

pytestmark = pytest.mark.contract

PROVIDER = "netsuite"
JSON = "application/json"
RECORDS = "/services/rest/record/v1"
BEARER = match.regex("Bearer test-token", regex=r"^Bearer \S+$")
WIDGET = {"sku": "SKU-1", "name": "Widget", "description": "A widget", "type": "one_time"}
PRICE = {"product": "g-prod", "price_book": "standard", "currency": "EUR", "unit_amount": "19.90"}
LINES = {
    "price": {
        "items": [
            {
                "currencyPage": {"id": "4"},
                "priceLevel": {"id": "1"},
                "quantity": {"value": 0},
                "price": 19.9,
            }
        ]
    }
}


def location(record_type: str) -> object:
    return match.regex(
        f"https://demo123.suitetalk.api.netsuite.com{RECORDS}/{record_type}/812",
        regex=rf"^https?://[^/]+{RECORDS}/{record_type}/\d+$",
    )


def not_found(pact, record_type: str) -> None:
    (
        pact.upon_receiving(f"a pricing sublist update of a {record_type} that does not exist")
        .given("no item has the external id", externalId="g-prod")
        .with_request("PATCH", f"{RECORDS}/{record_type}/eid:g-prod")
        .with_header("Authorization", BEARER)
        .with_body(LINES, JSON)
        .will_respond_with(404)
        .with_body(
            {
                "type": match.str("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"),
                "title": match.str("Not Found"),
                "status": 404,
                "o:errorDetails": [
                    {
                        "detail": match.str("The record instance does not exist."),
                        "o:errorCode": "NONEXISTENT_ID",
                    }
                ],
            },
            JSON,
        )
    )


def test_a_product_is_an_item_upserted_by_external_id(pact, connect):
    (
        pact.upon_receiving("a non-inventory sale item upsert by external id")
        .given("no item has the external id", externalId="g-prod")
        .with_request("PUT", f"{RECORDS}/nonInventorySaleItem/eid:g-prod")
        .with_header("Authorization", BEARER)
        .with_body(
            {
                "itemId": "SKU-1",
                "displayName": "Widget",
                "salesDescription": "A widget",
                "upcCode": None,
                "isInactive": False,
            },
            JSON,
        )
        .will_respond_with(204)
        .with_header("Location", location("nonInventorySaleItem"))
    )

    with pact.serve() as server:
        [result] = connect("netsuite", server.url).push(
            [outbound_catalog("product", "g-prod", WIDGET)]
        )

    assert result.ok and result.target_id == "812"


def test_a_price_is_a_line_of_its_items_pricing_sublist(pact, connect):
    (
        pact.upon_receiving("a pricing sublist update of a non-inventory sale item")
        .given("a non-inventory sale item has the external id", externalId="g-prod")
        .with_request("PATCH", f"{RECORDS}/nonInventorySaleItem/eid:g-prod")
        .with_header("Authorization", BEARER)
        .with_body(LINES, JSON)
        .will_respond_with(204)
        .with_header("Location", location("nonInventorySaleItem"))
    )

    with pact.serve() as server:
        [result] = connect("netsuite", server.url).push(
            [outbound_catalog("price", "g-price", PRICE)]
        )

    assert result.ok and result.target_id == "812:4:1"


def test_a_price_whose_item_netsuite_does_not_have_waits_for_the_product(pact, connect):
    not_found(pact, "nonInventorySaleItem")
    not_found(pact, "serviceSaleItem")

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("netsuite", server.url).push([outbound_catalog("price", "g-price", PRICE)])

    assert (caught.value.code, caught.value.depends_on) == (ErrorCode.PARENT_MISSING, "g-prod")
