"""Transactional event intake benchmark (issue 11): events/s through the canonical endpoint.

    .venv/bin/python benchmarks/events_bench.py                 # SQLite, 100k events
    .venv/bin/python benchmarks/events_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/events_bench.py --events 20000 --customers 2000   # quicker

A real ``mdm serve`` (uvicorn, one worker unless ``--workers``) on loopback, and a real
HTTP client (httpx) posting ``POST /api/v1/sources/billing/events`` in batches of 500
(``--batch``) from ``--clients`` threads. The hub holds ``--customers`` billing customers
first (loaded with ``mdm load``); the events are a revenue stack's mix (invoices posted
and paid, payments, a few failures, orders, subscription renewals, support cases), each
object's events in order but shuffled a little across batches (some arrive stale),
2% sent again (duplicates) and 2% for customers the hub does not know yet (parked).
Every event goes through validation, dedup by (source, id) in the transaction of its
effect, customer resolution and object state; failed payments also change golden
records (``payment_status``) and write outbox events. ``--warmup`` batches go first, then
PostgreSQL's statistics are refreshed (``ANALYZE``, as autovacuum would), then the timed run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_bench import free_port, fresh_database  # noqa: E402

KEY = "mdm_bench_admin"
START = datetime(2026, 1, 1, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _money(rng: random.Random) -> str:
    return f"{rng.randrange(10, 50_000)}.{rng.randrange(100):02d}"


def _object_events(rng: random.Random, n: int, cust: str, t: datetime) -> list[dict[str, Any]]:
    """One object's events, in order (the last one on the object wins)."""
    roll = rng.random()
    cur = rng.choice(["EUR", "USD", "GBP"])
    amount = _money(rng)
    base = {"customer": {"source_id": cust}}
    if roll < 0.35:
        data = {"invoice_id": f"INV-{n}", "currency": cur, "amount": amount}
        out = [{"type": "invoice.posted", "data": data}]
        if rng.random() < 0.6:
            out.append({"type": "invoice.paid", "data": {**data, "amount_paid": amount}})
    elif roll < 0.6:
        kind = "payment.failed" if rng.random() < 0.05 else "payment.succeeded"
        data = {"payment_id": f"PAY-{n}", "currency": cur, "amount": amount, "method": "card"}
        out = [{"type": kind, "data": data}]
    elif roll < 0.75:
        data = {"order_id": f"ORD-{n}", "currency": cur, "amount": amount}
        out = [{"type": "order.booked", "data": data}]
    elif roll < 0.85:
        sub = {
            "subscription_id": f"SUB-{n}",
            "status": "active",
            "currency": cur,
            "amount": amount,
            "interval": "month",
        }
        out = [
            {
                "type": "subscription.renewed",
                "data": {**sub, "renews_at": _iso(t + timedelta(days=30 * (k + 1)))},
            }
            for k in range(rng.randrange(1, 4))
        ]
    else:
        data = {"case_id": f"CASE-{n}", "subject": "Question about an invoice"}
        out = [{"type": "case.opened", "data": data}]
        if rng.random() < 0.5:
            out.append({"type": "case.closed", "data": data})
    return [
        {"id": f"evt-{n}-{k}", "occurred_at": _iso(t + timedelta(hours=k)), **base, **e}
        for k, e in enumerate(out)
    ]


