"""Rematch preview speed (issue 19, point 3; goal: 1M golden records in at most 5 minutes).

Builds a hub of ``--records`` synthetic accounts with duplicates (1 to 5 copies per entity,
:mod:`synth_accounts`; with ``--one-copy`` every entity once, so about one golden record
per record) in a fresh SQLite file, then times ``mdm matching rematch`` on it,
as a user runs it (a process of its own, pinned to one CPU with ``taskset -c 0`` where
that exists): once under the settings in use, once under proposed settings (link
threshold 0.8, review 0.5), the second time writing the ``--report`` file.

The hub is built directly, not through ``mdm load`` (about 450 records/s, 40 minutes for
a million): every record is validated by nothing but prepared exactly as ingest prepares
it (``match_std`` from the hub's matcher), clustered once by the batch engine under the
shipped settings (what a first batch load gives), and written with one INSERT per row of
``source_record`` and ``golden_record``. Every review pair of that clustering becomes an
open match-review task, and ``--decisions`` of them are decided through the message bus,
half approved and half rejected (real merges, versions, not-a-match pairs), so the preview
has steward decisions to keep. Building is not timed.

Usage::

    .venv/bin/python benchmarks/rematch_bench.py --records 100000
    .venv/bin/python benchmarks/rematch_bench.py --records 1000000 --one-copy
    .venv/bin/python benchmarks/rematch_bench.py --records 1000000 --reuse
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from hub_bench_load import canonical_row
from hub_bench_store import DATA_DIR, recreate_database
from sqlalchemy import text
from synth_accounts import generate, generate_base_and_probes

from canonical.commands import DecideTask
from canonical.flat import record_from_flat
from canonical.schemas import schema_for
from matching.batch import dedupe_table, table_fields
from matching.engine import ProbabilisticMatcher
from matching.settings import default_settings, dump_settings
from matching.table import RecordTable, TableBuilder
from mdm.bootstrap import bootstrap
from mdm.db.engine import make_engine
from mdm.db.migrate import upgrade
from mdm.domain.ingest.store import payload_hash
from mdm.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000
_SR = (
    "INSERT INTO source_record (id, source, entity_type, source_id, golden_id, version, "
    "payload, payload_hash, schema_version, received_at, match_std) VALUES (:id, :source, "
    "'customer', :source_id, :golden_id, 1, :payload, :hash, :schema, :at, :std)"
)
_GR = (
    "INSERT INTO golden_record (id, entity_type, version, status, attributes, lineage, "
    "created_at, updated_at) VALUES (:id, 'customer', 1, 'active', :attrs, '{}', :at, :at)"
)
_GV = (
    "INSERT INTO golden_version (golden_id, version, status, attributes, lineage, members, "
    "changed, cause, recorded_at) VALUES (:gid, 1, 'active', :attrs, '{}', :members, '[]', "
    "'record_created', :at)"
)
_TASK = (
    "INSERT INTO steward_task (id, entity_type, kind, status, record_id, golden_id, "
    "candidate_golden_id, score, settings_version, explanation, created_at, updated_at, "
    "priority, source) VALUES (:id, 'customer', 'match_review', 'open', :rid, :gid, :cid, "
    ":score, 'customer/3', '{}', :at, :at, :priority, :source)"
)


def _rows(records: int, seed: int, one_copy: bool) -> Iterator[dict[str, str]]:
    if not one_copy:
        yield from generate(records, seed)
        return
    for _, row in generate_base_and_probes(records, 0, seed):
        yield row


def _prepared(records: int, seed: int, one_copy: bool) -> tuple[list[dict[str, Any]], RecordTable]:
    """Every synthetic row as a source-record row (payload and match_std as JSON text),
    and the standardized table of them all."""
    matcher, fields = ProbabilisticMatcher(), table_fields(default_settings("customer"))
    rows: list[dict[str, Any]] = []
    builder = TableBuilder()
    stds: list[Any] = []
    schema, at = schema_for("customer").id, datetime.now(UTC).isoformat(sep=" ")
    for number, flat in enumerate(_rows(records, seed, one_copy)):
        payload = record_from_flat(canonical_row(flat))
        std = matcher.prepare("customer", payload)
        stds.append(std)
        rows.append(
            {
                "id": uuid.uuid4().hex,
                "source": flat["source"],
                "source_id": flat["id"],
                "payload": orjson.dumps(payload).decode(),
                "hash": payload_hash(payload),
                "schema": schema,
                "at": at,
                "std": orjson.dumps(std).decode(),
            }
        )
        if (number + 1) % CHUNK == 0:
            builder.add(RecordTable.from_rows(stds, fields))
            stds = []
    if stds:
        builder.add(RecordTable.from_rows(stds, fields))
    return rows, builder.build()


def build(url: str, records: int, seed: int, decisions: int, one_copy: bool) -> dict[str, Any]:
    """The hub of the module docstring at ``url`` (a fresh SQLite file)."""
    started = time.perf_counter()
    recreate_database(url)
    engine = make_engine(url)
    upgrade(engine)
    rows, table = _prepared(records, seed, one_copy)
    result = dedupe_table(table, default_settings("customer"), train_model=False)
    golden_of = {int(label): uuid.uuid4().hex for label in np.unique(result.labels).tolist()}
    for row, label in zip(rows, result.labels.tolist(), strict=True):
        row["golden_id"] = golden_of[label]
    first = {}
    for row in rows:
        first.setdefault(row["golden_id"], row)
    at = rows[0]["at"] if rows else ""
    with engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(text(_SR), rows[start : start + CHUNK])
        goldens = [{"id": g, "attrs": r["payload"], "at": at} for g, r in first.items()]
        for start in range(0, len(goldens), CHUNK):
            conn.execute(text(_GR), goldens[start : start + CHUNK])
    tasks, chosen = _seed_tasks(engine, rows, result.review, decisions)
    engine.dispose()
    decided = _decide(url, tasks, chosen)
    return {
        "records": len(rows),
        "golden_records": len(golden_of),
        "review_pairs": len(result.review),
        "tasks": len(tasks),
        **decided,
        "build_s": round(time.perf_counter() - started, 1),
    }


def _seed_tasks(
    engine: Any, rows: list[dict[str, Any]], review: list[tuple[int, int, float]], decided: int
) -> tuple[list[str], list[str]]:
    """An open match-review task for every review pair of two golden records (as the hub
    opens one per doubtful record), with version 1 of both sides (a merge's record of the
    survivor before it); returns every task, and ``decided`` of them that share no golden
    record, for a steward to decide."""
    members: dict[str, list[list[Any]]] = {}
    for row in rows:
        members.setdefault(row["golden_id"], []).append([row["source"], row["source_id"], 1])
    tasks: dict[tuple[str, str], dict[str, Any]] = {}
    payload_of: dict[str, str] = {}
    at = rows[0]["at"] if rows else ""
    for a, b, p in review:
        left, right = rows[a], rows[b]
        gid, cid = right["golden_id"], left["golden_id"]
        if gid == cid or (gid, cid) in tasks or (cid, gid) in tasks:
            continue
        tasks[gid, cid] = {"id": uuid.uuid4().hex, "rid": right["id"], "gid": gid, "cid": cid}
        tasks[gid, cid] |= {"score": p, "at": at, "priority": round(p * 100)}
        tasks[gid, cid]["source"] = right["source"]
        payload_of |= {gid: right["payload"], cid: left["payload"]}
    versions = [
        {"gid": g, "attrs": text, "members": orjson.dumps(members[g]).decode(), "at": at}
        for g, text in payload_of.items()
    ]
    with engine.begin() as conn:
        if tasks:
            conn.execute(text(_TASK), list(tasks.values()))
            conn.execute(text(_GV), versions)
    used: set[str] = set()
    chosen: list[str] = []
    for (gid, cid), task in tasks.items():
        if len(chosen) < decided and not {gid, cid} & used:
            used |= {gid, cid}
            chosen.append(task["id"])
    return [t["id"] for t in tasks.values()], chosen


def _decide(url: str, tasks: list[str], chosen: list[str]) -> dict[str, int]:
    """Approve the first half of ``chosen`` and reject the second, through the bus."""
    container = bootstrap(Settings(database_url=url))
    half = len(chosen) // 2
    for task_id in chosen[:half]:
        container.bus.handle(DecideTask(task_id, "approve", "bench steward", "same account"))
    for task_id in chosen[half : 2 * half]:
        container.bus.handle(DecideTask(task_id, "reject", "bench steward", "two accounts"))
    container.engine.dispose()
    return {"approved": half, "rejected": half, "open_tasks": len(tasks) - 2 * half}


_TOOK = re.compile(r"took (.*)$")


def preview(url: str, *args: str) -> dict[str, Any]:
    """Run ``mdm matching rematch`` with ``args`` on one CPU; wall time, steps, counts."""
    command = [sys.executable, "-c", "from mdm.cli import main; main()", "matching", "rematch"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    if Path("/usr/bin/time").exists():  # GNU time: the peak memory of the run, last on stderr
        command = ["/usr/bin/time", "-f", "%M", *command]
    env = {**os.environ, "MDM_DATABASE_URL": url}
    started = time.perf_counter()
    out = subprocess.run(
        [*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - started
    lines = out.stdout.splitlines()
    steps = next((m.group(1) for line in lines if (m := _TOOK.search(line))), "")
    tail = out.stderr.strip().splitlines()[-1:] or [""]
    peak = f"{int(tail[0]) / 1024:,.0f} MB" if tail[0].isdigit() else "not measured"
    return {"wall_s": round(wall, 1), "steps": steps, "peak": peak, "summary": lines[:8]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--decisions", type=int, default=1_000, help="tasks a steward decides")
    parser.add_argument("--reuse", action="store_true", help="keep a hub built before")
    parser.add_argument(
        "--one-copy",
        action="store_true",
        help="every entity once (about one golden record per record), not 1 to 5 copies",
    )
    args = parser.parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"rematch_{args.records}{'_one' if args.one_copy else ''}"
    db = DATA_DIR / f"{stem}.db"
    url = f"sqlite:///{db}"
    if not (args.reuse and db.exists()):
        print(f"building a hub of {args.records:,} records at {db} (not timed) ...", flush=True)
        print(build(url, args.records, args.seed, args.decisions, args.one_copy), flush=True)
    proposed = DATA_DIR / "rematch_proposed.json"
    settings = default_settings("customer")
    doc = orjson.loads(dump_settings(settings))
    doc |= {"version": "customer/3-link0.8", "thresholds": {"link": 0.8, "review": 0.5}}
    proposed.write_bytes(orjson.dumps(doc))
    report = DATA_DIR / f"{stem}_report.json"
    for name, extra in (
        ("settings in use", ()),
        ("link 0.8, with --report", ("--settings", str(proposed), "--report", str(report))),
    ):
        run = preview(url, "--entity", "customer", *extra)
        print(f"\n{name}: {run['wall_s']} s wall (one CPU), peak memory {run['peak']}")
        print(f"steps: {run['steps']}")
        print("\n".join(run["summary"]), flush=True)
    print(f"\nreport: {report} ({report.stat().st_size / 2**20:,.1f} MB)")


if __name__ == "__main__":
    main()
