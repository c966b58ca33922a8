"""What the schema registry and the contract gate cost.

1. The newest-schema read each ingest and recompute pays (``current_schema``: one indexed
   row per transaction) next to a transaction that reads one source record;
2. ``mdm contracts verify`` of every pact in contracts/pacts against a scratch hub, and
   ``mdm contracts can-i-deploy`` of an additive customer schema, wall time.

    .venv/bin/python benchmarks/registry_bench.py [--postgres URL] [--rounds 5000]
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from canonical.schemas import schema_for
from mdm.bootstrap import bootstrap
from mdm.domain.schemas import current_schema
from mdm.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def per_call(bus: Any, fn: Callable[[Any], Any], rounds: int) -> float:
    for _ in range(200):
        bus.query(fn)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            bus.query(fn)
        best = min(best, (time.perf_counter() - start) / rounds)
    return best * 1e6


def head_read(url: str, rounds: int) -> None:
    hub = bootstrap(Settings(database_url=url, secret_key="bench"), migrate=True)
    one = per_call(hub.bus, lambda uow: uow.records.by_source_ids("crm", "customer", ["x"]), rounds)
    both = per_call(
        hub.bus,
        lambda uow: (
            uow.records.by_source_ids("crm", "customer", ["x"]),
            current_schema(uow, "customer"),
        ),
        rounds,
    )
    print(
        f"transaction reading one record: {one:.0f} us; with the newest-schema read too: "
        f"{both:.0f} us (the read: {both - one:.0f} us)"
    )


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mdm.cli", *args],
        cwd=ROOT,
        check=False,
        capture_output=True,
        env={"PACT_DO_NOT_TRACK": "true", "PATH": "/usr/bin:/bin"},
    )
    return time.perf_counter() - start


def gate() -> None:
    doc = copy.deepcopy(dict(schema_for("customer", 1).document))
    doc["properties"]["loyalty_tier"] = {"type": "string"}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    verify = wall(["contracts", "verify"])
    deploy = wall(["contracts", "can-i-deploy", "--schema", f"customer={f.name}"])
    print(f"mdm contracts verify: {verify:.1f} s; can-i-deploy (additive customer): {deploy:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL instead of a scratch SQLite file")
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        head_read(args.postgres or f"sqlite:///{tmp}/bench.db", args.rounds)
    gate()


if __name__ == "__main__":
    main()
