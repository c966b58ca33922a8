"""GraphQL read benchmark (issue 5): over HTTP, uvicorn with one worker, 16 clients.

    .venv/bin/python benchmarks/graphql_bench.py                      # SQLite
    .venv/bin/python benchmarks/graphql_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/graphql_bench.py --seconds 5           # quicker
    .venv/bin/python benchmarks/graphql_bench.py --data /tmp/gbench --workers 2 --only "by id"
        # SQLite: seed /tmp/gbench once, reuse it afterwards; 2 server processes; by id only

Data: 500 account trees (1 top, 4 subsidiaries, 4 sites under each: 10,500
customers) plus one big tree (1 top, 10 regions, 99 sites under each region:
exactly 1,000 descendants). Every customer has two source records (CRM and ERP,
linked by tax id), so each has two xrefs and lineage from both. Records go in
through the real ingest service (validation, matching, survivorship, history).

Scenarios, each for ``--seconds`` after a warm-up, first with 16 concurrent
clients, then with one (latency without queueing), keep-alive, loopback only,
spread over 400 random subsidiaries. The load comes from ``wrk`` (Debian
package ``wrk``; one C thread, so it takes little CPU from the server) or, when
it is not installed or with ``--client httpx``, from asyncio + httpx clients:

* ``graphql by id``: a customer with attributes, lineage, xrefs, parent, children
* ``rest by id``: ``GET /api/v1/golden/customer/{id}`` for the same customers
* ``graphql page 50``: 50 such customers from a random cursor
* ``graphql 1,000 descendants``: the big tree's descendants (id, name, parent id)

Prints one table row per scenario: clients, requests, req/s, p50, p95, p99 (ms).
The client runs on the same machine as the server and takes some CPU from it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from ingest_bench import free_port, fresh_database  # noqa: E402

KEY = "mdm_bench_graphql_admin"
CLIENTS = 16

BY_ID = """query($id: ID!) { customer(id: $id) {
  id version attributes { name kind segment address { city country } }
  lineage { attribute source sourceId sourceVersion rule at }
  xrefs { source sourceId recordVersion receivedAt }
  parent { id attributes { name } }
  children { id attributes { name } }
} }"""
PAGE = """query($after: String) { customers(first: 50, after: $after) { edges { cursor node {
  id version attributes { name kind segment address { city country } }
  lineage { attribute source sourceId sourceVersion rule at }
  xrefs { source sourceId recordVersion receivedAt }
  parent { id attributes { name } }
  children { id attributes { name } }
} } pageInfo { hasNextPage endCursor } } }"""
TREE = """query($id: ID!) { customer(id: $id) {
  id descendants(maxDepth: 5, first: 1000) { id attributes { name parentId } }
} }"""


_SYLLABLES = [a + b for a in "bdfgklmnprstvz" for b in "aeiou"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(4)).capitalize()


def _record(sid: str, name: str, parent: str | None, rng: random.Random) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "kind": "organization",
        "name": name,
        "tax_id": f"DE{int(sid.split('-', 1)[1].replace('-', '')):09d}",
        "segment": rng.choice(["smb", "mid-market", "enterprise"]),
        "industry": rng.choice(["Software", "Retail", "Energy", "Finance"]),
        "owner": f"rep{rng.randrange(50)}@hub.example",
        "email": f"ap@{sid.lower()}.example",
        "address": {"city": rng.choice(["Berlin", "Paris", "Austin"]), "country": "DE"},
    }
    if parent:
        rec["parent"] = parent
    return rec


def _erp(rec: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    out = {
        "kind": "organization",
        "name": rec["name"].upper() + " GMBH",
        "tax_id": rec["tax_id"],
        "payment_terms": rng.choice(["net15", "net30"]),
        "currency": "EUR",
        # one street address per company: shared ones would be (rightly) weighed as evidence
        "address": {**rec["address"], "line1": f"{int(rec['tax_id'][2:])} Hauptstr."},
    }
    return out


def seed(db_url: str) -> dict[str, list[str]]:
    """Load the data set; returns source ids by role (subsidiaries, big tree top)."""
    from canonical.commands import IngestItem, IngestRecords
    from mdm.bootstrap import bootstrap
    from mdm.settings import Settings

    rng = random.Random(5)
    container = bootstrap(Settings(database_url=db_url), migrate=True)
    levels: list[list[tuple[str, dict[str, Any]]]] = [[], [], []]
    n = 0

    def add(level: int, name: str, parent: str | None) -> str:
        nonlocal n
        n += 1
        sid = f"C-{n}"
        # a made-up word per company: "Account 1 Site 2-3" and "Account 2 Site 1-3" would
        # be near-duplicates to the matcher, which (rightly) sends them to review
        name = f"{_word(rng)} {name}"
        levels[level].append((sid, _record(sid, name, parent, rng)))
        return sid

    subsidiaries: list[str] = []
    for t in range(500):
        top = add(0, f"Account {t} Holding", None)
        for s in range(4):
            sub = add(1, f"Account {t} Subsidiary {s}", top)
            subsidiaries.append(sub)
            for k in range(4):
                add(2, f"Account {t} Site {s}-{k}", sub)
    big = add(0, "Big Tree Holding", None)
    for r in range(10):
        region = add(1, f"Big Tree Region {r}", big)
        for k in range(99):
            add(2, f"Big Tree Site {r}-{k}", region)

    def load(source: str, items: list[IngestItem]) -> None:
        for i in range(0, len(items), 1000):
            part = items[i : i + 1000]
            container.bus.handle(IngestRecords(source, "customer", tuple(part)))

    for level in levels:
        load("crm", [IngestItem(sid, rec) for sid, rec in level])
    for level in levels:
        load("erp", [IngestItem("E" + sid, _erp(rec, rng)) for sid, rec in level])
    # A steady-state database has planner statistics (autovacuum); a fresh bulk
    # load has none yet, so gather them as autovacuum would.
    with container.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    container.engine.dispose()
    return {"subsidiaries": subsidiaries, "big": [big]}


def drop_database(url: str, db_url: str) -> None:
    from sqlalchemy import create_engine, text

    from mdm.db.engine import normalize_url

    admin = create_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


@dataclass(frozen=True)
class Scenario:
    """Requests of one kind: ``GET path`` (``bodies`` empty) or ``POST path`` with one of
    ``bodies`` (JSON text) picked at random per request."""

    name: str
    path: str
    bodies: list[str]
    paths: list[str]


@dataclass(frozen=True)
class Measured:
    count: int
    elapsed: float
    p50: float
    p95: float
    p99: float


_WRK_SCRIPT = """
local lines = {}
for line in io.lines("%(data)s") do lines[#lines + 1] = line end
wrk.headers["Authorization"] = "Bearer %(key)s"
wrk.headers["Content-Type"] = "application/json"
math.randomseed(%(seed)d)
request = function()
  local pick = lines[math.random(#lines)]
  if %(post)s then return wrk.format("POST", "%(path)s", nil, pick) end
  return wrk.format("GET", pick)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


Measure = Callable[..., Awaitable[Measured]]


def wrk_run(
    base: str,
    sc: Scenario,
    seconds: float,
    clients: int,
    workdir: Path,
    started: Callable[[], None],
) -> Measured:
    """One scenario with wrk (C, one thread): the load generator takes little of the CPU
    the server needs, unlike a Python client on the same machine."""
    data = workdir / f"{abs(hash(sc.name))}.txt"
    data.write_text("\n".join(sc.bodies or sc.paths) + "\n", encoding="utf-8")
    script = workdir / f"{abs(hash(sc.name))}.lua"
    script.write_text(
        _WRK_SCRIPT
        % {
            "data": data,
            "key": KEY,
            "seed": 1,
            "post": "true" if sc.bodies else "false",
            "path": sc.path,
        },
        encoding="utf-8",
    )

    def run(duration: float) -> Measured:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{clients}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("RESULT"))
        requests, errors, micros, p50, p95, p99 = line.split()[1:]
        if int(errors) or "Non-2xx" in out:
            raise RuntimeError(f"{sc.name}: errors in wrk run\n{out}")
        return Measured(int(requests), int(micros) / 1e6, float(p50), float(p95), float(p99))

    run(min(2.0, seconds / 3))  # warm-up
    started()
    return run(seconds)


async def httpx_run(
    base: str, sc: Scenario, seconds: float, clients: int, started: Callable[[], None]
) -> Measured:
    """One scenario with asyncio + httpx clients (when wrk is not installed); the client
    then competes with the server for CPU, so figures are lower than with wrk."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    rng = random.Random(1)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as http:

        async def one() -> httpx.Response:
            if sc.bodies:
                return await http.post(sc.path, content=rng.choice(sc.bodies))
            return await http.get(rng.choice(sc.paths))

        async def client(lat: list[float], until: float) -> None:
            while time.perf_counter() < until:
                t0 = time.perf_counter()
                r = await one()
                lat.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200 or b'"errors"' in r.content[:20]:
                    raise RuntimeError(f"{r.status_code}: {r.text[:300]}")

        warm_until = time.perf_counter() + min(2.0, seconds / 3)
        await asyncio.gather(*(client([], warm_until) for _ in range(clients)))
        lats: list[list[float]] = [[] for _ in range(clients)]
        started()
        t0 = time.perf_counter()
        await asyncio.gather(*(client(lat, t0 + seconds) for lat in lats))
        elapsed = time.perf_counter() - t0
    flat = sorted(x for lat in lats for x in lat)
    return Measured(len(flat), elapsed, statistics.median(flat), pct(flat, 0.95), pct(flat, 0.99))


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server process and every process under it (Linux
    ``/proc``; 0.0 elsewhere). CPU per request holds up better than req/s on a machine
    other work is loading too."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.parent.name)] = (
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / ticks,
        )
    wanted, total = {pid}, 0.0
    changed = True
    while changed:
        changed = False
        for child, (parent, _) in stats.items():
            if parent in wanted and child not in wanted:
                wanted.add(child)
                changed = True
    for one in wanted:
        total += stats.get(one, (0, 0.0))[1]
    return total


async def _alternate(
    servers: list[tuple[str, str, int]],
    scenarios: list[Scenario],
    args: argparse.Namespace,
    workdir: Path,
) -> None:
    """Each scenario on each server in turn, ``--slice`` seconds at a time, ``--rounds``
    times (the order swapped every round), so both see the same machine load."""
    print(
        f"\n{'PostgreSQL' if args.postgres else 'SQLite'}, {args.workers} server process(es) "
        f"each, {CLIENTS} clients (wrk), {args.rounds} x {args.slice:.0f} s slices per server "
        f"and scenario, load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    print("| scenario | server | requests | req/s | median p95 ms | server CPU ms/req | load |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for sc in scenarios:
        totals = {name: [0, 0.0, 0.0, [], []] for name, _, _ in servers}
        for round_ in range(args.rounds):
            for name, base, pid in servers if round_ % 2 == 0 else servers[::-1]:
                marks: list[float] = []
                load = os.getloadavg()[0]
                m = await asyncio.to_thread(
                    wrk_run, base, sc, args.slice, CLIENTS, workdir, partial(_mark, marks, pid)
                )
                t = totals[name]
                t[0] += m.count
                t[1] += m.elapsed
                t[2] += server_cpu(pid) - marks[0]
                t[3].append(m.p95)
                t[4].append(load)
        for name, _, _ in servers:
            count, elapsed, cpu, p95s, loads = totals[name]
            print(
                f"| {sc.name} | {name} | {count} | {count / elapsed:.1f} | "
                f"{statistics.median(p95s):.2f} | {cpu * 1000 / max(1, count):.2f} | "
                f"{min(loads):.1f}-{max(loads):.1f} |",
                flush=True,
            )


def _mark(marks: list[float], pid: int) -> None:
    marks.append(server_cpu(pid))


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values (never interpolated downwards)."""
    return values[min(len(values) - 1, max(0, math.ceil(p * len(values)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", default=None, help="server URL; SQLite when omitted")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rounds", type=int, default=5, help="interleaved GraphQL/REST rounds")
    ap.add_argument("--slice", type=float, default=3.0, help="seconds per interleaved slice")
    ap.add_argument(
        "--data",
        type=Path,
        default=None,
        help="SQLite only: a directory to seed once (bench.db, ids.json) and reuse after",
    )
    ap.add_argument("--workers", type=int, default=1, help="server processes (mdm serve)")
    ap.add_argument("--only", default="", help="run only scenarios whose name holds this text")
    ap.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another checkout of the hub: serve the same database from it too and alternate "
        "--slice second runs between the two, --rounds times (before/after under one load)",
    )
    ap.add_argument(
        "--client",
        choices=["wrk", "httpx"],
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator (wrk: Debian package 'wrk'; httpx: pure Python, slower)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url, ids = _database(args, Path(tmp))
        port = free_port()
        proc = _serve(ROOT, db_url, port, args.workers, Path(tmp) / "server.log")
        others: list[tuple[str, subprocess.Popen[Any]]] = []
        if args.baseline:
            other_port = free_port()
            log = Path(tmp) / "baseline.log"
            other = _serve(args.baseline.resolve(), db_url, other_port, args.workers, log)
            others.append((f"http://127.0.0.1:{other_port}", other))
        try:
            asyncio.run(_bench(f"http://127.0.0.1:{port}", ids, args, proc, Path(tmp), others))
        except Exception:
            print((Path(tmp) / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            for running in (proc, *(o[1] for o in others)):
                running.terminate()
                running.wait(10)
            if args.postgres:
                drop_database(args.postgres, db_url)


def _serve(root: Path, db_url: str, port: int, workers: int, log: Path) -> subprocess.Popen[Any]:
    """``mdm serve`` of the checkout at ``root`` (its own code first on the path)."""
    env = {
        **os.environ,
        "MDM_DATABASE_URL": db_url,
        "MDM_ADMIN_API_KEY": KEY,
        "PYTHONPATH": str(root),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from mdm.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--no-demo",
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


async def _ready(base: str, proc: subprocess.Popen[Any]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


def _database(args: argparse.Namespace, tmp: Path) -> tuple[str, dict[str, list[str]]]:
    """A seeded database: a fresh one, or ``--data``'s (seeded there on first use)."""
    saved = args.data / "ids.json" if args.data and not args.postgres else None
    if saved is not None and saved.exists():
        return f"sqlite:///{args.data / 'bench.db'}", json.loads(saved.read_text())
    if saved is not None:
        args.data.mkdir(parents=True, exist_ok=True)
    db_url = fresh_database(args.postgres, args.data if saved is not None else tmp)
    t0 = time.perf_counter()
    ids = seed(db_url)
    print(f"seeded 11,501 customers x 2 sources in {time.perf_counter() - t0:.0f} s")
    if saved is not None:
        saved.write_text(json.dumps(ids))
    return db_url, ids


async def _bench(
    base: str,
    ids: dict[str, list[str]],
    args: argparse.Namespace,
    proc: subprocess.Popen[Any],
    workdir: Path,
    others: list[tuple[str, subprocess.Popen[Any]]],
) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        await _wait_healthy(http, proc)
        golden, big, cursors = await _inputs(http, ids)
    by_id, rest, page, tree = _scenarios(golden, big, cursors)

    async def measure(
        sc: Scenario, seconds: float, clients: int, started: Callable[[], None] = lambda: None
    ) -> Measured:
        if args.client == "wrk":
            return await asyncio.to_thread(wrk_run, base, sc, seconds, clients, workdir, started)
        return await httpx_run(base, sc, seconds, clients, started)

    if others:
        await _ready(*others[0])
        pairs = [("this checkout", base, proc.pid), ("baseline", others[0][0], others[0][1].pid)]
        chosen = [sc for sc in (by_id, rest, page, tree) if args.only in sc.name]
        await _alternate(pairs, chosen, args, workdir)
        return
    results = await _table(measure, (by_id, rest, page, tree), args, proc)
    if by_id.name not in results or rest.name not in results or args.rounds < 1:
        return
    print(
        f"\nGraphQL by id / REST by id throughput, table above: "
        f"{results[by_id.name] / results[rest.name]:.3f}"
    )
    await _interleaved(measure, by_id, rest, args)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


async def _wait_healthy(http: httpx.AsyncClient, proc: subprocess.Popen[Any]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if (await http.get("/healthz")).status_code == 200:
                break
        except httpx.TransportError:
            await asyncio.sleep(0.2)


async def _inputs(
    http: httpx.AsyncClient, ids: dict[str, list[str]]
) -> tuple[list[str], str, list[str | None]]:
    """Golden ids of 400 subsidiaries, of the big tree's root, and 41 page cursors;
    prints what one by-id answer and the big tree hold."""
    golden: list[str] = []
    for sid in ids["subsidiaries"][:400]:
        r = await http.post(
            "/graphql",
            json={"query": f'{{ customerByXref(source: "crm", sourceId: "{sid}") {{ id }} }}'},
        )
        golden.append(r.json()["data"]["customerByXref"]["id"])
    r = await http.post(
        "/graphql",
        json={
            "query": f'{{ customerByXref(source: "crm", sourceId: "{ids["big"][0]}") {{ id }} }}'
        },
    )
    big = r.json()["data"]["customerByXref"]["id"]
    cursors: list[str | None] = [None]
    after = None
    for _ in range(40):
        r = await http.post("/graphql", json={"query": PAGE, "variables": {"after": after}})
        conn = r.json()["data"]["customers"]
        after = conn["pageInfo"]["endCursor"]
        cursors.append(after)
    sample = await http.post("/graphql", json={"query": BY_ID, "variables": {"id": golden[0]}})
    node = sample.json()["data"]["customer"]
    tree = await http.post("/graphql", json={"query": TREE, "variables": {"id": big}})
    n_desc = len(tree.json()["data"]["customer"]["descendants"])
    print(
        f"sample: {len(node['lineage'])} lineage entries, {len(node['xrefs'])} xrefs, "
        f"parent {'yes' if node['parent'] else 'no'}, {len(node['children'])} children; "
        f"big tree: {n_desc} descendants"
    )
    return golden, big, cursors


def _scenarios(
    golden: list[str], big: str, cursors: list[str | None]
) -> tuple[Scenario, Scenario, Scenario, Scenario]:
    """By id over GraphQL and REST, a page of 50, and the 1,000-node tree."""

    def body(query: str, **variables: Any) -> str:
        return json.dumps({"query": query, "variables": variables})

    by_id = Scenario(
        "graphql by id (lineage, xrefs, parent, children)",
        "/graphql",
        [body(BY_ID, id=g) for g in golden],
        [],
    )
    rest = Scenario(
        "rest by id GET /api/v1/golden/customer/{id}",
        "",
        [],
        [f"/api/v1/golden/customer/{g}" for g in golden],
    )
    page = Scenario(
        "graphql page of 50 (same fields)", "/graphql", [body(PAGE, after=c) for c in cursors], []
    )
    tree = Scenario("graphql 1,000 descendants", "/graphql", [body(TREE, id=big)], [])
    return by_id, rest, page, tree


async def _table(
    measure: Measure,
    scenarios: tuple[Scenario, ...],
    args: argparse.Namespace,
    proc: subprocess.Popen[Any],
) -> dict[str, float]:
    """Each scenario with 16 clients, then with 1, as a table; req/s at 16 by name."""
    backend = "PostgreSQL" if args.postgres else "SQLite"
    results: dict[str, float] = {}
    print(
        f"\n{backend}, {args.workers} server process(es), {args.client} client, "
        f"{args.seconds:.0f} s per scenario, load average before: {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(
        "| scenario | clients | requests | req/s | p50 ms | p95 ms | p99 ms "
        "| server CPU ms/req | load before |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for clients in (CLIENTS, 1):
        for sc in scenarios:
            if args.only not in sc.name:
                continue
            load = os.getloadavg()[0]
            marks: list[float] = []
            m = await measure(sc, args.seconds, clients, partial(_mark, marks, proc.pid))
            cpu = (server_cpu(proc.pid) - marks[0]) * 1000 / max(1, m.count)
            rate = m.count / m.elapsed
            results.setdefault(sc.name, rate)
            print(
                f"| {sc.name} | {clients} | {m.count} | {rate:.1f} | {m.p50:.2f} | "
                f"{m.p95:.2f} | {m.p99:.2f} | {cpu:.2f} | {load:.2f} |",
                flush=True,
            )
    return results


async def _interleaved(
    measure: Measure, by_id: Scenario, rest: Scenario, args: argparse.Namespace
) -> None:
    """On a shared machine the load changes between scenarios; alternating short
    slices of the two gives both the same conditions."""
    totals = {by_id.name: [0, 0.0], rest.name: [0, 0.0]}
    for _ in range(args.rounds):
        for sc in (by_id, rest):
            m = await measure(sc, args.slice, CLIENTS)
            totals[sc.name][0] += m.count
            totals[sc.name][1] += m.elapsed
    g_rate = totals[by_id.name][0] / totals[by_id.name][1]
    r_rate = totals[rest.name][0] / totals[rest.name][1]
    print(
        f"interleaved, {args.rounds} x {args.slice:.0f} s each, {CLIENTS} clients: "
        f"GraphQL {g_rate:.1f} req/s, REST {r_rate:.1f} req/s, ratio {g_rate / r_rate:.3f}"
    )


if __name__ == "__main__":
    main()
