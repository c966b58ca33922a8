"""Incremental matching in the hub at scale (issue 3): bulk load rate and per-record latency.

Goal: p95 time to match one new record against 1M golden records at most 10 ms on
SQLite and on PostgreSQL; ``mdm load`` with matching at least 1,000 records/s.

Mode ``base`` loads ``--records`` synthetic accounts, every entity exactly once (so
about as many golden records), with the real ``mdm load`` command (one file per
source, timed from process start), then, in this process on the same database,
times ``--probes`` single records (after 50 warm-up ones): the read-only
``find_matches`` use case, then a full one-record ingest as a PUT makes it (its own
committed transaction). Half the probes are new copies, from another source, of a
base entity; half are new entities. A decision agrees with the truth when a copy
is linked or sent to review against its entity's golden record, and a new entity
gets a new one. Probes are committed, so each run against a reused database uses
the next probe seed (new entities not seen before).

Mode ``dupes`` loads the standard ``synth_accounts.generate`` data (1 to 5 copies
per entity) with ``mdm load`` and scores the hub's incremental decisions: pairwise
precision / recall / F1 of "same golden record" against "same entity" over the
``source_record`` table (a record sent to review has a golden record of its own).

Half the raw synthetic rows break the canonical model (country names, "(415) ..."
phones), so every row is first made valid as a source adapter would
(:func:`canonical_row`); none is rejected.

Reproduce::

    .venv/bin/python benchmarks/hub_matching_bench.py --records 20000
    .venv/bin/python benchmarks/hub_matching_bench.py --records 20000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mdm_bench_hub
    .venv/bin/python benchmarks/hub_matching_bench.py --records 100000 --mode dupes
    .venv/bin/python benchmarks/hub_matching_bench.py --records 1000000      # SQLite
    .venv/bin/python benchmarks/hub_matching_bench.py --records 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/mdm_bench_hub
    # probe again without reloading:
    .venv/bin/python benchmarks/hub_matching_bench.py --records 1000000 --reuse

SQLite files go to ``/tmp/mdm-bench/hub_<mode>_<records>.db``. A PostgreSQL
database named by ``--database-url`` is dropped and created again unless
``--reuse`` finds the base already loaded there; only names starting with
``mdm_bench`` are ever dropped.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import numpy as np  # noqa: E402
from hub_bench_load import canonical_row, load, load_rows, prepare, write_by_source  # noqa: E402
from hub_bench_store import (  # noqa: E402
    DATA_DIR,
    ENTITY,
    analyze,
    count_base_records,
    count_goldens,
    database_bytes,
    database_exists,
    has_schema,
    is_sqlite,
    next_probe_seed,
    recreate_database,
    safe_url,
)
from match_metrics import pairwise_scores  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from synth_accounts import COLUMNS, generate, generate_base_and_probes  # noqa: E402

from canonical.flat import record_from_flat  # noqa: E402
from mdm.db.engine import make_engine, normalize_url  # noqa: E402

__all__ = ["main"]

WARMUP = 50


# -- probes ----------------------------------------------------------------------


def _record(row: dict[str, str]) -> dict[str, Any]:
    return record_from_flat({k: v for k, v in row.items() if k in COLUMNS and k != "entity_id"})


def _percentiles(values: list[float]) -> dict[str, float]:
    a = np.array(values)
    return {
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "p99": float(np.percentile(a, 99)),
        "max": float(a.max()),
    }


def run_probes(url: str, probes: list[dict[str, str]], probe_seed: int) -> dict[str, Any]:
    """Time ``find_matches`` and a committed one-record ingest for each probe, in turn."""
    from canonical.commands import IngestItem, IngestRecords
    from mdm.bootstrap import bootstrap
    from mdm.queries.matches import find_matches
    from mdm.settings import Settings

    container = bootstrap(Settings(database_url=url))
    engine, matcher = container.engine, container.matcher
    with engine.connect() as conn:
        expected = {
            row["id"]: conn.execute(
                text(
                    "SELECT golden_id FROM source_record "
                    "WHERE source = :s AND entity_type = :e AND source_id = :i"
                ),
                {"s": row["duplicate_of"].split("-")[0], "e": ENTITY, "i": row["duplicate_of"]},
            ).scalar_one_or_none()  # a base copy the hub rejected: the probe is new to it
            for row in probes
            if row["duplicate_of"]
        }
    find_ms: list[float] = []
    ingest_ms: list[float] = []
    sizes: list[int] = []
    outcome: Counter[str] = Counter()
    ingest_actions: Counter[str] = Counter()
    disagreements = 0
    for n, row in enumerate(probes):
        record = _record(canonical_row(row))
        t0 = time.perf_counter()
        found = container.bus.query(
            lambda uow, record=record: find_matches(  # type: ignore[misc]
                uow, matcher, entity_type=ENTITY, record=record
            )
        )
        t1 = time.perf_counter()
        item = IngestItem(f"p{probe_seed}-{row['id']}", record)
        [result] = container.bus.handle(
            IngestRecords(row["source"], ENTITY, (item,), f"hub-bench-{probe_seed}")
        )
        t2 = time.perf_counter()
        if n < WARMUP:
            continue
        find_ms.append((t1 - t0) * 1e3)
        ingest_ms.append((t2 - t1) * 1e3)
        sizes.append(len(found["candidates"]))
        decision = found["decision"]
        outcome[_judge(decision["action"], decision["golden_id"], expected.get(row["id"]))] += 1
        ingest_actions[result.action or "rejected"] += 1
        if {"link": "linked", "new": "created", "review": "review"}[
            decision["action"]
        ] != result.action:
            disagreements += 1
    engine.dispose()
    counted = len(find_ms)
    right = outcome["copy linked right"] + outcome["copy to review right"] + outcome["new right"]
    return {
        "find": _percentiles(find_ms),
        "ingest": _percentiles(ingest_ms),
        "candidates": {
            "median": int(np.median(sizes)),
            "p95": int(np.percentile(sizes, 95)),
            "max": max(sizes),
        },
        "outcome": outcome,
        "agreement": right / counted,
        "ingest_actions": ingest_actions,
        "disagreements": disagreements,
        "counted": counted,
    }


def _judge(action: str, golden_id: str | None, expected: str | None) -> str:
    if expected is None:
        return "new right" if action == "new" else f"new wrongly {action}ed"
    if action == "new":
        return "copy missed (new)"
    right = golden_id == expected
    if action == "link":
        return "copy linked right" if right else "copy linked wrong"
    return "copy to review right" if right else "copy to review wrong"


# -- pairwise quality ------------------------------------------------------------


def pairwise(engine: Engine, truth: dict[str, str]) -> dict[str, float]:
    """Precision / recall / F1 of pairs sharing a golden id against pairs sharing an entity
    (the same scoring as the engine-vs-Splink benchmark)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT source_id, golden_id FROM source_record WHERE entity_type = :e"),
            {"e": ENTITY},
        ).all()
    return pairwise_scores([truth[sid] for sid, _ in rows], [gid for _, gid in rows])


