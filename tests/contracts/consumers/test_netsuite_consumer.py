"""Consumer pact: the NetSuite connector (mdm-netsuite-connector) and NetSuite REST web services.

The shapes are those of the NetSuite help center: upsert by external id (PUT, 204 and
Location), the REST error body with ``o:errorDetails``, concurrency governance (429).
"""

from __future__ import annotations

import pytest
from pact import match

from sync.connectors import ErrorCode, RetryableError
from tests.sync.outbound import outbound

pytestmark = pytest.mark.contract

PROVIDER = "netsuite"
RECORDS = "/services/rest/record/v1/customer"
BEARER = match.regex("Bearer test-token", regex=r"^Bearer \S+$")
LOCATION = match.regex(
    "https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/customer/647",
    regex=r"^https?://[^/]+/services/rest/record/v1/customer/\d+$",
)
ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "email": "erp@acme.example",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}
ACME_BODY = {
    "isPerson": False,
    "companyName": "Acme GmbH",
    "firstName": None,
    "lastName": None,
    "email": "erp@acme.example",
    "phone": None,
    "url": None,
    "parent": None,
    "addressBook": {
        "items": [
            {
                "defaultBilling": True,
                "defaultShipping": True,
                "addressBookAddress": {
                    "addr1": "Hauptstr. 1",
                    "city": "Berlin",
                    "zip": "10115",
                    "country": {"id": "DE"},
                },
            }
        ]
    },
    "isInactive": False,
}


def put(pact, description: str, golden_id: str, body: dict, state: str):
    interaction = (
        pact.upon_receiving(description)
        .given(state, externalId=golden_id)
        .with_request("PUT", f"{RECORDS}/eid:{golden_id}")
        .with_header("Authorization", BEARER)
        .with_header("Content-Type", "application/json")
        .with_body(body, "application/json")
    )
    if "addressBook" in body:
        interaction.with_query_parameter("replace", "addressBook")
    return interaction


def error(status: int, code: str, detail: str, path: str | None = None) -> dict:
    item = {"detail": match.str(detail), "o:errorCode": code}
    if path:
        item["o:errorPath"] = path
    return {
        "type": match.str("https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"),
        "title": match.str("Bad Request"),
        "status": status,
        "o:errorDetails": [item],
    }


def test_a_customer_is_upserted_by_external_id(pact, connect):
    put(
        pact,
        "an upsert of a customer by external id",
        "g-new",
        ACME_BODY,
        "no customer has the external id",
    ).will_respond_with(204).with_header("Location", LOCATION)

    with pact.serve() as server:
        [result] = connect("netsuite", server.url).push([outbound("g-new", ACME)])

    assert result.ok and result.target_id == "647"


def test_an_unknown_parent_is_retryable(pact, connect):
    body = {
        "isPerson": False,
        "companyName": "Acme Services",
        "firstName": None,
        "lastName": None,
        "email": None,
        "phone": None,
        "url": None,
        "parent": {"externalId": "g-parent"},
        "addressBook": {"items": []},
        "isInactive": False,
    }
    put(
        pact,
        "an upsert of a customer whose parent does not exist",
        "g-child",
        body,
        "no customer has the external id",
    ).will_respond_with(400).with_body(
        error(400, "INVALID_KEY_OR_REF", "Invalid parent reference key g-parent.", "parent"),
        "application/json",
    )
    child = {"kind": "organization", "name": "Acme Services", "parent": "g-parent"}

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("netsuite", server.url).push([outbound("g-child", child)])

    assert (caught.value.code, caught.value.depends_on) == (ErrorCode.PARENT_MISSING, "g-parent")


def test_above_the_concurrency_limit_the_target_pauses(pact, connect):
    put(
        pact,
        "an upsert above the account's concurrency limit",
        "g-new",
        ACME_BODY,
        "the account is at its concurrency limit",
    ).will_respond_with(429).with_body(
        {
            **error(
                429,
                "CONCURRENCY_LIMIT_EXCEEDED",
                "Concurrent request limit exceeded. Request blocked.",
            ),
            "title": match.str("Too Many Requests"),
        },
        "application/json",
    )

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("netsuite", server.url).push([outbound("g-new", ACME)])

    assert (caught.value.code, caught.value.scope) == (ErrorCode.CONCURRENCY_LIMIT, "target")


def test_a_merged_customer_is_deleted_by_external_id(pact, connect):
    (
        pact.upon_receiving("a delete of a customer by external id")
        .given("a customer has the external id", externalId="g-merged")
        .with_request("DELETE", f"{RECORDS}/eid:g-merged")
        .with_header("Authorization", BEARER)
        .will_respond_with(204)
    )

    with pact.serve() as server:
        connector = connect("netsuite", server.url, options={"on_merge": "delete"})
        [result] = connector.push([outbound("g-merged", status="merged", merged_into="g-s")])

    assert result.deleted


def test_the_internal_id_is_read_by_external_id(pact, connect):
    (
        pact.upon_receiving("a read of a customer's internal id by external id")
        .given("a customer has the external id", externalId="g-known")
        .with_request("GET", f"{RECORDS}/eid:g-known")
        .with_query_parameter("fields", "id")
        .with_header("Authorization", BEARER)
        .will_respond_with(200)
        .with_body({"id": match.regex("647", regex=r"^\d+$")}, "application/json")
    )

    with pact.serve() as server:
        found = connect("netsuite", server.url).recover_target_id("g-known")

    assert found == "647"
