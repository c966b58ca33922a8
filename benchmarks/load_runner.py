"""Load for the read benchmarks: ``wrk`` (C, one thread) or asyncio + httpx clients
against a running server, each scenario's requests, latency percentiles and the server's
CPU time (``benchmarks/graphql_bench.py``)."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

__all__ = [
    "CLIENTS",
    "KEY",
    "Measure",
    "Measured",
    "Scenario",
    "alternate",
    "httpx_run",
    "pct",
    "server_cpu",
    "wrk_run",
]

# the admin key the benchmark's server is started with
KEY = "mdm_bench_graphql_admin"
CLIENTS = 16


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


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values (never interpolated downwards)."""
    return values[min(len(values) - 1, max(0, math.ceil(p * len(values)) - 1))]


async def alternate(
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
                    wrk_run, base, sc, args.slice, CLIENTS, workdir, partial(mark, marks, pid)
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


def mark(marks: list[float], pid: int) -> None:
    """Note the server's CPU seconds so far (a measurement's start)."""
    marks.append(server_cpu(pid))
