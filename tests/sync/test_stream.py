"""The event-stream adapters against a real NATS JetStream server.

Every test gets a stream and a subject prefix of its own (other runs share the server)
and deletes the stream afterwards.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from nats.js.api import StreamConfig
from sqlalchemy.engine import Engine

from contracts.events import CloudEvent, golden_event_type
from sync.stream import (
    ACK,
    CONTENT_TYPE,
    ConsumeError,
    EventConsumer,
    EventPublisher,
    InboundMessage,
    PublishError,
    StreamSettings,
    Verdict,
    inbound_source,
    inbound_subject,
    reject,
    retry_later,
)
from tests.sync.hub_events import make_every_change, outbox_rows
from tests.sync.nats_probe import Cable, Probe, nats_url, user_headers

URL = nats_url()
pytestmark = [
    pytest.mark.nats,
    pytest.mark.skipif(
        URL is None,
        reason="no NATS server: set MDM_NATS_URL or run `nats-server -js` on 127.0.0.1:4222",
    ),
]


@pytest.fixture
def probe() -> Probe:
    assert URL is not None
    return Probe(URL)


@pytest.fixture
def stream_settings(probe: Probe) -> Iterator[StreamSettings]:
    tag = uuid.uuid4().hex[:10]
    made = StreamSettings(
        url=probe.url, stream=f"MDM_TEST_{tag}", subject_prefix=f"t{tag}", connect_timeout_s=2
    )
    yield made
    probe.delete_stream(made.stream)


@pytest.fixture
def publisher(stream_settings: StreamSettings) -> Iterator[EventPublisher]:
    with EventPublisher(stream_settings) as p:
        yield p


def event_row(
    event_type: str, golden_id: str, *, version: int = 1, correlation_id: str | None = "req-1"
) -> dict[str, Any]:
    entity_type = event_type.split(".")[-3] if ".golden." in event_type else "customer"
    event = CloudEvent(
        id=str(uuid.uuid4()),
        type=event_type,
        subject=golden_id,
        time=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        correlation_id=correlation_id,
        data={"golden_id": golden_id, "version": version, "entity_type": entity_type},
    )
    return {
        "event_id": event.id,
        "event_type": event.type,
        "subject": golden_id,
        "entity_type": entity_type,
        "golden_version": version,
        "envelope": event.envelope(),
        "correlation_id": correlation_id,
    }


# -- publishing --------------------------------------------------------------------------


def test_the_stream_is_created_when_missing_with_the_documented_retention(
    probe: Probe, stream_settings: StreamSettings, publisher: EventPublisher
) -> None:
    assert probe.stream_info(stream_settings.stream) is None

    publisher.publish([event_row(golden_event_type("customer", "created"), "g1")])

    info = probe.stream_info(stream_settings.stream)
    assert info is not None
    assert info.config.subjects == [f"{stream_settings.subject_prefix}.>"]
    assert info.config.retention == "limits"
    assert info.config.storage == "file"
    assert info.config.discard == "old"
    assert info.config.duplicate_window == 3600.0
    assert info.config.max_age == 7 * 24 * 3600.0
    assert info.state.messages == 1


def test_an_existing_stream_is_used_as_its_operator_configured_it(
    probe: Probe, stream_settings: StreamSettings, publisher: EventPublisher
) -> None:
    probe.add_stream(
        StreamConfig(
            name=stream_settings.stream,
            subjects=[f"{stream_settings.subject_prefix}.>"],
            max_age=600.0,
            duplicate_window=60.0,
        )
    )

    publisher.publish([event_row(golden_event_type("product", "created"), "p1")])

    info = probe.stream_info(stream_settings.stream)
    assert info is not None
    assert (info.config.max_age, info.config.duplicate_window) == (600.0, 60.0)
    assert info.state.messages == 1


def test_hub_changes_go_out_in_outbox_order_on_their_subjects_as_the_exact_envelope(
    client: TestClient,
    engine: Engine,
    probe: Probe,
    stream_settings: StreamSettings,
    publisher: EventPublisher,
) -> None:
    make_every_change(client)
    rows = outbox_rows(engine)
    changes = {r["event_type"].split(".")[3] for r in rows}
    assert changes == {"created", "updated", "merged", "unmerged"}

    assert publisher.publish(rows) == len(rows)

    stored = probe.messages(stream_settings.stream)
    prefix = stream_settings.subject_prefix
    assert [m.subject for m in stored] == [
        f"{prefix}.golden.{r['entity_type']}.{r['event_type'].split('.')[3]}" for r in rows
    ]
    assert [m.data for m in stored] == [orjson.dumps(r["envelope"]) for r in rows]
    assert [json.loads(m.data or b"") for m in stored] == [r["envelope"] for r in rows]
    assert [user_headers(m)["Nats-Msg-Id"] for m in stored] == [r["event_id"] for r in rows]
    assert [user_headers(m).get("X-Correlation-ID") for m in stored] == [
        r["correlation_id"] for r in rows
    ]


@pytest.mark.parametrize(
    ("event_type", "subject"),
    [
        ("mdm.golden.customer.created.v1", "golden.customer.created"),
        ("mdm.golden.product.updated.v1", "golden.product.updated"),
        ("mdm.golden.price.merged.v1", "golden.price.merged"),
        ("mdm.golden.customer.unmerged.v1", "golden.customer.unmerged"),
        ("mdm.customer.payment_failed.v1", "customer.payment_failed"),
    ],
)
def test_each_event_type_has_its_subject(
    event_type: str,
    subject: str,
    probe: Probe,
    stream_settings: StreamSettings,
    publisher: EventPublisher,
) -> None:
    publisher.publish([event_row(event_type, "g1")])

    (stored,) = probe.messages(stream_settings.stream)
    assert stored.subject == f"{stream_settings.subject_prefix}.{subject}"


def test_headers_carry_the_event_id_the_correlation_id_and_the_content_type(
    probe: Probe, stream_settings: StreamSettings, publisher: EventPublisher
) -> None:
    traced = event_row(golden_event_type("customer", "created"), "g1", correlation_id="req-42")
    untraced = event_row(golden_event_type("customer", "updated"), "g1", correlation_id=None)

    publisher.publish([traced, untraced])

    stored = probe.messages(stream_settings.stream)
    first, second = (user_headers(m) for m in stored)
    assert first["Nats-Msg-Id"] == traced["event_id"]
    assert first["X-Correlation-ID"] == "req-42"
    assert first["Content-Type"] == CONTENT_TYPE == "application/cloudevents+json"
    assert second["Nats-Msg-Id"] == untraced["event_id"]
    assert "X-Correlation-ID" not in second
    assert json.loads(stored[0].data or b"")["correlationid"] == "req-42"


def test_publishing_the_same_events_twice_stores_them_once(
    probe: Probe, stream_settings: StreamSettings, publisher: EventPublisher
) -> None:
    rows = [event_row(golden_event_type("customer", "updated"), f"g{i}") for i in range(20)]

    first = publisher.publish(rows)
    again = publisher.publish(rows)

    assert (first, again) == (20, 20)
    stored = probe.messages(stream_settings.stream)
    assert [user_headers(m)["Nats-Msg-Id"] for m in stored] == [r["event_id"] for r in rows]


def test_many_events_in_flight_keep_each_records_order(
    probe: Probe, stream_settings: StreamSettings
) -> None:
    rows = [
        event_row(golden_event_type("customer", "updated"), f"g{i % 3}", version=i // 3 + 1)
        for i in range(300)
    ]

    with EventPublisher(stream_settings.model_copy(update={"max_in_flight": 64})) as publisher:
        assert publisher.publish(rows) == 300

    stored = [json.loads(m.data or b"") for m in probe.messages(stream_settings.stream)]
    assert [e["id"] for e in stored] == [r["event_id"] for r in rows]


def test_a_batch_stops_at_an_unroutable_event_and_says_how_many_were_stored(
    probe: Probe, stream_settings: StreamSettings, publisher: EventPublisher
) -> None:
    good = event_row(golden_event_type("customer", "created"), "g1")
    bad = {**event_row(golden_event_type("customer", "updated"), "g1"), "event_type": "bogus"}
    after = event_row(golden_event_type("customer", "updated"), "g2")

    with pytest.raises(PublishError) as raised:
        publisher.publish([good, bad, after])

    assert (raised.value.acked, raised.value.event_id) == (1, bad["event_id"])
    assert raised.value.permanent is True
    stored = probe.messages(stream_settings.stream)
    assert [user_headers(m)["Nats-Msg-Id"] for m in stored] == [good["event_id"]]


def test_an_unreachable_server_raises_a_retryable_publish_error() -> None:
    down = StreamSettings(url="nats://127.0.0.1:1", stream="MDM_DOWN", connect_timeout_s=1)
    row = event_row(golden_event_type("customer", "created"), "g1")

    with EventPublisher(down) as publisher, pytest.raises(PublishError) as raised:
        publisher.publish([row])

    assert (raised.value.acked, raised.value.event_id) == (0, row["event_id"])
    assert raised.value.permanent is False


@pytest.fixture
def cable(probe: Probe) -> Iterator[Cable]:
    made = Cable(probe.url)
    made.plug()
    yield made
    made.unplug()


def test_the_publisher_reports_an_outage_and_publishes_again_once_nats_is_back(
    probe: Probe, stream_settings: StreamSettings, cable: Cable
) -> None:
    before, during, after = (
        event_row(golden_event_type("customer", "updated"), "g1", version=v) for v in (1, 2, 3)
    )
    through_cable = stream_settings.model_copy(update={"url": cable.url, "publish_timeout_s": 1})

    with EventPublisher(through_cable) as publisher:
        assert publisher.publish([before]) == 1
        cable.unplug()
        with pytest.raises(PublishError) as raised:
            publisher.publish([during, after])
        cable.plug()
        again = publisher.publish([during, after])

    assert (raised.value.acked, raised.value.event_id) == (0, during["event_id"])
    assert raised.value.permanent is False
    assert again == 2
    stored = probe.messages(stream_settings.stream)
    assert [user_headers(m)["Nats-Msg-Id"] for m in stored] == [
        r["event_id"] for r in (before, during, after)
    ]


def test_the_publisher_refuses_settings_without_a_server() -> None:
    with pytest.raises(ValueError, match="MDM_NATS_URL"):
        EventPublisher(StreamSettings(url=None))


# -- consuming ---------------------------------------------------------------------------


def publish_inbound(
    probe: Probe, stream_settings: StreamSettings, source: str, event_type: str, body: Any
) -> tuple[str, int]:
    event_id = str(uuid.uuid4())
    payload = body if isinstance(body, bytes) else orjson.dumps({"id": event_id, **body})
    subject = inbound_subject(source, event_type, prefix=stream_settings.subject_prefix)
    ack = probe.publish(subject, payload, {"Nats-Msg-Id": event_id, "X-Correlation-ID": "c-7"})
    return event_id, ack.seq


def poll_until(consumer: EventConsumer, done: Callable[[], bool], polls: int = 100) -> None:
    for _ in range(polls):
        consumer.poll()
        if done():
            return
    raise AssertionError("the consumer did not get there")


@pytest.fixture
def make_consumer(stream_settings: StreamSettings) -> Iterator[Callable[..., EventConsumer]]:
    made: list[EventConsumer] = []

    def make(handler: Callable[[InboundMessage], Verdict], **options: Any) -> EventConsumer:
        options.setdefault("fetch_timeout_s", 0.2)
        consumer = EventConsumer(stream_settings, durable="mdm-inbound", handler=handler, **options)
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        consumer.close()


def test_the_consumer_hands_over_payload_headers_and_metadata(
    probe: Probe, stream_settings: StreamSettings, make_consumer: Callable[..., EventConsumer]
) -> None:
    seen: list[InboundMessage] = []
    consumer = make_consumer(lambda m: seen.append(m) or ACK)
    consumer.poll()  # creates the stream and the durable consumer
    body = {"type": "invoice.paid", "customer": {"source_id": "cus_1"}, "data": {}}
    event_id, seq = publish_inbound(probe, stream_settings, "billing", "invoice.paid", body)

    poll_until(consumer, lambda: len(seen) == 1)

    (message,) = seen
    assert message.data == {"id": event_id, **body}
    assert (message.message_id, message.correlation_id) == (event_id, "c-7")
    assert (message.stream, message.stream_seq) == (stream_settings.stream, seq)
    assert message.num_delivered == 1
    assert inbound_source(message.subject, prefix=stream_settings.subject_prefix) == (
        "billing",
        "invoice.paid",
    )


def test_the_consumer_acks_retries_and_rejects_as_the_handler_says(
    probe: Probe, stream_settings: StreamSettings, make_consumer: Callable[..., EventConsumer]
) -> None:
    decisions = {"ok": ACK, "later": retry_later(0.1), "bad": reject("no customer")}
    deliveries: list[tuple[str, int]] = []

    def handler(m: InboundMessage) -> Verdict:
        deliveries.append((m.data["note"], m.num_delivered))
        return ACK if m.num_delivered > 1 else decisions[m.data["note"]]

    consumer = make_consumer(handler)
    consumer.poll()
    for note in ("ok", "later", "bad"):
        publish_inbound(probe, stream_settings, "crm", "order.booked", {"note": note})

    poll_until(consumer, lambda: ("later", 2) in deliveries)
    for _ in range(3):
        consumer.poll()

    assert sorted(deliveries) == [("bad", 1), ("later", 1), ("later", 2), ("ok", 1)]
    info = probe.consumer_info(stream_settings.stream, "mdm-inbound")
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


def test_a_handler_that_raises_gets_the_message_again(
    probe: Probe, stream_settings: StreamSettings, make_consumer: Callable[..., EventConsumer]
) -> None:
    deliveries: list[int] = []

    def handler(m: InboundMessage) -> Verdict:
        deliveries.append(m.num_delivered)
        if m.num_delivered == 1:
            raise RuntimeError("database is down")
        return ACK

    consumer = make_consumer(handler, backoff_s=[0.1])
    consumer.poll()
    publish_inbound(probe, stream_settings, "support", "case.opened", {"note": "x"})

    poll_until(consumer, lambda: deliveries == [1, 2])
    info = probe.consumer_info(stream_settings.stream, "mdm-inbound")
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


def test_a_durable_consumer_resumes_after_what_it_acked(
    probe: Probe, stream_settings: StreamSettings, make_consumer: Callable[..., EventConsumer]
) -> None:
    first_seen: list[str] = []
    first = make_consumer(lambda m: first_seen.append(m.data["note"]) or ACK)
    first.poll()
    publish_inbound(probe, stream_settings, "crm", "order.booked", {"note": "one"})
    poll_until(first, lambda: first_seen == ["one"])
    first.close()
    publish_inbound(probe, stream_settings, "crm", "order.booked", {"note": "two"})

    later_seen: list[str] = []
    later = make_consumer(lambda m: later_seen.append(m.data["note"]) or ACK)
    poll_until(later, lambda: bool(later_seen))

    assert later_seen == ["two"]


def test_a_payload_that_is_not_json_reaches_the_handler_raw(
    probe: Probe, stream_settings: StreamSettings, make_consumer: Callable[..., EventConsumer]
) -> None:
    seen: list[InboundMessage] = []
    consumer = make_consumer(lambda m: seen.append(m) or reject(m.parse_error or ""))
    consumer.poll()
    publish_inbound(probe, stream_settings, "erp", "invoice.posted", b"<invoice/>")

    poll_until(consumer, lambda: bool(seen))

    (message,) = seen
    assert (message.data, message.raw) == (None, b"<invoice/>")
    assert message.parse_error is not None and "not JSON" in message.parse_error


def test_a_consumer_of_an_unreachable_server_raises_consume_error() -> None:
    down = StreamSettings(url="nats://127.0.0.1:1", stream="MDM_DOWN", connect_timeout_s=1)
    handled: list[Mapping[str, Any]] = []

    with (
        EventConsumer(down, durable="d", handler=lambda m: handled.append(m.data) or ACK) as c,
        pytest.raises(ConsumeError),
    ):
        c.poll()

    assert handled == []


def test_the_consumer_reports_an_outage_and_resumes_once_nats_is_back(
    probe: Probe, stream_settings: StreamSettings, cable: Cable
) -> None:
    seen: list[str] = []
    through_cable = stream_settings.model_copy(update={"url": cable.url})
    consumer = EventConsumer(
        through_cable,
        durable="mdm-inbound",
        handler=lambda m: seen.append(m.data["note"]) or ACK,
        fetch_timeout_s=0.2,
    )
    try:
        consumer.poll()
        publish_inbound(probe, stream_settings, "crm", "order.booked", {"note": "one"})
        poll_until(consumer, lambda: seen == ["one"])
        cable.unplug()
        with pytest.raises(ConsumeError):
            for _ in range(50):
                consumer.poll()
        publish_inbound(probe, stream_settings, "crm", "order.booked", {"note": "two"})
        cable.plug()
        poll_until(consumer, lambda: seen == ["one", "two"])
    finally:
        consumer.close()
