"""Consumer pact: the Stripe connector (mdm-stripe-connector) and the Stripe API.

The shapes are those of docs.stripe.com: customers, form-encoded bodies, idempotent requests,
the error object, search by metadata.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from pact import match

from sync.connectors import ErrorCode, RetryableError
from tests.sync.outbound import outbound

pytestmark = pytest.mark.contract

PROVIDER = "stripe"
FORM = "application/x-www-form-urlencoded"
BEARER = match.regex("Bearer test-token", regex=r"^Bearer \S+$")
ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "email": "billing@acme.example",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}


def create_body(golden_id: str, name: str = "Acme GmbH") -> str:
    return urlencode(
        [
            ("name", name),
            ("email", "billing@acme.example"),
            ("address[line1]", "Hauptstr. 1"),
            ("address[city]", "Berlin"),
            ("address[postal_code]", "10115"),
            ("address[country]", "DE"),
            ("metadata[mdm_golden_id]", golden_id),
            ("metadata[mdm_status]", "active"),
        ]
    )


def update_body(golden_id: str, name: str = "Acme GmbH") -> str:
    return urlencode(
        [
            ("name", name),
            ("email", "billing@acme.example"),
            ("phone", ""),
            ("address[line1]", "Hauptstr. 1"),
            ("address[line2]", ""),
            ("address[city]", "Berlin"),
            ("address[state]", ""),
            ("address[postal_code]", "10115"),
            ("address[country]", "DE"),
            ("metadata[mdm_golden_id]", golden_id),
            ("metadata[mdm_status]", "active"),
            ("metadata[mdm_merged_into]", ""),
        ]
    )


def customer(customer_id: str, golden_id: str, name: str = "Acme GmbH") -> dict:
    return {
        "id": match.regex(customer_id, regex=r"^cus_[A-Za-z0-9]+$"),
        "object": "customer",
        "name": match.str(name),
        "metadata": {"mdm_golden_id": golden_id, "mdm_status": "active"},
    }


def create(pact, description: str, golden_id: str, key: str, body: str, state: str):
    return (
        pact.upon_receiving(description)
        .given(state, metadata_key="mdm_golden_id", metadata_value=golden_id)
        .with_request("POST", "/v1/customers")
        .with_header("Authorization", BEARER)
        .with_header("Idempotency-Key", key)
        .with_body(body, FORM)
    )


def update(pact, description: str, customer_id: str, golden_id: str, state: str):
    return (
        pact.upon_receiving(description)
        .given(state, customer=customer_id)
        .with_request("POST", f"/v1/customers/{customer_id}")
        .with_header("Authorization", BEARER)
        .with_body(update_body(golden_id), FORM)
    )


def search(pact, description: str, golden_id: str, found: list, state: str):
    return (
        pact.upon_receiving(description)
        .given(state, metadata_key="mdm_golden_id", metadata_value=golden_id)
        .with_request("GET", "/v1/customers/search")
        .with_query_parameter("query", f"metadata['mdm_golden_id']:'{golden_id}'")
        .with_header("Authorization", BEARER)
        .will_respond_with(200)
        .with_body(
            {
                "object": "search_result",
                "url": "/v1/customers/search",
                "has_more": False,
                "data": found,
                "next_page": None,
            },
            "application/json",
        )
    )


def test_a_customer_is_created_with_the_deliverys_idempotency_key(pact, connect):
    create(
        pact,
        "a customer create with an idempotency key",
        "g-new",
        "mdm-delivery-g-new-create",
        create_body("g-new"),
        "no customer carries the golden id",
    ).will_respond_with(200).with_body(customer("cus_NffrFeUfNV2Hib", "g-new"), "application/json")

    with pact.serve() as server:
        [result] = connect("stripe", server.url).push([outbound("g-new", ACME)])

    assert result.target_id == "cus_NffrFeUfNV2Hib"


def test_a_key_held_for_other_parameters_is_recovered_by_search_and_update(pact, connect):
    create(
        pact,
        "a customer create reusing an idempotency key with other parameters",
        "g-retry",
        "mdm-delivery-g-retry-create",
        create_body("g-retry"),
        "the idempotency key was used for other parameters",
    ).will_respond_with(400).with_body(
        {
            "error": {
                "type": "idempotency_error",
                "message": match.str(
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with."
                ),
            }
        },
        "application/json",
    )
    search(
        pact,
        "a customer search by golden-id metadata that finds one",
        "g-retry",
        [customer("cus_Retry0000000001", "g-retry")],
        "a customer carries the golden id",
    )
    update(
        pact, "a customer update by id", "cus_Retry0000000001", "g-retry", "the customer exists"
    ).will_respond_with(200).with_body(
        customer("cus_Retry0000000001", "g-retry"), "application/json"
    )

    with pact.serve() as server:
        [result] = connect("stripe", server.url).push([outbound("g-retry", ACME)])

    assert result.ok and result.target_id == "cus_Retry0000000001"


def test_a_customer_deleted_at_stripe_is_created_again(pact, connect):
    update(
        pact,
        "a customer update of a deleted customer",
        "cus_Gone000000001",
        "g-gone",
        "the customer was deleted",
    ).will_respond_with(404).with_body(
        {
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "param": "id",
                "message": match.str("No such customer: 'cus_Gone000000001'"),
            }
        },
        "application/json",
    )
    create(
        pact,
        "a customer re-create with a key naming the deleted customer",
        "g-gone",
        "mdm-delivery-g-gone-recreate-cus_Gone000000001",
        create_body("g-gone"),
        "no customer carries the golden id",
    ).will_respond_with(200).with_body(customer("cus_Back000000001", "g-gone"), "application/json")

    with pact.serve() as server:
        [result] = connect("stripe", server.url).push(
            [outbound("g-gone", ACME, target_id="cus_Gone000000001")]
        )

    assert result.target_id == "cus_Back000000001"


def test_a_merged_customer_is_deleted(pact, connect):
    (
        pact.upon_receiving("a customer delete")
        .given("the customer exists", customer="cus_Merged00000001")
        .with_request("DELETE", "/v1/customers/cus_Merged00000001")
        .with_header("Authorization", BEARER)
        .will_respond_with(200)
        .with_body(
            {"id": "cus_Merged00000001", "object": "customer", "deleted": True}, "application/json"
        )
    )

    with pact.serve() as server:
        connector = connect("stripe", server.url, options={"on_merge": "delete"})
        [result] = connector.push(
            [outbound("g-m", status="merged", merged_into="g-s", target_id="cus_Merged00000001")]
        )

    assert result.deleted


def test_a_merged_record_stripe_never_had_is_only_searched_for(pact, connect):
    search(
        pact,
        "a customer search by golden-id metadata that finds none",
        "g-none",
        [],
        "no customer carries the golden id",
    )

    with pact.serve() as server:
        [result] = connect("stripe", server.url).push(
            [outbound("g-none", status="merged", merged_into="g-s")]
        )

    assert result.ok and result.target_id is None


def test_a_rate_limited_create_pauses_the_target(pact, connect):
    create(
        pact,
        "a customer create while rate limited",
        "g-new",
        "mdm-delivery-g-new-create",
        create_body("g-new"),
        "the account is rate limited",
    ).will_respond_with(429).with_body(
        {
            "error": {
                "type": "invalid_request_error",
                "code": "rate_limit",
                "message": match.str("Request rate limit exceeded."),
            }
        },
        "application/json",
    )

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("stripe", server.url).push([outbound("g-new", ACME)])

    assert (caught.value.code, caught.value.scope) == (ErrorCode.RATE_LIMITED, "target")
