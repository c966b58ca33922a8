"""Consumer pact: the Salesforce connector's products and prices (object reference: Product2,
Pricebook2, PricebookEntry; REST: upsert by external id, query): a Product2 upserted by
external id, the standard price book found by query, a PricebookEntry upserted by external id,
a custom price book's entry refused for want of a standard price, which the connector then
creates, and an entry whose product Salesforce does not know."""

from __future__ import annotations

import pytest
from pact import match

from sync.connectors import ErrorCode, PermanentError, RetryableError
from sync.connectors.salesforce_catalog import entry_key
from tests.sync.catalog import outbound_catalog

pytestmark = pytest.mark.contract

PROVIDER = "salesforce"
JSON = "application/json"
DATA = "/services/data/v61.0"
FIELD = "MDM_Golden_Id__c"
BEARER = match.regex("Bearer test-token", regex=r"^Bearer \S+$")
STANDARD = "01s000000000001AAA"
PARTNER = "01s000000000002AAA"
WIDGET = {"sku": "SKU-1", "name": "Widget", "description": "A widget", "status": "active"}
PRICE = {
    "product": "g-prod",
    "price_book": "standard",
    "currency": "USD",
    "unit_amount": "19.90",
}


def created(record_id: str, prefix: str) -> dict:
    return {
        "id": match.regex(record_id, regex=rf"^{prefix}[A-Za-z0-9]{{12,15}}$"),
        "success": True,
        "errors": [],
        "created": True,
    }


def entry_body(book: str) -> dict:
    return {
        "UnitPrice": 19.9,
        "IsActive": True,
        "UseStandardPrice": False,
        "Pricebook2Id": book,
        "Product2": {FIELD: "g-prod"},
    }


def entry_upsert(pact, description: str, book: str, state: str):
    key = entry_key("g-price", "g-prod", book, "USD")
    return (
        pact.upon_receiving(description)
        .given(state, field=FIELD, value=key)
        .with_request("PATCH", f"{DATA}/sobjects/PricebookEntry/{FIELD}/{key}")
        .with_header("Authorization", BEARER)
        .with_body(entry_body(book), JSON)
    )


def standard_book_query(pact):
    (
        pact.upon_receiving("a query for the standard price book")
        .given("the org has a standard price book", id=STANDARD)
        .with_request("GET", f"{DATA}/query")
        .with_query_parameter("q", "SELECT Id FROM Pricebook2 WHERE IsStandard = true")
        .with_header("Authorization", BEARER)
        .will_respond_with(200)
        .with_body(
            {
                "totalSize": 1,
                "done": True,
                "records": [{"attributes": {"type": "Pricebook2"}, "Id": STANDARD}],
            },
            JSON,
        )
    )


def test_a_product_is_upserted_as_a_product2_by_external_id(pact, connect):
    (
        pact.upon_receiving("a Product2 upsert by external id")
        .given("no Product2 has the external id", field=FIELD, value="g-prod")
        .with_request("PATCH", f"{DATA}/sobjects/Product2/{FIELD}/g-prod")
        .with_header("Authorization", BEARER)
        .with_body(
            {
                "Name": "Widget",
                "ProductCode": "SKU-1",
                "Description": "A widget",
                "Family": None,
                "IsActive": True,
            },
            JSON,
        )
        .will_respond_with(201)
        .with_body(created("01t000000000001", "01t"), JSON)
    )

    with pact.serve() as server:
        [result] = connect("salesforce", server.url).push(
            [outbound_catalog("product", "g-prod", WIDGET)]
        )

    assert result.ok and result.target_id == "01t000000000001"


def test_a_price_is_an_entry_of_the_standard_price_book(pact, connect):
    standard_book_query(pact)
    entry_upsert(
        pact,
        "a standard PricebookEntry upsert by external id",
        STANDARD,
        "the Product2 exists and has no entry",
    ).will_respond_with(201).with_body(created("01u000000000001", "01u"), JSON)

    with pact.serve() as server:
        [result] = connect("salesforce", server.url).push(
            [outbound_catalog("price", "g-price", PRICE)]
        )

    assert result.ok and result.target_id == "01u000000000001"


def test_a_custom_entry_without_a_standard_price_makes_the_standard_one_first(pact, connect):
    standard_book_query(pact)
    entry_upsert(
        pact,
        "a custom PricebookEntry upsert without a standard price",
        PARTNER,
        "the Product2 exists and has no standard price",
    ).will_respond_with(400).with_body(
        [
            {
                "errorCode": "STANDARD_PRICE_NOT_DEFINED",
                "message": match.str("No standard price defined for this product"),
                "fields": [],
            }
        ],
        JSON,
    )
    (
        pact.upon_receiving("a standard PricebookEntry create")
        .given("the Product2 exists and has no standard price", field=FIELD, value="g-prod")
        .with_request("POST", f"{DATA}/sobjects/PricebookEntry")
        .with_header("Authorization", BEARER)
        .with_body(entry_body(STANDARD), JSON)
        .will_respond_with(201)
        .with_body(
            {
                "id": match.regex("01u000000000009", regex=r"^01u\w+$"),
                "success": True,
                "errors": [],
            },
            JSON,
        )
    )

    partner = outbound_catalog("price", "g-price", {**PRICE, "price_book": "partner"})
    with pact.serve() as server, pytest.raises(PermanentError) as caught:
        # the mock answers the second upsert as the first: a refusal that stays is a dead letter
        connect("salesforce", server.url, options={"price_books": {"partner": PARTNER}}).push(
            [partner]
        )

    assert caught.value.target_code == "STANDARD_PRICE_NOT_DEFINED"


def test_an_entry_of_a_product_salesforce_does_not_know_waits_for_the_product(pact, connect):
    standard_book_query(pact)
    entry_upsert(
        pact,
        "a PricebookEntry upsert naming an unknown Product2",
        STANDARD,
        "no Product2 has the external id",
    ).will_respond_with(400).with_body(
        [
            {
                "errorCode": "INVALID_FIELD",
                "message": match.str(
                    "Foreign key external ID: g-prod not found for field MDM_Golden_Id__c in "
                    "entity Product2"
                ),
                "fields": [],
            }
        ],
        JSON,
    )

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("salesforce", server.url).push([outbound_catalog("price", "g-price", PRICE)])

    assert (caught.value.code, caught.value.depends_on) == (ErrorCode.PARENT_MISSING, "g-prod")
