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
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT)]

from graphql_seed import drop_database, seed  # noqa: E402
from ingest_bench import free_port, fresh_database  # noqa: E402
from load_runner import (  # noqa: E402
    CLIENTS,
    KEY,
    Measure,
    Measured,
    Scenario,
    alternate,
    httpx_run,
    mark,
    server_cpu,
    wrk_run,
)

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
        await alternate(pairs, chosen, args, workdir)
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
            m = await measure(sc, args.seconds, clients, partial(mark, marks, proc.pid))
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
