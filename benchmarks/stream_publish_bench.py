"""Events/s the relay's publisher puts on NATS JetStream, awaiting each ack or pipelined.

    python benchmarks/stream_publish_bench.py --events 20000 --batch 500 --in-flight 1 16 64 256

Each run publishes ``--events`` golden-customer events (about the size the hub writes)
in relay batches of ``--batch`` to a stream of its own, which it deletes afterwards.
``--in-flight 1`` awaits every ack before the next publish; larger values pipeline.
Needs a NATS server with JetStream at ``MDM_NATS_URL`` (default nats://127.0.0.1:4222).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import nats

from contracts.events import CloudEvent, golden_event_type
from sync.stream import EventPublisher, StreamSettings


def rows(n: int, records: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        gid = f"{i % records:032x}"
        event = CloudEvent(
            id=str(uuid.uuid4()),
            type=golden_event_type("customer", "updated"),
            subject=gid,
            time=datetime.now(UTC),
            correlation_id=uuid.uuid4().hex,
            data={
                "entity_type": "customer",
                "golden_id": gid,
                "version": i // records + 1,
                "status": "active",
                "merged_into": None,
                "cause": "source_record",
                "changed": ["email", "phone"],
                "attributes": {
                    "kind": "organization",
                    "name": f"Company {i} Holdings Inc",
                    "email": f"ap{i}@example.com",
                    "phone": "+14155550100",
                    "address": {"line1": "1 Market St", "city": "San Francisco", "country": "US"},
                },
                "xrefs": [
                    {"source": "crm", "source_id": f"C{i}"},
                    {"source": "erp", "source_id": f"E{i}"},
                ],
            },
        )
        out.append(
            {
                "event_id": event.id,
                "event_type": event.type,
                "subject": gid,
                "envelope": event.envelope(),
                "correlation_id": event.correlation_id,
            }
        )
    return out


async def delete_stream(url: str, name: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(name)
    finally:
        await nc.close()


def run(url: str, events: list[dict[str, Any]], batch: int, in_flight: int) -> float:
    tag = uuid.uuid4().hex[:8]
    settings = StreamSettings(
        url=url, stream=f"MDM_BENCH_{tag}", subject_prefix=f"bench{tag}", max_in_flight=in_flight
    )
    publisher = EventPublisher(settings)
    try:
        publisher.publish(events[:1])  # connect and create the stream outside the timing
        started = time.perf_counter()
        for i in range(1, len(events), batch):
            publisher.publish(events[i : i + batch])
        return (len(events) - 1) / (time.perf_counter() - started)
    finally:
        publisher.close()
        asyncio.run(delete_stream(url, settings.stream))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--records", type=int, default=5000, help="distinct golden ids")
    parser.add_argument("--in-flight", type=int, nargs="+", default=[1, 16, 64, 256, 1024])
    args = parser.parse_args()
    url = os.environ.get("MDM_NATS_URL", "nats://127.0.0.1:4222")
    events = rows(args.events, args.records)
    size = sum(len(str(e["envelope"])) for e in events) // len(events)
    print(f"{args.events} events of ~{size} bytes, relay batches of {args.batch}, {url}")
    print(f"{'in flight':>10} {'events/s':>10}")
    for in_flight in args.in_flight:
        print(f"{in_flight:>10} {run(url, events, args.batch, in_flight):>10,.0f}", flush=True)


if __name__ == "__main__":
    main()
