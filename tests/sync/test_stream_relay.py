"""The hub's outbox reaches NATS JetStream through the dispatcher, in commit order, once,
and picks up where it stopped after a crash (a real NATS server)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from mdm.db.types import utcnow
from mdm.db.uow import run_in_transaction
from sync.stream import StreamSettings
from sync.stream_relay import POSITION, StreamRelay
from sync.worker import Dispatcher
from tests.helpers import put_ok
from tests.sync.nats_probe import Probe, nats_url, user_headers

URL = nats_url()
pytestmark = [
    pytest.mark.nats,
    pytest.mark.skipif(
        URL is None, reason="no NATS server: set MDM_NATS_URL or run nats-server -js"
    ),
]


@pytest.fixture
def stream(container: Container) -> Iterator[tuple[Probe, StreamSettings, Dispatcher]]:
    assert URL is not None
    probe, tag = Probe(URL), uuid.uuid4().hex[:10]
    settings = StreamSettings(url=URL, stream=f"MDM_RELAY_{tag}", subject_prefix=f"r{tag}")
    dispatcher = Dispatcher(container, stream=StreamRelay(container, settings))
    yield probe, settings, dispatcher
    dispatcher.stream.close()
    probe.delete_stream(settings.stream)


def test_every_golden_change_is_published_in_commit_order_with_its_ids(
    client: TestClient, stream: tuple[Probe, StreamSettings, Dispatcher]
) -> None:
    probe, settings, dispatcher = stream
    gid = put_ok(client, "crm/customer/C1", {"kind": "organization", "name": "Acme"})["golden_id"]
    put_ok(client, "crm/customer/C1", {"kind": "organization", "name": "Acme Corp"})
    feed = client.get("/api/v1/events").json()["events"]

    published = dispatcher.publish()

    messages = probe.messages(settings.stream)
    assert published == 2
    assert [m.subject for m in messages] == [
        f"{settings.subject_prefix}.golden.customer.created",
        f"{settings.subject_prefix}.golden.customer.updated",
    ]
    assert [json.loads(m.data)["id"] for m in messages] == [e["event"]["id"] for e in feed]
    headers = user_headers(messages[0])
    assert headers["Nats-Msg-Id"] == feed[0]["event"]["id"]
    assert headers["X-Correlation-ID"] == feed[0]["event"]["correlationid"]
    assert json.loads(messages[1].data)["data"]["golden_id"] == gid
    assert dispatcher.publish() == 0  # the relay's position moved past them


def test_a_relay_that_crashed_before_moving_its_position_republishes_without_duplicates(
    client: TestClient, container: Container, stream: tuple[Probe, StreamSettings, Dispatcher]
) -> None:
    probe, settings, dispatcher = stream
    for n in range(3):
        put_ok(client, f"crm/customer/C{n}", {"kind": "organization", "name": f"Firm {n}"})
    dispatcher.publish()

    # as if the process died after publishing but before committing its new position
    run_in_transaction(
        container.engine, lambda uow: uow.relay_positions.move(POSITION, 0, utcnow())
    )
    republished = dispatcher.publish()

    assert republished == 3
    assert len(probe.messages(settings.stream)) == 3  # the server dropped the repeats
