"""How fast one connector delivers to an instant stand-in: ``python -m tests.standins.bench``.

Prints deliveries/s for each kind, pushing ``--records`` new golden records in batches of the
connector's ``max_batch`` from ``--threads`` threads (one connector each, as separate workers
would). The stand-in runs in this process unless ``--url`` names one served with
``python -m tests.standins --kind KIND --port N --instant``. A ceiling for the dispatcher's
benchmark, not a goal: no database, no outbox, no backoff.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from collections.abc import Sequence

from sync.connectors import OutboundRecord, TargetConfig, build_connector
from tests.standins import STANDINS, LiveServer, make_standin

# the stand-ins listen on 127.0.0.1, which connectors refuse to send to by default
os.environ.setdefault("MDM_SYNC_ALLOWED_NETWORKS", "127.0.0.0/8")


def _records(kind: str, start: int, count: int) -> list[OutboundRecord]:
    return [
        OutboundRecord(
            golden_id=f"g-{kind}-{i}",
            entity_type="customer",
            version=1,
            status="active",
            merged_into=None,
            attributes={
                "kind": "organization",
                "name": f"Bench Org {i}",
                "email": f"billing@org{i}.example",
                "address": {"city": "Berlin", "country": "DE"},
            },
            target_id=None,
            delivery_id=f"bench-{kind}-{i}",
        )
        for i in range(start, start + count)
    ]


def _deliver(config: TargetConfig, records: Sequence[OutboundRecord], errors: list[str]) -> None:
    connector = build_connector(config)
    step = connector.max_batch
    for at in range(0, len(records), step):
        for result in connector.push(records[at : at + step]):
            if result.error is not None:
                errors.append(result.error.message)
    connector.close()


def run(kind: str, *, records: int, threads: int, url: str | None) -> float:
    server = None
    if url is None:
        server = LiveServer(make_standin(kind, token="bench", instant=True))
        url = server.start()
    credentials = {
        "token": "bench",
        **({"email": "agent@example.com"} if kind == "zendesk" else {}),
    }
    config = TargetConfig(name=kind, kind=kind, base_url=url, credentials=credentials)
    share = records // threads
    errors: list[str] = []
    workers = [
        threading.Thread(target=_deliver, args=(config, _records(kind, n * share, share), errors))
        for n in range(threads)
    ]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    if server is not None:
        server.stop()
    if errors:
        raise SystemExit(f"{kind}: {len(errors)} deliveries failed, e.g. {errors[0]}")
    return share * threads / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.standins.bench")
    parser.add_argument("--kind", choices=sorted(STANDINS), action="append")
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    for kind in args.kind or sorted(STANDINS):
        rate = run(kind, records=args.records, threads=args.threads, url=args.url)
        print(
            f"{kind:<11} {args.records:>7} records  {args.threads} thread(s)"
            f"  {rate:>8.0f} deliveries/s"
        )


if __name__ == "__main__":
    main()