def make_events(n: int, customers: int, seed: int) -> list[dict[str, Any]]:
    """About ``n`` events: a revenue stack's mix over ``customers``, 2% for unknown
    customers, 2% resent, a little out of order."""
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    obj = 0
    while len(events) < n:
        parked = rng.random() < 0.02
        cust = f"X{rng.randrange(10**6)}" if parked else f"C{rng.randrange(customers)}"
        t = START + timedelta(minutes=obj)
        events.extend(_object_events(rng, obj, cust, t))
        obj += 1
    events = events[:n]
    for i in range(0, len(events) - 1, 7):  # neighbours swap: the later one arrives first
        if rng.random() < 0.3:
            events[i], events[i + 1] = events[i + 1], events[i]
    for _ in range(n // 50):  # a source resending what it sent before
        k = rng.randrange(len(events) // 2, len(events))
        events.insert(k, dict(events[rng.randrange(k)]))
    return events


def _env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "MDM_DATABASE_URL": db_url,
        "MDM_ADMIN_API_KEY": KEY,
        "MDM_SECRET_KEY": "bench",
        "MDM_DISPATCHER": "off",
        "MDM_MATCHER": "exact",
        "MDM_MAX_BODY_BYTES": str(16 * 1024 * 1024),
    }


def load_customers(db_url: str, n: int, workdir: Path) -> None:
    path = workdir / "customers.csv"
    rows = ["source_id,kind,name,tax_id"]
    rows += [f"C{i},organization,Customer {i} GmbH,DE{100000000 + i}" for i in range(n)]
    path.write_text("\n".join(rows) + "\n")
    env = _env(db_url)
    subprocess.run(
        [sys.executable, "-m", "mdm.cli", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mdm.cli",
            "load",
            str(path),
            "--source",
            "billing",
            "--entity",
            "customer",
            "--quiet",
        ],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def analyze(db_url: str) -> None:
    """Steady state, as autovacuum keeps a live database: statistics that know the
    tables hold rows (a fresh database's planner takes them for empty)."""
    from sqlalchemy import create_engine, text

    if db_url.startswith("sqlite"):
        return
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def drop_database(server: str | None, db_url: str) -> None:
    """The PostgreSQL database this run made goes when it ends."""
    if server is None:
        return
    from sqlalchemy import create_engine, text

    from mdm.db.engine import normalize_url

    admin = create_engine(normalize_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def serve(db_url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mdm.cli",
            "serve",
            "--port",
            str(port),
            "--no-demo",
            "--workers",
            str(workers),
        ],
        env=_env(db_url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait(base: str) -> None:
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the hub did not start")


def post_all(
    base: str, bodies: list[bytes], clients: int
) -> tuple[float, list[float], Counter[str]]:
    """Post every body; answers the wall time, per-request latencies and result counts."""
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def run() -> None:
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                t0 = time.perf_counter()
                r = http.post("/api/v1/sources/billing/events", content=body)
                dt = time.perf_counter() - t0
                assert r.status_code == 200, r.text[:500]
                with lock:
                    latencies.append(dt * 1000)
                    statuses.update(r.json()["summary"])

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, statuses


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", default=None, help="server URL; SQLite when omitted")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--warmup", type=int, default=20, help="batches posted before timing")
    args = ap.parse_args()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db_url = fresh_database(args.postgres, work)
        load_customers(db_url, args.customers, work)
        events = make_events(args.events, args.customers, seed=11)
        warm = [make_events(args.batch, args.customers, seed=w + 100) for w in range(args.warmup)]
        for w, batch in enumerate(warm):  # other ids: warm-up events are not duplicates
            for e in batch:
                e["id"] = f"warm-{w}-{uuid.uuid4().hex}"
        bodies = [
            orjson.dumps(events[i : i + args.batch]) for i in range(0, len(events), args.batch)
        ]
        port = free_port()
        proc = serve(db_url, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base)
            post_all(base, [orjson.dumps(b) for b in warm], 1)
            analyze(db_url)
            elapsed, lat, statuses = post_all(base, bodies, args.clients)
        finally:
            proc.terminate()
            proc.wait(10)
            drop_database(args.postgres, db_url)
    lat.sort()
    n = len(events)
    print(
        f"{backend}: {n} events in {len(bodies)} batches of {args.batch}, "
        f"{args.clients} client(s), {args.workers} uvicorn worker(s), {args.customers} customers"
    )
    print(f"  {n / elapsed:,.0f} events/s ({elapsed:.1f} s)")
    print(
        f"  per batch: p50 {statistics.median(lat):.0f} ms, "
        f"p95 {lat[int(len(lat) * 0.95) - 1]:.0f} ms"
    )
    print("  results: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
