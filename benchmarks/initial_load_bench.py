"""Initial load benchmark (issue 19): N synthetic customer accounts in four source files
(crm, billing, erp, support; duplicates across and within sources), loaded by
``mdm load --initial`` into a fresh hub, beside ``mdm dedupe`` on the same records.

Prints records/s end to end, the loader's stages, the peak memory of the loading
process, and golden-record precision / recall / F1 against the generator's truth for
both. Usage::

    .venv/bin/python benchmarks/initial_load_bench.py 100000
    .venv/bin/python benchmarks/initial_load_bench.py 100000 --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/initial_load_bench.py 100000 --engine spark --spark-partitions 16
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hub_bench_load import canonical_row
from sqlalchemy import create_engine, text
from synth_accounts import COLUMNS, SOURCES, generate

ROOT = Path(__file__).resolve().parent.parent


def mdm(
    url: str, *argv: str, check: bool = True
) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run ``mdm``; its wall time and the peak RSS (KiB) of the largest child so far."""
    env = {**os.environ, "MDM_DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from mdm.cli import main; main()", *argv],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    if check and done.returncode not in (0, 1):
        raise SystemExit(f"mdm {' '.join(argv)} failed:\n{done.stderr}")
    return done, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def write_files(n: int, seed: int, out: Path) -> tuple[dict[str, Path], dict[tuple[str, str], str]]:
    """The accounts as one CSV per source, and the truth: (source, id) -> entity."""
    paths = {s: out / f"{s}.csv" for s in SOURCES}
    handles = {s: p.open("w", newline="", encoding="utf-8") for s, p in paths.items()}
    writers = {s: csv.DictWriter(h, fieldnames=COLUMNS) for s, h in handles.items()}
    for writer in writers.values():
        writer.writeheader()
    truth = {}
    all_rows = out / "all.csv"
    with all_rows.open("w", newline="", encoding="utf-8") as fh:
        every = csv.DictWriter(fh, fieldnames=COLUMNS)
        every.writeheader()
        for row in generate(n, seed=seed):
            writers[row["source"]].writerow(canonical_row(row))
            every.writerow(row)
            truth[(row["source"], row["id"])] = row["entity_id"]
    for handle in handles.values():
        handle.close()
    return paths, truth


def prf(
    groups: dict[str, list[tuple[str, str]]], truth: dict[tuple[str, str], str]
) -> tuple[float, float, float]:
    def pairs(g: dict[str, list[tuple[str, str]]]) -> set[tuple[tuple[str, str], tuple[str, str]]]:
        return {p for m in g.values() for p in itertools.combinations(sorted(m), 2)}

    true: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for members in groups.values():
        for m in members:
            true[truth[m]].append(m)
    got, want = pairs(groups), pairs(true)
    tp = len(got & want)
    p = tp / len(got) if got else 1.0
    r = tp / len(want) if want else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def hub_groups(url: str) -> dict[str, list[tuple[str, str]]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT source, source_id, golden_id FROM source_record "
                "WHERE entity_type = 'customer'"
            )
        ).all()
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for source, sid, gid in rows:
        groups[gid].append((source, sid))
    return groups


def dedupe_groups(all_rows: Path, out: Path) -> tuple[dict[str, list[tuple[str, str]]], float]:
    result = out / "dedupe.csv"
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from mdm.cli import main; main()",
            "dedupe",
            str(all_rows),
            str(result),
            "--no-progress",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    source_of = {r["id"]: r["source"] for r in csv.DictReader(all_rows.open(encoding="utf-8"))}
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in csv.DictReader(result.open(encoding="utf-8")):
        groups[row["cluster_id"]].append((source_of[row["record_id"]], row["record_id"]))
    return groups, wall


def reset(url: str) -> None:
    if url.startswith("postgres"):
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    mdm(url, "migrate")
    for source in SOURCES:  # the shipped sources are registered by the migrations
        mdm(url, "sources", "add", source, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--postgres", help="a PostgreSQL URL (its public schema is dropped)")
    parser.add_argument("--engine", default="local", choices=("local", "spark"))
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-partitions", type=int, default=16)
    parser.add_argument("--skip-dedupe", action="store_true", help="no mdm dedupe beside it")
    args = parser.parse_args()
    engine = ["--engine", args.engine]
    if args.engine == "spark":
        engine += ["--spark-master", args.spark_master]
        engine += ["--spark-partitions", str(args.spark_partitions)]
    with tempfile.TemporaryDirectory(prefix="initial-load-") as tmp:
        out = Path(tmp)
        files, truth = write_files(args.records, args.seed, out)
        url = args.postgres or f"sqlite:///{out / 'hub.db'}"
        reset(url)
        specs = [f"{s}={p}" for s, p in files.items()]
        done, wall, rss = mdm(
            url, "load", "--initial", "-e", "customer", *specs, "-q", "--allow-rejects", *engine
        )
        print(done.stdout.strip())
        p, r, f1 = prf(hub_groups(url), truth)
        dp = dr = df1 = dd_wall = float("nan")
        if not args.skip_dedupe:
            dd_groups, dd_wall = dedupe_groups(out / "all.csv", out)
            dp, dr, df1 = prf(dd_groups, truth)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        if args.engine == "spark":
            backend += f", Spark {args.spark_master} x{args.spark_partitions}"
        print(
            f"| {args.records:,} | {backend} | {args.records / wall:,.0f} | {wall:.1f} | "
            f"{rss / 1024:,.0f} | {p:.4f} / {r:.4f} / {f1:.4f} | "
            f"{dp:.4f} / {dr:.4f} / {df1:.4f} ({dd_wall:.1f} s) |"
        )


if __name__ == "__main__":
    main()
