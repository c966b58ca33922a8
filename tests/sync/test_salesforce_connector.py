"""The Salesforce connector against the Salesforce stand-in, over real HTTP."""

from __future__ import annotations

import json

import pytest

from sync.connectors import (
    DeliveryError,
    ErrorCode,
    PermanentError,
    RetryableError,
    build_connector,
)
from tests.sync.outbound import ACME, ANN, outbound

# generous: a 200-record request to a stand-in on a loaded CI machine can pass 2 s (slow
# answers are the behaviour suite's cases, tests/sync/test_connector_promises.py)
READ_TIMEOUT = 10

CHILD = {"kind": "organization", "name": "Acme Services", "parent": "g-acme"}


@pytest.fixture
def salesforce(standins):
    return standins("salesforce")


@pytest.fixture
def connector(salesforce):
    with_connector = build_connector(salesforce.target(), timeout=READ_TIMEOUT)
    yield with_connector
    with_connector.close()


def test_a_new_record_is_upserted_by_external_id_and_its_account_id_returned(salesforce, connector):
    [result] = connector.push([outbound("g-acme", correlation_id="corr-1")])

    account = salesforce.app.account("g-acme")
    assert result.ok and result.target_id == account["Id"]
    assert account["Name"] == "Acme GmbH"
    assert account["BillingStreet"] == "Hauptstr. 1"
    assert account["BillingCity"] == "Berlin"
    assert account["BillingPostalCode"] == "10115"
    assert account["BillingCountry"] == "DE"
    assert account["Phone"] == "+49 30 1234567"
    assert account["Website"] == "https://www.acme.example"
    assert account["MDM_Active__c"] is True
    request = salesforce.app.requests[-1]
    assert request["method"] == "PATCH"
    assert request["path"] == "/services/data/v61.0/sobjects/Account/MDM_Golden_Id__c/g-acme"
    assert request["headers"]["authorization"] == "Bearer test-token"
    assert request["headers"]["x-correlation-id"] == "corr-1"


def test_an_update_keeps_the_account_and_clears_values_the_golden_record_lost(
    salesforce, connector
):
    [first] = connector.push([outbound("g-acme")])
    [second] = connector.push([outbound("g-acme", {"kind": "organization", "name": "Acme AG"})])

    account = salesforce.app.account("g-acme")
    assert second.target_id == first.target_id
    assert account["Name"] == "Acme AG"
    assert account["Phone"] is None and account["BillingCity"] is None
    assert salesforce.app.counts() == {"g-acme": 1}


def test_the_parent_goes_by_its_external_id(salesforce, connector):
    connector.push([outbound("g-acme")])
    connector.push([outbound("g-child", CHILD)])

    parent, child = salesforce.app.account("g-acme"), salesforce.app.account("g-child")
    assert child["ParentId"] == parent["Id"]
    body = json.loads(salesforce.app.requests[-1]["body"])
    assert body["Parent"] == {"MDM_Golden_Id__c": "g-acme"}


def test_an_unknown_parent_is_retryable_and_names_the_parent_to_deliver_first(
    salesforce, connector
):
    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-child", CHILD)])

    assert caught.value.code == ErrorCode.PARENT_MISSING
    assert caught.value.depends_on == "g-acme"
    assert caught.value.target_code == "INVALID_FIELD"
    assert salesforce.app.counts() == {}


def test_a_person_becomes_an_account_named_after_the_person(salesforce, connector):
    connector.push([outbound("g-ann", ANN)])

    assert salesforce.app.account("g-ann")["Name"] == "Ann Lee"


def test_a_batch_goes_in_one_collections_call_with_per_record_results(salesforce, connector):
    records = [outbound("g-acme"), outbound("g-child", CHILD), outbound("g-ann", ANN)]

    results = connector.push(records)

    assert [r.golden_id for r in results] == ["g-acme", "g-child", "g-ann"]
    assert all(r.ok for r in results)
    assert [r.target_id for r in results] == [
        salesforce.app.account(g)["Id"] for g in ("g-acme", "g-child", "g-ann")
    ]
    [request] = salesforce.app.requests
    assert request["path"] == "/services/data/v61.0/composite/sobjects/Account/MDM_Golden_Id__c"
    body = json.loads(request["body"])
    assert body["allOrNone"] is False
    assert [r["MDM_Golden_Id__c"] for r in body["records"]] == ["g-acme", "g-child", "g-ann"]
    assert all(r["attributes"] == {"type": "Account"} for r in body["records"])


def test_a_locked_row_in_a_collection_fails_alone_and_retryably(salesforce, connector):
    salesforce.app.inject("record_error", external_id="g-child", code="UNABLE_TO_LOCK_ROW")
    records = [outbound("g-acme"), outbound("g-child", CHILD), outbound("g-ann", ANN)]

    results = connector.push(records)

    assert [r.ok for r in results] == [True, False, True]
    error = results[1].error
    assert isinstance(error, RetryableError)
    assert (error.code, error.target_code, error.scope) == (
        "locked",
        "UNABLE_TO_LOCK_ROW",
        "record",
    )
    assert salesforce.app.counts() == {"g-acme": 1, "g-ann": 1}
    [retried] = connector.push([records[1]])
    assert retried.ok and salesforce.app.counts() == {"g-acme": 1, "g-ann": 1, "g-child": 1}


def test_other_per_record_codes_are_permanent(salesforce, connector):
    salesforce.app.inject(
        "record_error",
        external_id="g-ann",
        code="FIELD_CUSTOM_VALIDATION_EXCEPTION",
        message="Phone is required for persons",
    )

    results = connector.push([outbound("g-acme"), outbound("g-ann", ANN)])

    assert results[0].ok
    error = results[1].error
    assert isinstance(error, PermanentError)
    assert error.target_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert "Phone is required for persons" in error.message


