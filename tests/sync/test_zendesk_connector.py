"""The Zendesk connector against the Zendesk stand-in, over real HTTP."""

from __future__ import annotations

import base64
import json

import pytest

from sync.connectors import ErrorCode, PermanentError, RetryableError, build_connector
from tests.sync.outbound import ACME, ANN, outbound

# generous: a 200-record request to a stand-in on a loaded CI machine can pass 2 s (slow
# answers are the behaviour suite's cases, tests/sync/test_connector_promises.py)
READ_TIMEOUT = 10


@pytest.fixture
def zendesk(standins):
    return standins("zendesk")


@pytest.fixture
def connector(zendesk):
    built = build_connector(zendesk.target(), timeout=READ_TIMEOUT)
    yield built
    built.close()


def test_a_record_is_created_or_updated_by_external_id(zendesk, connector):
    [created] = connector.push([outbound("g-acme", correlation_id="corr-1")])
    [updated] = connector.push([outbound("g-acme", {**ACME, "name": "Acme AG"}, version=2)])

    organization = zendesk.app.organization("g-acme")
    assert created.target_id == updated.target_id == str(organization["id"])
    assert organization["name"] == "Acme AG"
    assert organization["domain_names"] == ["acme.example"]
    assert organization["details"] == "Hauptstr. 1, 10115 Berlin, DE"
    assert zendesk.app.counts() == {"g-acme": 1}
    request = zendesk.app.requests[0]
    assert request["path"] == "/api/v2/organizations/create_or_update"
    assert request["headers"]["x-correlation-id"] == "corr-1"
    basic = base64.b64encode(b"agent@example.com/token:test-token").decode()
    assert request["headers"]["authorization"] == f"Basic {basic}"


def test_the_email_domain_stands_in_for_a_missing_website(zendesk, connector):
    connector.push([outbound("g-acme", {**ACME, "website": None})])

    assert zendesk.app.organization("g-acme")["domain_names"] == ["acme.example"]


def test_a_person_gets_no_mailbox_domain(zendesk, connector):
    connector.push([outbound("g-ann", {**ANN, "email": "ann@lee-consulting.example"})])

    organization = zendesk.app.organization("g-ann")
    assert (organization["name"], organization["domain_names"]) == ("Ann Lee", [])


def test_a_duplicate_name_is_permanent_and_says_which_name(zendesk, connector):
    connector.push([outbound("g-acme")])

    with pytest.raises(PermanentError) as caught:
        connector.push([outbound("g-other", ACME)])

    assert caught.value.code == ErrorCode.DUPLICATE_VALUE
    assert caught.value.target_code == "DuplicateValue"
    assert "'Acme GmbH'" in caught.value.message
    assert zendesk.app.counts() == {"g-acme": 1}


def test_a_429_without_retry_after_pauses_the_target_for_no_set_time(zendesk, connector):
    zendesk.app.inject("status", status=429)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])

    assert (caught.value.code, caught.value.scope, caught.value.retry_after) == (
        ErrorCode.RATE_LIMITED,
        "target",
        None,
    )


def test_a_bearer_token_without_an_email(zendesk):
    connector = build_connector(zendesk.target(credentials={"token": "test-token"}))

    [result] = connector.push([outbound("g-acme")])

    assert result.ok
    assert zendesk.app.requests[-1]["headers"]["authorization"] == "Bearer test-token"


def test_merge_sets_the_tags_through_the_tags_endpoint(zendesk, connector):
    [created] = connector.push([outbound("g-acme")])

    connector.push([outbound("g-acme", status="merged", merged_into="g-s")])

    request = zendesk.app.requests[-1]
    assert (request["method"], request["path"]) == (
        "PUT",
        f"/api/v2/organizations/{created.target_id}/tags",
    )
    assert json.loads(request["body"]) == {"tags": ["mdm_merged"]}
