"""A target's options are checked by type when it is stored, and one target that cannot be
used never stops planning or delivery for the others (issue 18, point 5)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from mdm.bootstrap import Container
from mdm.db.tables.sync import SyncTargetRow
from mdm.db.types import utcnow
from sync.connectors import Connector, OutboundRecord, PushResult, TargetConfig, build_connector
from sync.dispatch import Policy
from sync.relay import plan_rows
from sync.worker import Dispatcher
from tests.helpers import put_ok
from tests.sync.hub import add_target, deliveries, dispatcher

ACME = {"kind": "organization", "name": "Acme GmbH", "address": {"country": "DE"}}
TARGETS = SyncTargetRow.__table__


def _body(**options: Any) -> dict[str, Any]:
    return {
        "kind": "salesforce",
        "base_url": "https://acme.my.salesforce.com",
        "credentials": {"token": "t"},
        "options": options,
    }


@pytest.mark.parametrize(
    ("options", "pointer"),
    [
        ({"concurrency": 0.5}, "/options/concurrency"),
        ({"concurrency": 2.0}, "/options/concurrency"),
        ({"concurrency": "2"}, "/options/concurrency"),
        ({"concurrency": True}, "/options/concurrency"),
        ({"concurrency": 0}, "/options/concurrency"),
        ({"concurrency": -3}, "/options/concurrency"),
        ({"batch_size": 1.5}, "/options/batch_size"),
        ({"batch_size": 201}, "/options/batch_size"),
        ({"limit_pause_s": "5"}, "/options/limit_pause_s"),
        ({"limit_pause_s": 10**9}, "/options/limit_pause_s"),
        ({"correlation_header": 1}, "/options/correlation_header"),
        ({"on_merge": "archive"}, "/options/on_merge"),
        ({"sobject": ""}, "/options/sobject"),
        ({"sobject": "Account/../Contact"}, "/options/sobject"),
        ({"api_version": "v61.0?x=1"}, "/options/api_version"),
        ({"colour": "red"}, "/options/colour"),
    ],
)
def test_an_option_of_the_wrong_type_is_a_422_naming_it_and_nothing_is_stored(
    client: TestClient, options: dict[str, Any], pointer: str
) -> None:
    refused = client.put("/api/v1/sync/targets/crm-out", json=_body(**options))

    assert refused.status_code == 422, refused.text
    assert [e["pointer"] for e in refused.json()["error"]["errors"]] == [pointer]
    assert client.get("/api/v1/sync/targets").json()["targets"] == []


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("netsuite", {"record_type": "customer/1"}),
        ("netsuite", {"concurrency_pause_s": 0}),
        ("stripe", {"search_retry_after_s": True}),
        ("stripe", {"record_type": "customer"}),  # a NetSuite option
        ("zendesk", {"merged_tag": 7}),
    ],
)
def test_every_kinds_options_are_checked(kind: str, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=rf"^options\.{next(iter(options))}: "):
        TargetConfig(
            name="t",
            kind=kind,
            base_url="https://x.example",
            credentials={"token": "t"},
            options=options,
        )


def test_integers_and_numbers_of_the_right_type_are_taken(client: TestClient) -> None:
    body = _body(concurrency=2, batch_size=50, limit_pause_s=30, on_merge="delete")

    created = client.put("/api/v1/sync/targets/crm-out", json=body)

    assert created.status_code == 201, created.text
    shown = created.json()["options"]
    assert (shown["concurrency"], shown["batch_size"], shown["limit_pause_s"]) == (2, 50, 30)


def _store_options(container: Container, name: str, options: dict[str, Any]) -> None:
    """Write options straight into the row, as a hub before this check could have."""
    with container.engine.begin() as conn:
        conn.execute(update(TARGETS).where(TARGETS.c.name == name).values(options=options))


def _target(client: TestClient, name: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/sync/targets/{name}")
    assert response.status_code == 200, response.text
    shown: dict[str, Any] = response.json()
    return shown


def test_a_stored_target_with_bad_options_is_skipped_and_shows_why_while_the_others_deliver(
    client: TestClient, container: Container, standins: Any
) -> None:
    bad, good = standins("zendesk"), standins("salesforce")
    add_target(client, bad, "bad")  # sorts before the good one
    add_target(client, good, "good")
    _store_options(container, "bad", {"concurrency": 0.5})
    acme = str(put_ok(client, "erp/customer/E1", ACME)["golden_id"])

    d = dispatcher(container)
    d.run_until_idle()

    assert good.app.account(acme)["Name"] == "Acme GmbH"
    assert list(bad.app.requests) == []
    shown = _target(client, "bad")
    assert shown["paused_until"] is not None
    assert shown["pause_reason"] == "unusable: options.concurrency: a positive integer"
    assert _target(client, "good")["pause_reason"] is None
    [waiting] = deliveries(client, target="bad")
    assert waiting["state"] == "pending"  # it waits for a usable configuration

    d.run_until_idle()  # not tried again while its configuration is unchanged
    assert list(bad.app.requests) == []


def test_replacing_the_unusable_configuration_ends_the_pause_and_delivers(
    client: TestClient, container: Container, standins: Any
) -> None:
    bad = standins("zendesk")
    add_target(client, bad, "bad")
    _store_options(container, "bad", {"concurrency": "8"})
    acme = str(put_ok(client, "erp/customer/E1", ACME)["golden_id"])
    d = dispatcher(container)
    d.run_until_idle()
    assert _target(client, "bad")["paused_until"] is not None

    add_target(client, bad, "bad", options={"concurrency": 2})
    d.run_until_idle()

    shown = _target(client, "bad")
    assert (shown["paused_until"], shown["pause_reason"]) == (None, None)
    assert list(bad.app.counts()) == [acme]


def test_a_running_dispatcher_delivers_to_the_others_past_an_unusable_target(
    client: TestClient, container: Container, standins: Any
) -> None:
    bad, good = standins("zendesk"), standins("salesforce")
    add_target(client, bad, "bad")
    add_target(client, good, "good")
    _store_options(container, "bad", {"concurrency": 0.5})
    acme = str(put_ok(client, "erp/customer/E1", ACME)["golden_id"])
    d = Dispatcher(container, worker_id="threads", policy=Policy(backoff_base_s=0.0))

    d.start()
    try:
        for _ in range(200):
            if deliveries(client, target="good", state="delivered"):
                break
            d.stopping.wait(0.05)
    finally:
        d.stop()

    assert good.app.account(acme) is not None
    assert "options.concurrency" in _target(client, "bad")["pause_reason"]


class _Broken:
    """A connector with a bug: every push raises something that is not a DeliveryError."""

    kind, max_batch = "zendesk", 1

    def push(self, records: Sequence[OutboundRecord]) -> list[PushResult]:
        raise KeyError("organization")

    def recover_target_id(self, golden_id: str) -> str | None:
        return None

    def close(self) -> None:
        pass


def test_a_connector_that_raises_fails_its_own_deliveries_only(
    client: TestClient, container: Container, standins: Any
) -> None:
    bad, good = standins("zendesk"), standins("salesforce")
    add_target(client, bad, "bad")
    add_target(client, good, "good")
    acme = str(put_ok(client, "erp/customer/E1", ACME)["golden_id"])

    def factory(config: TargetConfig) -> Connector:
        return _Broken() if config.name == "bad" else build_connector(config)

    policy = Policy(backoff_base_s=0.0, backoff_cap_s=0.0, max_failures=2)
    Dispatcher(container, worker_id="w", policy=policy, connector_factory=factory).run_until_idle()

    assert good.app.account(acme) is not None
    [failed] = deliveries(client, target="bad")
    assert (failed["state"], failed["failures"]) == ("dead", 2)
    assert failed["last_error"]["code"] == "unexpected"
    assert "KeyError" in failed["last_error"]["message"]


def test_planning_skips_a_stored_target_whose_entity_types_are_malformed() -> None:
    event = {
        "entity_type": "customer",
        "golden_version": 1,
        "subject": "g1",
        "envelope": {"data": {}},
        "event_type": "mdm.golden.customer.updated.v1",
        "correlation_id": None,
        "created_at": utcnow(),
    }
    targets = [
        {"name": "bad", "enabled": True, "entity_types": None},
        {"name": "odd", "enabled": True, "entity_types": "customer"},
        {"name": "good", "enabled": True, "entity_types": ["customer"]},
    ]

    rows = plan_rows([event], targets, utcnow())

    assert [r["target"] for r in rows] == ["good"]