# -- modes -----------------------------------------------------------------------


def _uptime() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _split_base(
    stream: Iterator[tuple[str, dict[str, str]]], probes: list[dict[str, str]]
) -> Iterator[dict[str, str]]:
    for role, row in stream:
        if role == "base":
            yield row
        else:
            probes.append(row)


def run_base(args: argparse.Namespace, url: str) -> list[tuple[str, str]]:
    table: list[tuple[str, str]] = []
    engine = make_engine(url)
    reuse = (
        args.reuse
        and database_exists(url)
        and has_schema(engine)
        and count_base_records(engine) == args.records
    )
    probe_seed = next_probe_seed(engine) if reuse else 0
    engine.dispose()
    probes: list[dict[str, str]] = []
    stream = generate_base_and_probes(
        args.records, args.probes + WARMUP, args.seed, probe_seed=probe_seed
    )
    if reuse:
        print(f"reusing the loaded base at {safe_url(url)}; probe seed {probe_seed}", flush=True)
        for _ in _split_base(stream, probes):
            pass
    else:
        print(f"generating {args.records:,} base records", flush=True)
        files = write_by_source(_split_base(stream, probes), f"hub_base_{args.records}")
        recreate_database(url)
        prepare(url)
        print(f"loading into {safe_url(url)} (load average {_uptime()})", flush=True)
        result = load(url, files)
        table += load_rows(result)
        analyze(url)
    engine = make_engine(url)
    goldens = count_goldens(engine)
    size = database_bytes(engine, url)
    engine.dispose()
    table += [
        ("active golden records", f"{goldens:,}"),
        (
            "database size",
            f"{size / 2**30:.2f} GiB ({size / max(goldens, 1) / 1024:.1f} KiB per golden)",
        ),
    ]
    print(
        f"probing with {args.probes} records + {WARMUP} warm-up (load average {_uptime()})",
        flush=True,
    )
    out = run_probes(url, probes, probe_seed)
    f, i, c = out["find"], out["ingest"], out["candidates"]
    table += [
        ("find_matches p50 / p95 / p99 / max", _ms(f)),
        ("one-record ingest p50 / p95 / p99 / max", _ms(i)),
        ("candidates scored median / p95 / max", f"{c['median']} / {c['p95']} / {c['max']}"),
        ("decisions agreeing with the truth", f"{out['agreement']:.4f} of {out['counted']}"),
        ("outcomes", ", ".join(f"{k} {v}" for k, v in sorted(out["outcome"].items()))),
        ("ingest actions", ", ".join(f"{k} {v}" for k, v in sorted(out["ingest_actions"].items()))),
        ("ingest differing from find_matches", str(out["disagreements"])),
    ]
    return table


