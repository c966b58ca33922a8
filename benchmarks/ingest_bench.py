"""Ingest benchmark (issue 2): bulk ``mdm load`` throughput and single-PUT latency.

    .venv/bin/python benchmarks/ingest_bench.py                  # SQLite, 100k records
    .venv/bin/python benchmarks/ingest_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/ingest_bench.py --records 20000 --puts 500   # quicker

Bulk: 100k synthetic customers, about 20% of them duplicates of another record
(same tax id or email, a different spelling of the name), loaded through the
real ``mdm load`` code path (CSV parsing, validation, matching, survivorship,
history and outbox). Single PUT: a real uvicorn server on loopback, one client,
sequential requests, latency measured per request.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Massive",
    "Dynamic",
    "Blue",
    "North",
    "Summit",
    "Pioneer",
    "Quantum",
    "Vertex",
]
SUFFIX = ["Inc", "LLC", "Ltd", "GmbH", "Corp", "S.A.", "B.V.", "AG"]
CITIES = [
    ("Berlin", "DE"),
    ("Paris", "FR"),
    ("Austin", "US"),
    ("London", "GB"),
    ("Madrid", "ES"),
    ("Toronto", "CA"),
    ("Sydney", "AU"),
    ("Milan", "IT"),
]
COLUMNS = [
    "source_id",
    "kind",
    "name",
    "legal_form",
    "tax_id",
    "email",
    "phone",
    "address_line1",
    "city",
    "postcode",
    "country",
    "segment",
    "industry",
    "owner",
    "currency",
    "payment_terms",
    "status",
]


def make_rows(n: int, dup_share: float, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    originals = int(n * (1 - dup_share))
    rows: list[dict[str, str]] = []
    for i in range(originals):
        city, country = rng.choice(CITIES)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        rows.append(
            {
                "source_id": f"R{i:07d}",
                "kind": "organization",
                "name": name,
                "legal_form": rng.choice(SUFFIX),
                "tax_id": f"{country}{rng.randrange(10**9):09d}{i}",
                "email": f"ap{i}@{name.split()[0].lower()}{i}.example",
                "phone": f"+49 30 {rng.randrange(10**7):07d}",
                "address_line1": f"{rng.randrange(1, 300)} Main St",
                "city": city,
                "postcode": f"{rng.randrange(10000, 99999)}",
                "country": country,
                "segment": rng.choice(["smb", "mid-market", "enterprise"]),
                "industry": rng.choice(["Software", "Retail", "Energy", "Finance"]),
                "owner": f"rep{rng.randrange(50)}@hub.example",
                "currency": "EUR",
                "payment_terms": rng.choice(["net15", "net30", "net45"]),
                "status": "active",
            }
        )
    for j in range(n - originals):
        base = dict(rows[rng.randrange(originals)])
        base["source_id"] = f"D{j:07d}"
        base["name"] = base["name"].upper() if rng.random() < 0.5 else base["name"] + " Group"
        if rng.random() < 0.5:
            base["tax_id"] = base["tax_id"].lower()
        else:
            base["tax_id"] = ""
        base["phone"] = ""
        rows.append(base)
    rng.shuffle(rows)
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def fresh_database(url: str | None, workdir: Path) -> str:
    if url is None:
        return f"sqlite:///{workdir / 'bench.db'}"
    from sqlalchemy import create_engine, text

    from mdm.db.engine import normalize_url

    name = f"mdm_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return normalize_url(url).rsplit("/", 1)[0] + f"/{name}"


def bench_load(db_url: str, csv_path: Path, n: int) -> float:
    env = {**os.environ, "MDM_DATABASE_URL": db_url}
    subprocess.run(
        [sys.executable, "-m", "mdm.cli", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from mdm.cli import main; main()",
            "load",
            str(csv_path),
            "--source",
            "crm",
            "--entity",
            "customer",
            "--quiet",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    print(out.stdout.strip())
    return n / elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_put(db_url: str, puts: int) -> tuple[float, float, float]:
    port = free_port()
    key = "mdm_bench_admin"
    env = {**os.environ, "MDM_DATABASE_URL": db_url, "MDM_ADMIN_API_KEY": key}
    subprocess.run(
        [sys.executable, "-m", "mdm.cli", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from mdm.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--no-demo",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
            for _ in range(100):
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            rows = make_rows(puts + 50, 0.2, seed=7)
            lat: list[float] = []
            for i, row in enumerate(rows):
                record = {
                    k: v
                    for k, v in row.items()
                    if v and k not in ("source_id", "address_line1", "city", "postcode", "country")
                }
                record["address"] = {
                    "line1": row["address_line1"],
                    "city": row["city"],
                    "country": row["country"],
                }
                t0 = time.perf_counter()
                r = http.put(f"/api/v1/sources/erp/customer/P{i}", json=record)
                dt = time.perf_counter() - t0
                assert r.status_code == 200, r.text
                if i >= 50:  # warm-up excluded
                    lat.append(dt * 1000)
        lat.sort()
        p50 = statistics.median(lat)
        p95 = lat[int(len(lat) * 0.95) - 1]
        return p50, p95, statistics.mean(lat)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--puts", type=int, default=2000)
    ap.add_argument("--postgres", default=None, help="server URL; SQLite when omitted")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path = work / "customers.csv"
        write_csv(make_rows(args.records, 0.2, seed=42), csv_path)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        rate = bench_load(fresh_database(args.postgres, work), csv_path, args.records)
        print(f"{backend}: mdm load {args.records} customers: {rate:.0f} records/s")
        p50, p95, mean = bench_put(fresh_database(args.postgres, work), args.puts)
        print(
            f"{backend}: single PUT over HTTP ({args.puts} requests): "
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, mean {mean:.2f} ms"
        )


if __name__ == "__main__":
    main()
