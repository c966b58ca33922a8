"""Local engine against Spark local mode on synthetic accounts: wall time, peak memory, F1.

    python -m benchmarks.spark_bench --records 1000000 [--engines local,spark]
        [--master local[2]] [--partitions 16] [--data /work/bench-data] [--out FILE.jsonl]
    python -m benchmarks.spark_bench --partitions 4 \
        --public febrl1,febrl2,febrl3,febrl4,essnet,restaurants,rldata500   # both engines

With ``--public`` each named set of :mod:`benchmarks.public_data` (public record-linkage data
shipped in PyPI packages, written under ``--data``) is deduplicated by both engines and scored
against its own truth, instead of the synthetic accounts.

Each engine runs as ``mdm dedupe`` in a process of its own (the Spark one with
``--engine spark``: a driver, the JVM and its Python workers); peak memory is the
largest sum of the resident memory of that process and every process under it,
sampled every half second from /proc. F1 is pairwise, of the clusters against the
generator's ``entity_id`` (:func:`benchmarks.match_metrics.pairwise_scores`). Spark's
settings are printed with the figures: docs/benchmarks/spark.md has the table.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.match_metrics import pairwise_scores
from benchmarks.synth_accounts import write_csv

SPARK_CONFIG = {
    "spark.driver.memory": "6g",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "10000",
}
"""What the benchmark ran with (local mode: the driver is the executor)."""


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every process under it."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += [child for child, parent in parents.items() if parent == pid]
    return total


def _run(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak bytes of the process tree, and stderr of ``command``."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.5)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{err[-4000:]}")
    return time.perf_counter() - started, peak[0], err


def _clusters(path: Path) -> dict[str, str]:
    files = sorted(glob.glob(f"{path}/part-*.csv")) if path.is_dir() else [str(path)]
    out: dict[str, str] = {}
    for name in files:
        with open(name, newline="", encoding="utf-8") as handle:
            out.update((r["record_id"], r["cluster_id"]) for r in csv.DictReader(handle))
    return out


def _truth(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {r["id"]: r["entity_id"] for r in csv.DictReader(handle)}


def bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    if args.public:
        from benchmarks.public_data import ensure_public

        results = []
        for name in args.public.split(","):
            source, truth_csv, _ = ensure_public(name, data / "public")
            results += _engines(args, source, _truth(truth_csv), name)
        return results
    source = data / f"accounts-{args.records}.csv"
    if not source.exists():
        write_csv(source, args.records)
    return _engines(args, source, _truth(source), f"accounts-{args.records}")


def _engines(
    args: argparse.Namespace, source: Path, truth: dict[str, str], label: str
) -> list[dict[str, Any]]:
    """``mdm dedupe`` of ``source`` on each engine, scored against ``truth``."""
    data = Path(args.data)
    mdm = str(Path(sys.executable).with_name("mdm"))
    env = dict(os.environ)
    results = []
    for engine in args.engines.split(","):
        out = data / f"spark-bench-{engine}-{label}.csv"
        command = [mdm, "dedupe", str(source), str(out), "--no-progress"]
        if engine == "spark":
            command += ["--engine", "spark", "--spark-master", args.master]
            command += ["--spark-partitions", str(args.partitions)]
            env["MDM_SPARK_CONF"] = json.dumps(SPARK_CONFIG)
        seconds, peak, err = _run(command, env)
        clusters = _clusters(out)
        ids = list(truth)
        scores = pairwise_scores([truth[i] for i in ids], [clusters[i] for i in ids])
        row = {
            "engine": engine,
            "data": label,
            "records": len(truth),
            "seconds": round(seconds, 1),
            "peak_gb": round(peak / 1e9, 2),
            "f1": round(scores["f1"], 4),
            "precision": round(scores["precision"], 4),
            "recall": round(scores["recall"], 4),
            "master": args.master if engine == "spark" else None,
            "partitions": args.partitions if engine == "spark" else None,
            "summary": [line for line in err.splitlines() if "->" in line or "steps" in line],
            "load_average": os.getloadavg()[0],
        }
        print(json.dumps(row), flush=True)
        results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--data", default="/work/bench-data")
    parser.add_argument("--out", default=None)
    parser.add_argument("--public", default="", help="public sets instead of synthetic accounts")
    results = bench(parser.parse_args())
    if parser.parse_args().out:
        with open(parser.parse_args().out, "a", encoding="utf-8") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in results)


if __name__ == "__main__":
    main()
