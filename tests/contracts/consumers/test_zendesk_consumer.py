"""Consumer pact: the Zendesk connector (mdm-zendesk-connector) and the Zendesk Support API.

The shapes are those of developer.zendesk.com: organizations create_or_update, search by
external id, delete, tags, the RecordInvalid error with DuplicateValue, rate limits.
"""

from __future__ import annotations

import base64

import pytest
from pact import match

from sync.connectors import ErrorCode, PermanentError, RetryableError
from tests.sync.outbound import outbound

pytestmark = pytest.mark.contract

PROVIDER = "zendesk"
BASIC = "Basic " + base64.b64encode(b"agent@example.com/token:test-token").decode()
ORGANIZATION_ID = match.integer(360000000001)
ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "website": "https://www.acme.example",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}
ACME_BODY = {
    "organization": {
        "name": "Acme GmbH",
        "domain_names": ["acme.example"],
        "details": "Hauptstr. 1, 10115 Berlin, DE",
        "external_id": "g-new",
    }
}


def organization(external_id: str, tags: list[str] | None = None) -> dict:
    return {
        "organization": {
            "id": ORGANIZATION_ID,
            "name": match.str("Acme GmbH"),
            "external_id": external_id,
            "tags": tags or [],
        }
    }


def create_or_update(pact, description: str, body: dict, state: str):
    return (
        pact.upon_receiving(description)
        .given(state, external_id=body["organization"]["external_id"])
        .with_request("POST", "/api/v2/organizations/create_or_update")
        .with_header("Authorization", BASIC)
        .with_header("Content-Type", "application/json")
        .with_body(body, "application/json")
    )


@pytest.fixture
def zendesk(connect):
    return lambda url, **config: connect(
        "zendesk", url, credentials={"email": "agent@example.com"}, **config
    )


def test_an_organization_is_created_by_external_id(pact, zendesk):
    create_or_update(
        pact,
        "a create_or_update of an organization no one has",
        ACME_BODY,
        "no organization has the external id",
    ).will_respond_with(201).with_body(organization("g-new"), "application/json")

    with pact.serve() as server:
        [result] = zendesk(server.url).push([outbound("g-new", ACME)])

    assert result.target_id == "360000000001"


def test_a_name_in_use_is_permanent(pact, zendesk):
    create_or_update(
        pact,
        "a create_or_update with a name another organization has",
        ACME_BODY,
        "another organization is named Acme GmbH",
    ).will_respond_with(422).with_body(
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {
                "name": [
                    {
                        "description": match.str("Name: Acme GmbH has already been taken"),
                        "error": "DuplicateValue",
                    }
                ]
            },
        },
        "application/json",
    )

    with pact.serve() as server, pytest.raises(PermanentError) as caught:
        zendesk(server.url).push([outbound("g-new", ACME)])

    assert caught.value.code == ErrorCode.DUPLICATE_VALUE


def test_a_rate_limit_pauses_the_target_for_retry_after(pact, zendesk):
    create_or_update(
        pact, "a create_or_update while rate limited", ACME_BODY, "the account is rate limited"
    ).will_respond_with(429).with_header("Retry-After", match.regex("93", regex=r"^\d+$"))

    with pact.serve() as server, pytest.raises(RetryableError) as caught:
        zendesk(server.url).push([outbound("g-new", ACME)])

    assert (caught.value.scope, caught.value.retry_after) == ("target", 93.0)


def test_a_merged_organization_is_tagged(pact, zendesk):
    (
        pact.upon_receiving("a search of organizations by external id")
        .given("an organization has the external id", external_id="g-merged")
        .with_request("GET", "/api/v2/organizations/search")
        .with_query_parameter("external_id", "g-merged")
        .with_header("Authorization", BASIC)
        .will_respond_with(200)
        .with_body(
            {
                "organizations": [organization("g-merged")["organization"]],
                "count": 1,
                "next_page": None,
                "previous_page": None,
            },
            "application/json",
        )
    )
    (
        pact.upon_receiving("an addition of the merged tag to an organization")
        .given("an organization has the external id", external_id="g-merged")
        .with_request("PUT", "/api/v2/organizations/360000000001/tags")
        .with_header("Authorization", BASIC)
        .with_body({"tags": ["mdm_merged"]}, "application/json")
        .will_respond_with(200)
        .with_body({"tags": match.each_like("mdm_merged")}, "application/json")
    )

    with pact.serve() as server:
        [result] = zendesk(server.url).push(
            [outbound("g-merged", status="merged", merged_into="g-s")]
        )

    assert result.ok and result.target_id == "360000000001"


def test_a_merged_organization_is_deleted(pact, zendesk):
    (
        pact.upon_receiving("a delete of an organization")
        .given("an organization has the id", id=360000000002)
        .with_request("DELETE", "/api/v2/organizations/360000000002")
        .with_header("Authorization", BASIC)
        .will_respond_with(204)
    )

    with pact.serve() as server:
        connector = zendesk(server.url, options={"on_merge": "delete"})
        [result] = connector.push(
            [outbound("g-m", status="merged", merged_into="g-s", target_id="360000000002")]
        )

    assert result.deleted