def test_more_than_200_records_go_in_chunks_of_200(salesforce, connector):
    records = [
        outbound(f"g-{i:03d}", {"kind": "organization", "name": f"Org {i}"}) for i in range(450)
    ]

    results = connector.push(records)

    assert all(r.ok for r in results) and len(results) == 450
    assert len(salesforce.app.requests) == 3
    assert len(salesforce.app.counts()) == 450


def test_a_lost_collection_answer_retried_leaves_one_account_each(salesforce, connector):
    records = [outbound("g-acme"), outbound("g-ann", ANN)]
    salesforce.app.inject("lost_answer", how="502")

    with pytest.raises(RetryableError):
        connector.push(records)
    assert all(r.ok for r in connector.push(records))

    assert salesforce.app.counts() == {"g-acme": 1, "g-ann": 1}


@pytest.mark.parametrize(
    ("status", "retry_after", "code", "scope", "wait"),
    [
        (403, None, ErrorCode.RATE_LIMITED, "target", 300.0),
        (403, "120", ErrorCode.RATE_LIMITED, "target", 120.0),
    ],
)
def test_request_limit_exceeded_pauses_the_target(
    salesforce, connector, status, retry_after, code, scope, wait
):
    salesforce.app.inject("status", status=status, retry_after=retry_after)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme"), outbound("g-ann", ANN)])

    assert (caught.value.code, caught.value.scope, caught.value.retry_after) == (code, scope, wait)
    assert caught.value.status == status
    assert salesforce.app.counts() == {}


def test_merge_deactivates_and_unmerge_reactivates_the_same_account(salesforce, connector):
    [created] = connector.push([outbound("g-acme")])

    [merged] = connector.push(
        [
            outbound(
                "g-acme",
                version=2,
                status="merged",
                merged_into="g-survivor",
                target_id=created.target_id,
            )
        ]
    )
    account = salesforce.app.account("g-acme")
    assert merged.ok and not merged.deleted
    assert (account["MDM_Active__c"], account["MDM_Merged_Into__c"]) == (False, "g-survivor")

    [unmerged] = connector.push([outbound("g-acme", version=3, target_id=created.target_id)])
    account = salesforce.app.account("g-acme")
    assert unmerged.target_id == created.target_id
    assert (account["MDM_Active__c"], account["MDM_Merged_Into__c"]) == (True, None)
    assert salesforce.app.counts() == {"g-acme": 1}


def test_with_on_merge_delete_the_active_field_is_not_written_and_a_merge_deletes_by_external_id(
    salesforce,
):
    connector = build_connector(salesforce.target(options={"on_merge": "delete"}))
    connector.push([outbound("g-acme")])

    connector.push([outbound("g-acme", version=2, status="merged", merged_into="g-s")])

    assert "MDM_Active__c" not in json.loads(salesforce.app.requests[0]["body"])
    delete = salesforce.app.requests[-1]
    assert (delete["method"], delete["path"]) == (
        "DELETE",
        "/services/data/v61.0/sobjects/Account/MDM_Golden_Id__c/g-acme",
    )


def test_a_batch_with_merges_and_upserts_keeps_the_order_of_results(salesforce):
    connector = build_connector(salesforce.target(options={"on_merge": "delete"}))
    connector.push([outbound("g-old")])

    results = connector.push(
        [
            outbound("g-acme"),
            outbound("g-old", status="merged", merged_into="g-acme"),
            outbound("g-ann", ANN),
        ]
    )

    assert [(r.golden_id, r.ok, r.deleted) for r in results] == [
        ("g-acme", True, False),
        ("g-old", True, True),
        ("g-ann", True, False),
    ]
    assert salesforce.app.counts() == {"g-acme": 1, "g-ann": 1}


def test_a_mapping_override_replaces_and_extends_fields(salesforce):
    connector = build_connector(
        salesforce.target(
            mapping={
                "Name": {"from": "name", "transform": "upper"},
                "Industry": "industry",
                "Website": None,
            }
        )
    )

    connector.push([outbound("g-acme", {**ACME, "industry": "Machinery"})])

    account = salesforce.app.account("g-acme")
    assert (account["Name"], account["Industry"]) == ("ACME GMBH", "Machinery")
    assert "Website" not in account


def test_the_same_golden_record_twice_in_a_batch_is_a_programming_error(connector):
    with pytest.raises(ValueError):
        connector.push([outbound("g-acme"), outbound("g-acme", version=2)])


def test_a_delivery_error_serializes_for_the_deliveries_table(salesforce, connector):
    salesforce.app.inject("status", status=503, retry_after="5")

    with pytest.raises(DeliveryError) as caught:
        connector.push([outbound("g-acme")])

    assert caught.value.as_dict() == {
        "code": "unavailable",
        "message": caught.value.message,
        "retryable": True,
        "retry_after": 5.0,
        "scope": "target",
        "status": 503,
        "target_code": "SERVER_UNAVAILABLE",
        "depends_on": None,
    }


def test_after_a_target_wide_error_no_further_chunk_is_sent(salesforce, connector):
    salesforce.app.inject("status", status=503, retry_after="10")
    records = [
        outbound(f"g-{i:03d}", {"kind": "organization", "name": f"Org {i}"}) for i in range(450)
    ]

    with pytest.raises(RetryableError) as caught:
        connector.push(records)

    assert (caught.value.scope, caught.value.retry_after) == ("target", 10.0)
    assert len(salesforce.app.requests) == 1
