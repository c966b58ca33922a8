"""Consumer pact: the Salesforce connector (mdm-salesforce-connector) and Salesforce's REST API.

The shapes are those of the Salesforce REST API developer guide (dome-upsert,
resources-composite-sobjects-collections-upsert, errorcodes).
"""

from __future__ import annotations

import pytest
from pact import match

from sync.connectors import ErrorCode, RetryableError
from tests.sync.outbound import outbound

pytestmark = pytest.mark.contract

PROVIDER = "salesforce"
API = "/services/data/v61.0"
ACCOUNT_ID = match.regex("001Dn00000XyZ01AAA", regex=r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "phone": "+49 30 1234567",
    "website": "https://www.acme.example",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}
ACME_BODY = {
    "Name": "Acme GmbH",
    "BillingStreet": "Hauptstr. 1",
    "BillingCity": "Berlin",
    "BillingState": None,
    "BillingPostalCode": "10115",
    "BillingCountry": "DE",
    "Phone": "+49 30 1234567",
    "Website": "https://www.acme.example",
    "ParentId": None,
    "MDM_Active__c": True,
    "MDM_Merged_Into__c": None,
}
BEARER = match.regex("Bearer test-token", regex=r"^Bearer \S+$")


def upsert(pact, description: str, golden_id: str, body: dict, state: str):
    return (
        pact.upon_receiving(description)
        .given(state, field="MDM_Golden_Id__c", value=golden_id)
        .with_request("PATCH", f"{API}/sobjects/Account/MDM_Golden_Id__c/{golden_id}")
        .with_header("Authorization", BEARER)
        .with_header("Content-Type", "application/json")
        .with_body(body, "application/json")
    )


def test_an_account_is_created_by_external_id(pact, connect):
    upsert(
        pact,
        "an upsert of an Account by an external id no Account has",
        "g-new",
        ACME_BODY,
        "no Account has the external id",
    ).will_respond_with(201).with_body(
        {"id": ACCOUNT_ID, "success": True, "errors": [], "created": True}, "application/json"
    )

    with pact.serve() as server:
        [result] = connect("salesforce", server.url).push([outbound("g-new", ACME)])

    assert result.ok and result.target_id == "001Dn00000XyZ01AAA"


def test_an_existing_account_is_updated_by_external_id(pact, connect):
    upsert(
        pact,
        "an upsert of an Account by an external id an Account has",
        "g-known",
        ACME_BODY,
        "an Account has the external id",
    ).will_respond_with(200).with_body(
        {"id": ACCOUNT_ID, "success": True, "errors": [], "created": False}, "application/json"
    )

    with pact.serve() as server:
        [result] = connect("salesforce", server.url).push([outbound("g-known", ACME)])

    assert result.ok and result.target_id == "001Dn00000XyZ01AAA"


def test_a_parent_salesforce_does_not_know_is_retryable(pact, connect):
    body = {**ACME_BODY, "Parent": {"MDM_Golden_Id__c": "g-parent"}}
    del body["ParentId"]
    upsert(
        pact,
        "an upsert of an Account whose parent external id matches nothing",
        "g-child",
        body,
        "no Account has the external id",
    ).will_respond_with(400).with_body(
        [
            {
                "message": "Foreign key external ID: g-parent not found for field MDM_Golden_Id__c "
                "in entity Account",
                "errorCode": "INVALID_FIELD",
                "fields": [],
            }
        ],
        "application/json",
    )

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("salesforce", server.url).push(
            [outbound("g-child", {**ACME, "parent": "g-parent"})]
        )

    assert (caught.value.code, caught.value.depends_on) == (ErrorCode.PARENT_MISSING, "g-parent")


def test_a_collection_with_a_locked_row_fails_only_that_record(pact, connect):
    ann_body = {**dict.fromkeys(ACME_BODY), "Name": "Ann Lee", "MDM_Active__c": True}
    (
        pact.upon_receiving("a collections upsert of two Accounts where one row is locked")
        .given("no Account has the external id", field="MDM_Golden_Id__c", value="g-new")
        .given(
            "the Account with the external id is locked", field="MDM_Golden_Id__c", value="g-ann"
        )
        .with_request("PATCH", f"{API}/composite/sobjects/Account/MDM_Golden_Id__c")
        .with_header("Authorization", BEARER)
        .with_body(
            {
                "allOrNone": False,
                "records": [
                    {"attributes": {"type": "Account"}, "MDM_Golden_Id__c": "g-new", **ACME_BODY},
                    {"attributes": {"type": "Account"}, "MDM_Golden_Id__c": "g-ann", **ann_body},
                ],
            },
            "application/json",
        )
        .will_respond_with(200)
        .with_body(
            [
                {"id": ACCOUNT_ID, "success": True, "errors": [], "created": True},
                {
                    "success": False,
                    "errors": [
                        {
                            "statusCode": "UNABLE_TO_LOCK_ROW",
                            "message": "unable to obtain exclusive access to this record",
                            "fields": [],
                        }
                    ],
                },
            ],
            "application/json",
        )
    )
    ann = {"kind": "person", "first_name": "Ann", "last_name": "Lee"}

    with pact.serve() as server:
        results = connect("salesforce", server.url).push(
            [outbound("g-new", ACME), outbound("g-ann", ann)]
        )

    assert results[0].ok and results[0].target_id == "001Dn00000XyZ01AAA"
    assert isinstance(results[1].error, RetryableError)
    assert results[1].error.target_code == "UNABLE_TO_LOCK_ROW"


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (401, "INVALID_SESSION_ID", "Session expired or invalid", ErrorCode.UNAUTHORIZED),
        (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", ErrorCode.RATE_LIMITED),
    ],
)
def test_a_refused_call_pauses_the_target(pact, connect, status, code, message, expected):
    upsert(
        pact, f"an upsert refused with {code}", "g-new", ACME_BODY, f"the org answers {code}"
    ).will_respond_with(status).with_body(
        [{"message": message, "errorCode": code}], "application/json"
    )

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        connect("salesforce", server.url).push([outbound("g-new", ACME)])

    assert (caught.value.code, caught.value.scope) == (expected, "target")


def test_a_merged_account_is_deleted_by_external_id(pact, connect):
    (
        pact.upon_receiving("a delete of an Account by external id")
        .given("an Account has the external id", field="MDM_Golden_Id__c", value="g-merged")
        .with_request("DELETE", f"{API}/sobjects/Account/MDM_Golden_Id__c/g-merged")
        .with_header("Authorization", BEARER)
        .will_respond_with(204)
    )

    with pact.serve() as server:
        connector = connect("salesforce", server.url, options={"on_merge": "delete"})
        [result] = connector.push([outbound("g-merged", status="merged", merged_into="g-s")])

    assert result.ok and result.deleted


def test_the_account_id_is_read_by_external_id(pact, connect):
    (
        pact.upon_receiving("a read of an Account's Id by external id")
        .given("an Account has the external id", field="MDM_Golden_Id__c", value="g-known")
        .with_request("GET", f"{API}/sobjects/Account/MDM_Golden_Id__c/g-known")
        .with_query_parameter("fields", "Id")
        .with_header("Authorization", BEARER)
        .will_respond_with(200)
        .with_body(
            {
                "attributes": {
                    "type": "Account",
                    "url": match.str(f"{API}/sobjects/Account/001Dn00000XyZ01AAA"),
                },
                "Id": ACCOUNT_ID,
            },
            "application/json",
        )
    )

    with pact.serve() as server:
        found = connect("salesforce", server.url).recover_target_id("g-known")

    assert found == "001Dn00000XyZ01AAA"
