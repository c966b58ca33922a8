"""What every connector promises the dispatcher, run against each kind and its stand-in over
real HTTP: one suite for all four, as eventsourcing runs one recorder suite against every store.

A kind's own behaviour (its request shapes, batching, parents, search lag) stays in its own
file, ``test_{kind}_connector.py``. A new kind joins here by one entry in ``KINDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sync.connectors import (
    Connector,
    ErrorCode,
    PermanentError,
    RetryableError,
    TargetConfig,
    build_connector,
)
from tests.sync.outbound import ACME, ANN, outbound

Record = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """How to read one kind's stand-in: the live record of a golden id, its id, whether it is
    marked merged; and how the target words a validation refusal."""

    name: str
    live: Callable[[Any, str], Record | None]
    target_id: Callable[[Record], str]
    marked_merged: Callable[[Record], bool]
    refusal: tuple[int, str]  # status and the target's error code of a validation refusal


def _stripe_live(app: Any, golden_id: str) -> Record | None:
    found = app.live_customers(golden_id)
    assert len(found) <= 1, f"duplicate customers for {golden_id}: {found}"
    return found[0] if found else None


KINDS = [
    Kind(
        "salesforce",
        live=lambda app, g: app.account(g),
        target_id=lambda r: r["Id"],
        marked_merged=lambda r: r["MDM_Active__c"] is False,
        refusal=(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
    ),
    Kind(
        "stripe",
        live=_stripe_live,
        target_id=lambda r: r["id"],
        marked_merged=lambda r: r["metadata"].get("mdm_status") == "merged",
        refusal=(400, "parameter_invalid_empty"),
    ),
    Kind(
        "netsuite",
        live=lambda app, g: app.customer(g),
        target_id=lambda r: r["id"],
        marked_merged=lambda r: r["isInactive"] is True,
        refusal=(400, "USER_ERROR"),
    ),
    Kind(
        "zendesk",
        live=lambda app, g: app.organization(g),
        target_id=lambda r: str(r["id"]),
        marked_merged=lambda r: "mdm_merged" in r["tags"],
        refusal=(422, "RecordInvalid"),
    ),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def target(standins: Any, kind: Kind) -> Any:
    return standins(kind.name)


@pytest.fixture
def connect(target: Any) -> Iterator[Callable[..., Connector]]:
    """``connect(timeout=..., **target overrides)``: a connector to the stand-in, closed after."""
    built: list[Connector] = []

    def make(*, timeout: float = 2, **overrides: Any) -> Connector:
        connector = build_connector(target.target(**overrides), timeout=timeout)
        built.append(connector)
        return connector

    yield make
    for connector in built:
        connector.close()


@pytest.fixture
def connector(connect: Callable[..., Connector]) -> Connector:
    return connect()


def live_id(kind: Kind, target: Any, golden_id: str) -> str | None:
    record = kind.live(target.app, golden_id)
    return None if record is None else kind.target_id(record)


# idempotent writes and the crosswalk ----------------------------------------------------------


def test_create_then_update_is_one_record_at_the_target(kind, target, connector):
    [created] = connector.push([outbound("g-acme")])
    [updated] = connector.push(
        [outbound("g-acme", {**ACME, "name": "Acme AG"}, version=2, target_id=created.target_id)]
    )

    assert created.ok and updated.ok
    assert created.target_id == updated.target_id == live_id(kind, target, "g-acme")
    assert target.app.counts() == {"g-acme": 1}


def test_an_update_without_the_crosswalk_id_finds_the_record_by_external_id(
    kind, target, connector
):
    [created] = connector.push([outbound("g-acme")])
    [again] = connector.push([outbound("g-acme", {**ACME, "name": "Acme AG"}, version=2)])

    assert again.ok and again.target_id == created.target_id
    assert target.app.counts() == {"g-acme": 1}


def test_the_golden_id_is_recorded_at_the_target_and_recovers_the_target_id(
    kind, target, connector
):
    [created] = connector.push([outbound("g-acme")])

    assert "g-acme" in target.app.external_ids()
    assert connector.recover_target_id("g-acme") == created.target_id
    assert connector.recover_target_id("g-nobody") is None


def test_a_batch_answers_one_result_per_record_in_order(kind, target, connector):
    results = connector.push([outbound("g-acme"), outbound("g-ann", ANN)])

    assert [(r.golden_id, r.ok) for r in results] == [("g-acme", True), ("g-ann", True)]
    assert [r.target_id for r in results] == [
        live_id(kind, target, "g-acme"),
        live_id(kind, target, "g-ann"),
    ]
    assert target.app.counts() == {"g-acme": 1, "g-ann": 1}


def test_the_correlation_id_goes_with_every_request(kind, target, connector):
    connector.push([outbound("g-acme", correlation_id="corr-1")])

    assert target.app.requests
    assert {r["headers"].get("x-correlation-id") for r in target.app.requests} == {"corr-1"}


# at least once: a retry never duplicates ----------------------------------------------------


@pytest.mark.parametrize("how", ["drop", "502"])
def test_a_retry_after_a_lost_answer_creates_no_duplicate(kind, target, connector, how):
    target.app.inject("lost_answer", how=how)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])
    [retried] = connector.push([outbound("g-acme", attempt=2)])

    assert caught.value.code == ErrorCode.NO_ANSWER  # the change may have been applied
    assert retried.ok and retried.target_id == live_id(kind, target, "g-acme")
    assert target.app.counts() == {"g-acme": 1}


def test_a_slow_answer_is_a_retryable_timeout_and_the_retry_creates_no_duplicate(
    kind, target, connect
):
    target.app.inject("slow", delay=1.5)
    connector = connect(timeout=0.3)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])
    [retried] = connect().push([outbound("g-acme", attempt=2)])

    assert caught.value.code == ErrorCode.TIMEOUT
    assert retried.ok and retried.target_id == live_id(kind, target, "g-acme")
    assert target.app.counts() == {"g-acme": 1}


def test_a_500_is_retried_for_the_record_and_the_retry_writes_it_once(kind, target, connector):
    target.app.inject("status", status=500)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])
    [retried] = connector.push([outbound("g-acme", attempt=2)])

    assert (caught.value.code, caught.value.scope, caught.value.status) == (
        ErrorCode.SERVER_ERROR,
        "record",
        500,
    )
    assert retried.ok and target.app.counts() == {"g-acme": 1}


# refusals for the whole target: the dispatcher pauses it ---------------------------------------


@pytest.mark.parametrize(
    ("status", "retry_after", "codes", "wait"),
    [
        (429, "42", {ErrorCode.RATE_LIMITED, ErrorCode.CONCURRENCY_LIMIT}, 42.0),
        (503, None, {ErrorCode.UNAVAILABLE}, None),
        (503, "30", {ErrorCode.UNAVAILABLE}, 30.0),
    ],
)
def test_a_rate_limit_or_unavailable_pauses_the_target_for_retry_after(
    kind, target, connector, status, retry_after, codes, wait
):
    target.app.inject("status", status=status, retry_after=retry_after)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme"), outbound("g-ann", ANN)])

    assert caught.value.code in codes  # NetSuite's 429 is its concurrency limit
    assert (caught.value.scope, caught.value.retry_after) == ("target", wait)
    assert len(target.app.requests) == 1  # the rest of the batch was not tried
    assert target.app.counts() == {}


def test_a_wrong_credential_pauses_the_target(kind, target, connect):
    credentials = {"token": "wrong"}
    if kind.name == "zendesk":
        credentials["email"] = "agent@example.com"
    connector = connect(credentials=credentials)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])

    assert (caught.value.code, caught.value.scope) == (ErrorCode.UNAUTHORIZED, "target")
    assert target.app.counts() == {}


def test_an_unreachable_target_is_a_retryable_connect_failure(kind):
    config = TargetConfig(
        name="x",
        kind=kind.name,
        base_url="http://127.0.0.1:9",
        credentials={"token": "t", "email": "agent@example.com"},
    )
    connector = build_connector(config, timeout=1)

    with pytest.raises(RetryableError) as caught:
        connector.push([outbound("g-acme")])
    connector.close()

    assert caught.value.code == ErrorCode.CONNECT_FAILED


# a validation refusal is a dead letter with the target's words ---------------------------------


def test_a_validation_refusal_is_permanent_and_carries_the_targets_message(kind, target, connector):
    status, code = kind.refusal
    target.app.inject("status", status=status, code=code, message="Name is too long (max 80)")

    with pytest.raises(PermanentError) as caught:
        connector.push([outbound("g-acme")])

    assert not caught.value.retryable
    assert caught.value.target_code == code
    assert "Name is too long (max 80)" in caught.value.message
    assert target.app.counts() == {}


# merges: deactivate (the default) or delete, and back on an unmerge -----------------------------


def test_a_merge_marks_the_record_and_an_unmerge_restores_it(kind, target, connector):
    [created] = connector.push([outbound("g-acme")])

    [merged] = connector.push(
        [
            outbound(
                "g-acme", version=2, status="merged", merged_into="g-s", target_id=created.target_id
            )
        ]
    )
    marked = kind.live(target.app, "g-acme")
    was_marked = marked is not None and kind.marked_merged(marked)
    [unmerged] = connector.push([outbound("g-acme", version=3, target_id=created.target_id)])

    assert merged.ok and not merged.deleted and merged.target_id == created.target_id
    assert was_marked
    assert unmerged.target_id == created.target_id
    assert not kind.marked_merged(kind.live(target.app, "g-acme") or {})
    assert target.app.counts() == {"g-acme": 1}


def test_a_merge_with_on_merge_delete_deletes_and_an_unmerge_creates_it_again(
    kind, target, connect
):
    connector = connect(options={"on_merge": "delete"})
    [created] = connector.push([outbound("g-acme")])

    [merged] = connector.push(
        [
            outbound(
                "g-acme", version=2, status="merged", merged_into="g-s", target_id=created.target_id
            )
        ]
    )
    gone = target.app.counts()
    [back] = connector.push([outbound("g-acme", version=3, target_id=created.target_id)])

    assert merged.ok and merged.deleted and merged.target_id == created.target_id
    assert gone == {}
    assert back.target_id == live_id(kind, target, "g-acme") != created.target_id
    assert target.app.counts() == {"g-acme": 1}


def test_a_merge_of_a_record_the_target_never_had_creates_no_live_record(kind, target, connector):
    [result] = connector.push([outbound("g-new", status="merged", merged_into="g-s")])

    # Salesforce and NetSuite write the merge as an upsert, so an inactive record may appear
    record = kind.live(target.app, "g-new")
    assert result.ok and not result.deleted
    assert record is None or kind.marked_merged(record)
    assert target.app.counts() in ({}, {"g-new": 1})


def test_deleting_a_record_the_target_never_had_is_acknowledged_and_writes_nothing(
    kind, target, connect
):
    connector = connect(options={"on_merge": "delete"})

    [result] = connector.push([outbound("g-new", status="merged", merged_into="g-s")])

    assert result.ok
    assert target.app.counts() == {}
