"""Outbound sync benchmark (issue 9): deliveries per second to four instant stand-ins, and
the lag from a golden change's commit to the target's acknowledgement.

    .venv/bin/python benchmarks/sync_bench.py                      # SQLite, embedded dispatcher
    .venv/bin/python benchmarks/sync_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test \
        --workers 2
    .venv/bin/python benchmarks/sync_bench.py --records 2000 --changes 500   # quicker

Throughput: N golden customers already in the hub, four targets (Salesforce, Stripe,
NetSuite, Zendesk stand-ins served as separate processes with ``--instant``) added at
once; the clock runs from the dispatcher's start until all 4 x N deliveries are
acknowledged. Lag: then changes are written at a steady rate while the dispatcher runs,
and each delivery's lag is its acknowledgement time minus the commit time of the change
that queued it (``delivery.changed_at`` to ``delivery.delivered_at``).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bench import fresh_database

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("salesforce", "stripe", "netsuite", "zendesk")
SOURCE_OF = {"salesforce": "crm", "stripe": "billing", "netsuite": "erp", "zendesk": "support"}
SECRET = "bench-secret"
# the stand-ins listen on 127.0.0.1, which the hub refuses to send to by default; the
# dispatcher here and the `mdm worker` processes (they inherit the environment) allow it
os.environ.setdefault("MDM_SYNC_ALLOWED_NETWORKS", "127.0.0.0/8")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_standins() -> tuple[dict[str, str], list[subprocess.Popen[bytes]]]:
    urls, procs = {}, []
    for kind in KINDS:
        port = _port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.standins",
                "--kind",
                kind,
                "--port",
                str(port),
                "--instant",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # "standin KIND listening on URL"
        urls[kind] = f"http://127.0.0.1:{port}"
        procs.append(proc)
    time.sleep(0.5)
    return urls, procs


def _customer(n: int, version: int) -> dict[str, Any]:
    return {
        "kind": "organization",
        "name": f"Benchmark {n:06d} Trading v{version}",
        "tax_id": f"DE{200000000 + n}",
        "phone": f"+49 30 {1000000 + n}",
        "payment_terms": "Net 30",  # NetSuite's default readiness rules hold a customer without
        "address": {
            "line1": f"{n} Hauptstr.",
            "city": "Berlin",
            "postcode": "10115",
            "country": "DE",
        },
    }


def load(container: Any, numbers: range, version: int) -> None:
    from canonical.commands import IngestItem, IngestRecords

    for start in range(numbers.start, numbers.stop, 1000):
        part = range(start, min(start + 1000, numbers.stop))
        items = tuple(IngestItem(f"E{n}", _customer(n, version)) for n in part)
        container.bus.handle(IngestRecords("erp", "customer", items, f"bench-v{version}"))


def add_targets(container: Any, urls: dict[str, str]) -> None:
    from canonical.commands import PutSyncTarget

    for kind, url in urls.items():
        credentials = {"token": "test-token"}
        if kind == "zendesk":
            credentials["email"] = "agent@example.com"
        body = {
            "kind": kind,
            "base_url": url,
            "credentials": credentials,
            "source": SOURCE_OF[kind],
        }
        container.bus.handle(PutSyncTarget(kind, body, "bench"))


def delivery_rows(container: Any) -> list[dict[str, Any]]:
    return container.bus.query(
        lambda uow: uow.deliveries.page(
            target=None, state=None, golden_id=None, limit=10**7, offset=0
        )[1]
    )


def wait_settled(container: Any, expected: int, version: int, timeout: float) -> float:
    """Wait until ``expected`` deliveries are acknowledged at ``version`` or later."""
    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    count = text(
        "SELECT count(*) FROM delivery WHERE state = 'delivered' AND delivered_version >= :v"
    )
    while time.monotonic() < deadline:
        with container.engine.connect() as conn:
            done = conn.execute(count, {"v": version}).scalar_one()
        if done >= expected:
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"not settled within {timeout}s")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes ``pids`` have used so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wait_idle(pids: list[int], timeout: float = 60.0) -> None:
    """Wait until the processes have started (imported, connected: their CPU use stalls)."""
    deadline = time.monotonic() + timeout
    used = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = cpu_seconds(pids)
        if now - used < 0.1 * len(pids):
            return
        used = now


def run_workers(db_url: str, n: int) -> list[subprocess.Popen[bytes]]:
    env = os.environ | {"MDM_DATABASE_URL": db_url, "MDM_SECRET_KEY": SECRET}
    return [
        subprocess.Popen(
            [sys.executable, "-m", "mdm.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default=None, help="a PostgreSQL server URL")
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=2000, help="changes for the lag run")
    parser.add_argument("--rate", type=float, default=200.0, help="changes per second (lag run)")
    parser.add_argument(
        "--workers", type=int, default=0, help="mdm worker processes (0: in-process)"
    )
    args = parser.parse_args()

    from mdm.bootstrap import bootstrap
    from mdm.settings import Settings
    from sync.worker import Dispatcher

    workdir = Path(tempfile.mkdtemp(prefix="mdm-sync-bench-"))
    db_url = fresh_database(args.postgres, workdir)
    container = bootstrap(
        Settings(database_url=db_url, secret_key=SECRET, matcher="exact"), migrate=True
    )
    urls, standins = start_standins()
    workers: list[subprocess.Popen[bytes]] = []
    dispatcher = Dispatcher(container)
    try:
        load(container, range(args.records), 1)
        if args.workers:  # started and idle before the clock runs, as the embedded one is
            workers = run_workers(db_url, args.workers)
            wait_idle([w.pid for w in workers])
        add_targets(container, urls)
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        standin_cpu = cpu_seconds([p.pid for p in standins])
        hub_cpu = cpu_seconds([w.pid for w in workers]) if workers else time.process_time()
        if not args.workers:
            dispatcher.start()
        total = args.records * len(KINDS)
        ended = wait_settled(container, total, 1, timeout=600)
        rate = total / (ended - started)
        # CPU per delivery, the hub's (the embedded dispatcher's process or the workers') and
        # the stand-ins': less swayed by the machine's other load than the rate
        hub_cpu = (
            cpu_seconds([w.pid for w in workers]) if workers else time.process_time()
        ) - hub_cpu
        standin_cpu = cpu_seconds([p.pid for p in standins]) - standin_cpu
        load_after = os.getloadavg()[0]

        # lag: steady changes while the dispatcher runs
        changed = range(0, min(args.changes, args.records))
        step = 50
        began = time.monotonic()
        for i, start in enumerate(range(changed.start, changed.stop, step)):
            load(container, range(start, min(start + step, changed.stop)), 2)
            pause = began + (i + 1) * step / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        wait_settled(container, len(changed) * len(KINDS), 2, timeout=600)
        rows = [r for r in delivery_rows(container) if r["delivered_version"] == 2]
        lags = sorted((r["delivered_at"] - r["changed_at"]).total_seconds() for r in rows)
    finally:
        dispatcher.stop()
        for w in workers:
            w.terminate()
        for p in standins:
            p.terminate()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    where = f"{args.workers} mdm worker processes" if args.workers else "the embedded dispatcher"
    print(f"{backend}, {where}: {total} deliveries to 4 targets in {ended - started:.1f}s")
    print(f"  throughput        {rate:,.0f} deliveries/s")
    print(
        f"  CPU per delivery  hub {hub_cpu / total * 1000:.2f} ms, "
        f"stand-ins {standin_cpu / total * 1000:.2f} ms"
    )
    print(f"  load average      {load_before:.1f} at the start, {load_after:.1f} at the end")
    if lags:
        p95 = lags[int(0.95 * (len(lags) - 1))]
        print(
            f"  lag ({len(lags)} deliveries at {args.rate:.0f} changes/s): "
            f"p50 {statistics.median(lags) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"max {lags[-1] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
