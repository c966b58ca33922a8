"""The Stripe connector against the Stripe stand-in, over real HTTP."""

from __future__ import annotations

from urllib.parse import parse_qsl

import httpx
import pytest

from sync.connectors import ErrorCode, PermanentError, RetryableError, build_connector
from tests.sync.outbound import ACME, ANN, outbound

# generous: a 200-record request to a stand-in on a loaded CI machine can pass 2 s (slow
# answers are the behaviour suite's cases, tests/sync/test_connector_promises.py)
READ_TIMEOUT = 10

AUTH = {"Authorization": "Bearer test-token"}


@pytest.fixture
def stripe(standins):
    return standins("stripe")


@pytest.fixture
def connector(stripe):
    built = build_connector(stripe.target(), timeout=READ_TIMEOUT)
    yield built
    built.close()


def form(request) -> dict[str, str]:
    return dict(parse_qsl(request["body"], keep_blank_values=True))


def posts(stripe, path: str) -> list[dict]:
    return [r for r in stripe.app.requests if r["method"] == "POST" and r["path"] == path]


def test_a_new_record_is_created_form_encoded_with_an_idempotency_key(stripe, connector):
    [result] = connector.push([outbound("g-acme", correlation_id="corr-1")])

    [customer] = stripe.app.live_customers("g-acme")
    assert result.ok and result.target_id == customer["id"]
    assert customer["name"] == "Acme GmbH"
    assert customer["email"] == "info@acme.example"
    assert customer["phone"] == "+49 30 1234567"
    assert customer["address"]["line1"] == "Hauptstr. 1"
    assert customer["address"]["postal_code"] == "10115"
    assert customer["address"]["country"] == "DE"
    assert customer["metadata"] == {"mdm_golden_id": "g-acme", "mdm_status": "active"}
    [request] = stripe.app.requests
    assert request["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert request["headers"]["idempotency-key"] == "mdm-delivery-g-acme-create"
    assert request["headers"]["x-correlation-id"] == "corr-1"
    assert form(request)["address[city]"] == "Berlin"


def test_an_update_goes_to_the_crosswalk_id_and_unsets_lost_values(stripe, connector):
    [created] = connector.push([outbound("g-acme")])

    [updated] = connector.push(
        [
            outbound(
                "g-acme",
                {"kind": "organization", "name": "Acme AG"},
                version=2,
                target_id=created.target_id,
            )
        ]
    )

    customer = stripe.app.customer(created.target_id)
    assert updated.target_id == created.target_id
    assert (customer["name"], customer["email"], customer["address"]) == ("Acme AG", None, None)
    assert "idempotency-key" not in stripe.app.requests[-1]["headers"]
    assert len(stripe.app.live_customers("g-acme")) == 1


def test_a_person_is_a_customer_named_after_the_person(stripe, connector):
    connector.push([outbound("g-ann", ANN)])

    [customer] = stripe.app.live_customers("g-ann")
    assert (customer["name"], customer["email"]) == ("Ann Lee", "ann@gmail.com")


def test_a_customer_deleted_at_stripe_is_created_again(stripe, connector):
    [created] = connector.push([outbound("g-acme")])
    httpx.delete(f"{stripe.url}/v1/customers/{created.target_id}", headers=AUTH).raise_for_status()

    [again] = connector.push([outbound("g-acme", version=2, target_id=created.target_id)])

    [customer] = stripe.app.live_customers("g-acme")
    assert again.ok and again.target_id == customer["id"] != created.target_id
    key = posts(stripe, "/v1/customers")[-1]["headers"]["idempotency-key"]
    assert key == f"mdm-delivery-g-acme-recreate-{created.target_id}"


def test_a_lost_create_answer_retried_finds_the_customer_by_search(stripe, connector):
    stripe.app.inject("lost_answer", path="/v1/customers")

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])
    assert caught.value.code == ErrorCode.NO_ANSWER
    [retried] = connector.push([outbound("g-acme", attempt=2)])

    [customer] = stripe.app.live_customers("g-acme")
    assert retried.target_id == customer["id"]
    assert len(posts(stripe, "/v1/customers")) == 1


def test_a_lost_create_answer_retried_before_search_sees_it_replays_the_key(stripe, connector):
    stripe.app.hide_from_search()
    stripe.app.inject("lost_answer", how="502", path="/v1/customers")

    with pytest.raises(RetryableError):
        connector.push([outbound("g-acme")])
    [retried] = connector.push([outbound("g-acme", attempt=2)])

    [customer] = stripe.app.live_customers("g-acme")
    assert retried.ok and retried.target_id == customer["id"]
    assert len(stripe.app.customers) == 1
    assert [(r["method"], r["path"]) for r in stripe.app.requests] == [
        ("POST", "/v1/customers"),
        ("GET", "/v1/customers/search"),  # attempt 2 looks first; search lags
        ("POST", "/v1/customers"),  # same key, same parameters: the first answer replayed
        ("POST", f"/v1/customers/{customer['id']}"),
    ]


