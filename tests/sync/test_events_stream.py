"""Sources' events from a real NATS JetStream server: the inbound consumer takes them in
at least once, and intake's dedup makes a redelivery harmless."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import nats
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from mdm.bootstrap import Container, bootstrap
from mdm.settings import Settings
from sync.inbound import InboundConsumer
from sync.stream import StreamSettings
from tests.events.events import ACME, at, customer, event_counts, invoice, links

NATS_URL = os.environ.get("MDM_NATS_URL", "nats://127.0.0.1:4222")


def _drain(consumer: InboundConsumer, expected: int) -> tuple[int, int, int]:
    """Poll until ``expected`` messages were settled (a fetch may return fewer than are
    there); answers (acked, retried, rejected)."""
    acked = retried = rejected = 0
    for _ in range(10):
        polled = consumer.poll()
        acked, retried, rejected = (
            acked + polled.acked,
            retried + polled.retried,
            rejected + polled.rejected,
        )
        if acked + retried + rejected >= expected:
            break
    return acked, retried, rejected


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "", parts.port or 4222), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.nats,
    pytest.mark.skipif(not _reachable(NATS_URL), reason=f"no NATS server at {NATS_URL}"),
]


async def _publish(subject: str, payload: bytes) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().publish(subject, payload)
    finally:
        await nc.close()


async def _delete_stream(name: str) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_stream(name)
    finally:
        await nc.close()


def _run(coroutine: Any) -> Any:
    """Run a coroutine on a thread of its own (the browser tier's Playwright keeps an
    event loop running on the test thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def streamed(settings: Settings, engine: Engine) -> Iterator[tuple[Container, str, StreamSettings]]:
    """A hub container reading its own stream (a fresh name and subject prefix)."""
    tag = uuid.uuid4().hex[:10]
    container = bootstrap(settings.model_copy(update={"nats_url": NATS_URL}), engine=engine)
    stream = StreamSettings(url=NATS_URL, stream=f"T_{tag}", subject_prefix=f"t{tag}")
    yield container, f"t{tag}", stream
    _run(_delete_stream(f"T_{tag}"))


def test_events_published_by_a_source_are_taken_in_once(
    client: TestClient, engine: Engine, streamed: tuple[Container, str]
) -> None:
    container, prefix, stream = streamed
    gid = customer(client, "billing", "C-1", ACME)
    consumer = InboundConsumer(container, durable="test-inbound", settings=stream)
    try:
        assert consumer.poll().acked == 0  # creates the stream and the consumer
        batch = orjson.dumps(
            [invoice("e1", "C-1", at(1), "INV-1"), invoice("e2", "C-9", at(1), "I")]
        )
        subject = f"{prefix}.inbound.billing.invoice.posted"
        _run(_publish(subject, batch))
        _run(_publish(subject, batch))  # the source sent it twice
        _run(_publish(f"{prefix}.inbound.billing.invoice.posted", b"{not json"))

        settled = _drain(consumer, 3)
    finally:
        consumer.close()

    assert settled == (3, 0, 0)
    assert links(engine) == {"e1": gid, "e2": None}
    assert event_counts(engine)["quarantine"] == 1


def test_a_message_of_a_source_not_registered_yet_comes_back_later(
    client: TestClient, engine: Engine, streamed: tuple[Container, str]
) -> None:
    container, prefix, stream = streamed
    consumer = InboundConsumer(container, durable="test-inbound", settings=stream)
    try:
        consumer.poll()
        payload = orjson.dumps(invoice("e1", "C-1", at(1), "INV-1"))
        _run(_publish(f"{prefix}.inbound.newco.invoice.posted", payload))

        settled = _drain(consumer, 1)
    finally:
        consumer.close()

    assert settled == (0, 1, 0)
    assert event_counts(engine)["transactional_event"] == 0
