"""The NetSuite connector against the NetSuite stand-in, over real HTTP."""

from __future__ import annotations

import json
import threading
import time

import pytest

from sync.connectors import ErrorCode, PermanentError, RetryableError, build_connector
from tests.sync.outbound import ANN, outbound

# generous: a 200-record request to a stand-in on a loaded CI machine can pass 2 s (slow
# answers are the behaviour suite's cases, tests/sync/test_connector_promises.py)
READ_TIMEOUT = 10

CHILD = {"kind": "organization", "name": "Acme Services", "parent": "g-acme"}


@pytest.fixture
def netsuite(standins):
    return standins("netsuite")


@pytest.fixture
def connector(netsuite):
    built = build_connector(netsuite.target(), timeout=READ_TIMEOUT)
    yield built
    built.close()


def test_a_record_is_upserted_by_external_id_and_the_internal_id_read_from_location(
    netsuite, connector
):
    [result] = connector.push([outbound("g-acme", correlation_id="corr-1")])

    customer = netsuite.app.customer("g-acme")
    assert result.ok and result.target_id == customer["id"]
    assert customer["companyName"] == "Acme GmbH"
    assert (customer["email"], customer["phone"]) == ("info@acme.example", "+49 30 1234567")
    assert customer["isPerson"] is False and customer["isInactive"] is False
    assert customer["addressBook"] == {
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
    }
    [request] = netsuite.app.requests
    assert (request["method"], request["path"]) == (
        "PUT",
        "/services/rest/record/v1/customer/eid:g-acme",
    )
    assert request["headers"]["x-correlation-id"] == "corr-1"


def test_updates_replace_the_address_instead_of_adding_one(netsuite, connector):
    connector.push([outbound("g-acme")])
    connector.push([outbound("g-acme", version=2)])

    assert len(netsuite.app.customer("g-acme")["addressBook"]["items"]) == 1
    assert netsuite.app.counts() == {"g-acme": 1}


def test_a_person_is_a_person_customer(netsuite, connector):
    connector.push([outbound("g-ann", ANN)])

    customer = netsuite.app.customer("g-ann")
    assert (customer["isPerson"], customer["firstName"], customer["lastName"]) == (
        True,
        "Ann",
        "Lee",
    )
    assert "companyName" not in customer


def test_the_parent_goes_by_external_id(netsuite, connector):
    connector.push([outbound("g-acme")])
    connector.push([outbound("g-child", CHILD)])

    assert netsuite.app.customer("g-child")["parent"] == {"externalId": "g-acme"}


def test_an_unknown_parent_is_retryable_and_names_the_parent(netsuite, connector):
    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-child", CHILD)])

    assert caught.value.code == ErrorCode.PARENT_MISSING
    assert caught.value.target_code == "INVALID_KEY_OR_REF"
    assert caught.value.depends_on == "g-acme"
    assert "deliver it first" in caught.value.message
    assert netsuite.app.counts() == {}


def test_above_the_concurrency_limit_the_target_pauses(standins):
    netsuite = standins("netsuite", concurrency_limit=1)
    netsuite.app.inject("hold", path="eid:g-first")
    first = build_connector(netsuite.target())
    second = build_connector(netsuite.target())
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.extend(first.push([outbound("g-first")])))
    worker.start()
    while netsuite.app.in_flight < 1:
        time.sleep(0.005)

    with pytest.raises(RetryableError) as caught:
        second.push([outbound("g-second")])
    netsuite.app.release()
    worker.join(5)

    error = caught.value
    assert (error.code, error.target_code, error.scope) == (
        ErrorCode.CONCURRENCY_LIMIT,
        "CONCURRENCY_LIMIT_EXCEEDED",
        "target",
    )
    assert error.retry_after == 1.0
    assert outcome[0].ok and netsuite.app.counts() == {"g-first": 1}


def test_a_restlet_concurrency_refusal_pauses_the_target_rather_than_failing_records(
    netsuite, connector
):
    netsuite.app.inject("status", status=400, code="SSS_REQUEST_LIMIT_EXCEEDED")

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])

    assert (caught.value.code, caught.value.scope) == (ErrorCode.CONCURRENCY_LIMIT, "target")
    assert caught.value.retry_after == 1.0


def test_a_missing_company_name_is_permanent(netsuite):
    connector = build_connector(netsuite.target(mapping={"companyName": None}))

    with pytest.raises(PermanentError) as caught:
        connector.push([outbound("g-acme")])

    assert caught.value.target_code == "USER_ERROR"
    assert netsuite.app.counts() == {}


def test_values_the_golden_record_lost_are_deleted_at_netsuite(netsuite, connector):
    connector.push([outbound("g-acme")])
    connector.push([outbound("g-acme", {"kind": "organization", "name": "Acme"}, version=2)])

    customer = netsuite.app.customer("g-acme")
    assert "email" not in customer and "phone" not in customer
    assert customer["addressBook"] == {"items": []}
    body = json.loads(netsuite.app.requests[-1]["body"])
    assert body == {
        "isPerson": False,
        "companyName": "Acme",
        "firstName": None,
        "lastName": None,
        "email": None,
        "phone": None,
        "url": None,
        "parent": None,
        "addressBook": {"items": []},
        "isInactive": False,
    }
    assert netsuite.app.requests[-1]["query"] == {"replace": "addressBook"}
