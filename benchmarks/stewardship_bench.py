"""Stewardship benchmark (issue 4): merge / unmerge latency and the task-queue page.

    .venv/bin/python benchmarks/stewardship_bench.py
    .venv/bin/python benchmarks/stewardship_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test

Merge and unmerge: two golden records with 50 linked source records each,
merged and unmerged over HTTP against a real uvicorn, 20 rounds; every round
moves 50 xrefs, re-indexes keys, recomputes survivorship and writes versions,
events and audit rows. Queue: 10,000 open match-review tasks (made by the real
ingest path: each record's identifiers point at two golden records), then the
first page (50 tasks) of the queue and a filtered page, 50 requests each.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bench import free_port, fresh_database

ROOT = Path(__file__).resolve().parent.parent
KEY = "mdm_bench_admin"


def seed(db_url: str, tasks: int) -> tuple[str, str]:
    from canonical.commands import CreateApiKey, IngestItem, IngestRecords
    from mdm.bootstrap import bootstrap
    from mdm.db.migrate import upgrade
    from mdm.settings import Settings

    c = bootstrap(Settings(database_url=db_url))
    upgrade(c.engine)
    c.bus.handle(CreateApiKey("bench", ("admin",), secret=KEY))

    def load(source: str, items: list[IngestItem]) -> list[dict]:
        out: list[dict] = []
        for i in range(0, len(items), 1000):
            part = items[i : i + 1000]
            res = c.bus.handle(IngestRecords(source, "customer", tuple(part), "bench"))
            out.extend(r.as_dict() for r in res)
        return out

    big_a = load(
        "erp",
        [
            IngestItem(
                f"A{i}", {"kind": "organization", "name": f"Alpha {i}", "tax_id": "DE000000001"}
            )
            for i in range(50)
        ],
    )
    big_b = load(
        "crm",
        [
            IngestItem(
                f"B{i}", {"kind": "organization", "name": f"Beta {i}", "tax_id": "DE000000002"}
            )
            for i in range(50)
        ],
    )
    load(
        "erp",
        [
            IngestItem(
                f"T{i}", {"kind": "organization", "name": f"Tax {i}", "tax_id": f"TX{i:08d}"}
            )
            for i in range(tasks)
        ],
    )
    load(
        "crm",
        [
            IngestItem(
                f"M{i}",
                {"kind": "organization", "name": f"Mail {i}", "email": f"ap{i}@corp{i}.example"},
            )
            for i in range(tasks)
        ],
    )
    review = load(
        "billing",
        [
            IngestItem(
                f"R{i}",
                {
                    "kind": "organization",
                    "name": f"Review {i}",
                    "tax_id": f"TX{i:08d}",
                    "email": f"ap{i}@corp{i}.example",
                },
            )
            for i in range(tasks)
        ],
    )
    assert sum(r["action"] == "review" for r in review) == tasks
    return big_a[0]["golden_id"], big_b[0]["golden_id"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * p) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    import os
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        db = fresh_database(args.postgres, Path(tmp))
        t0 = time.perf_counter()
        a, b = seed(db, args.tasks)
        print(f"seeded {args.tasks} review tasks in {time.perf_counter() - t0:.1f}s")
        port = free_port()
        env = {**os.environ, "MDM_DATABASE_URL": db, "MDM_ADMIN_API_KEY": KEY}
        proc = subprocess.Popen(
            [sys.executable, "-m", "mdm.cli", "serve", "--port", str(port), "--no-demo"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            http = httpx.Client(
                base_url=f"http://127.0.0.1:{port}",
                timeout=30,
                headers={"Authorization": f"Bearer {KEY}"},
            )
            for _ in range(100):
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            merges, unmerges = [], []
            for _ in range(args.rounds):
                t = time.perf_counter()
                r = http.post(
                    "/api/v1/golden/customer/merge",
                    json={"survivor": a, "merged": [b], "reason": "bench"},
                )
                merges.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
                t = time.perf_counter()
                r = http.post(
                    f"/api/v1/golden/customer/{a}/unmerge", json={"merged": b, "reason": "bench"}
                )
                unmerges.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
            backend = "PostgreSQL" if args.postgres else "SQLite"
            print(
                f"{backend}: merge 50+50 source records: p50 {statistics.median(merges):.1f} ms,"
                f" p95 {pct(merges, 0.95):.1f} ms"
            )
            print(
                f"{backend}: unmerge: p50 {statistics.median(unmerges):.1f} ms, "
                f"p95 {pct(unmerges, 0.95):.1f} ms"
            )
            for label, params in [
                ("first page", {}),
                ("filtered page", {"source": "billing", "min_score": 0.5}),
            ]:
                times = []
                for _ in range(50):
                    t = time.perf_counter()
                    r = http.get("/api/v1/stewardship/tasks", params=params)
                    times.append((time.perf_counter() - t) * 1000)
                    assert r.json()["total"] == args.tasks, r.text[:200]
                print(
                    f"{backend}: task queue {label} with {args.tasks} open tasks: "
                    f"p50 {statistics.median(times):.1f} ms, p95 {pct(times, 0.95):.1f} ms"
                )
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