def test_a_lost_create_retried_with_a_newer_version_updates_the_one_customer(stripe, connector):
    stripe.app.inject("lost_answer", path="/v1/customers")
    with pytest.raises(RetryableError):
        connector.push([outbound("g-acme")])

    # a replay that starts counting attempts again: the key is refused for other parameters
    newer = outbound("g-acme", {**ACME, "name": "Acme AG"}, version=2, attempt=1)
    [retried] = connector.push([newer])

    [customer] = stripe.app.live_customers("g-acme")
    assert retried.ok and retried.target_id == customer["id"]
    assert customer["name"] == "Acme AG"
    assert len(stripe.app.customers) == 1
    assert [(r["method"], r["path"]) for r in stripe.app.requests] == [
        ("POST", "/v1/customers"),  # created, answer lost
        ("POST", "/v1/customers"),  # same key, other parameters: idempotency_error
        ("GET", "/v1/customers/search"),
        ("POST", f"/v1/customers/{customer['id']}"),
    ]


def test_a_newer_version_while_search_lags_waits_and_never_duplicates(stripe, connector):
    stripe.app.hide_from_search()
    stripe.app.inject("lost_answer", path="/v1/customers")
    with pytest.raises(RetryableError):
        connector.push([outbound("g-acme")])

    newer = {**ACME, "name": "Acme AG"}
    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme", newer, version=2, attempt=2)])
    assert caught.value.code == ErrorCode.IDEMPOTENCY_CONFLICT
    assert caught.value.retry_after == 10.0
    assert len(stripe.app.customers) == 1

    stripe.app.release_search()
    [retried] = connector.push([outbound("g-acme", newer, version=2, attempt=3)])
    [customer] = stripe.app.live_customers("g-acme")
    assert retried.target_id == customer["id"] and customer["name"] == "Acme AG"
    assert len(stripe.app.customers) == 1


def test_a_429_without_retry_after_pauses_the_target_for_no_set_time(stripe, connector):
    stripe.app.inject("status", status=429)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])

    assert (caught.value.code, caught.value.scope, caught.value.retry_after) == (
        ErrorCode.RATE_LIMITED,
        "target",
        None,
    )
    assert stripe.app.customers == {}


def test_a_lock_timeout_is_retryable_for_the_record_only(stripe, connector):
    stripe.app.inject("status", status=429, code="lock_timeout")

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])

    assert (caught.value.code, caught.value.scope) == (ErrorCode.LOCKED, "record")


def test_an_unknown_parameter_is_permanent_and_names_it(stripe):
    connector = build_connector(stripe.target(mapping={"nickname": "name"}))

    with pytest.raises(PermanentError) as caught:
        connector.push([outbound("g-acme")])

    assert caught.value.target_code == "parameter_unknown"
    assert "nickname" in caught.value.message
    assert stripe.app.customers == {}


def test_merge_deactivates_in_metadata_and_unmerge_reactivates(stripe, connector):
    [created] = connector.push([outbound("g-acme")])

    [merged] = connector.push(
        [
            outbound(
                "g-acme", version=2, status="merged", merged_into="g-s", target_id=created.target_id
            )
        ]
    )
    customer = stripe.app.customer(created.target_id)
    assert merged.ok and not merged.deleted
    assert customer["metadata"] == {
        "mdm_golden_id": "g-acme",
        "mdm_status": "merged",
        "mdm_merged_into": "g-s",
    }

    connector.push([outbound("g-acme", version=3, target_id=created.target_id)])
    customer = stripe.app.customer(created.target_id)
    assert customer["metadata"] == {"mdm_golden_id": "g-acme", "mdm_status": "active"}
    assert len(stripe.app.customers) == 1


def test_merge_of_a_record_stripe_never_had_sends_nothing_but_a_search(stripe, connector):
    [result] = connector.push([outbound("g-new", status="merged", merged_into="g-s")])

    assert result.ok and result.target_id is None
    assert [r["path"] for r in stripe.app.requests] == ["/v1/customers/search"]


def test_recover_target_id_searches_by_metadata(stripe, connector):
    [created] = connector.push([outbound("g-it's")])

    assert connector.recover_target_id("g-it's") == created.target_id
    assert connector.recover_target_id("g-nobody") is None
    assert stripe.app.requests[-1]["query"]["query"] == "metadata['mdm_golden_id']:'g-nobody'"