def run_dupes(args: argparse.Namespace, url: str) -> list[tuple[str, str]]:
    print(f"generating {args.records:,} records with duplicates", flush=True)
    rows = list(generate(args.records, args.seed))
    truth = {row["id"]: row["entity_id"] for row in rows}
    files = write_by_source(rows, f"hub_dupes_{args.records}")
    del rows
    recreate_database(url)
    prepare(url)
    print(f"loading into {safe_url(url)} (load average {_uptime()})", flush=True)
    result = load(url, files)
    analyze(url)
    engine = make_engine(url)
    quality = pairwise(engine, truth)
    goldens = count_goldens(engine)
    size = database_bytes(engine, url)
    engine.dispose()
    return [
        *load_rows(result),
        ("active golden records", f"{goldens:,} (entities: {len(set(truth.values())):,})"),
        ("database size", f"{size / 2**30:.2f} GiB"),
        (
            "pairwise precision / recall / F1",
            f"{quality['precision']:.4f} / {quality['recall']:.4f} / {quality['f1']:.4f}",
        ),
        (
            "true pairs / linked pairs",
            f"{quality['true_pairs']:,} / {quality['predicted_pairs']:,}",
        ),
    ]


def _ms(p: dict[str, float]) -> str:
    return f"{p['p50']:.2f} / {p['p95']:.2f} / {p['p99']:.2f} / {p['max']:.2f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=2_000)
    parser.add_argument("--mode", choices=("base", "dupes"), default="base")
    parser.add_argument("--database-url", default=None, help="SQLite file under /tmp/mdm-bench")
    parser.add_argument("--reuse", action="store_true", help="base mode: keep a loaded base")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    url = normalize_url(
        args.database_url or f"sqlite:///{DATA_DIR / f'hub_{args.mode}_{args.records}.db'}"
    )
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    before = _uptime()
    started = time.perf_counter()
    table = run_base(args, url) if args.mode == "base" else run_dupes(args, url)
    table += [
        ("load average before / after", f"{before} / {_uptime()}"),
        ("benchmark wall time", f"{time.perf_counter() - started:.0f} s"),
    ]
    print(f"\n### {backend}, mode {args.mode}, {args.records:,} records\n")
    print("| measure | value |\n| --- | --- |")
    for name, value in table:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
