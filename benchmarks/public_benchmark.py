"""Match quality on public data nobody here wrote, through both paths a user takes, beside Splink.

For every set of :mod:`public_data`, in one run and each step in its own measured
subprocess (wall seconds and peak MB of that process):

1. ``mdm dedupe INPUT OUTPUT`` with its defaults (trained on the input);
2. the hub: ``mdm migrate`` into a fresh SQLite file, then ``mdm load`` of one file per
   source (sources in name order, as a user loads them; defaults: lenient sources, the
   hub trains on its records before deciding); the golden record each source record ends
   in (merges followed) is its cluster; open steward tasks are the review load;
3. Splink 5 (DuckDB) with the general setup of ``splink_general.py``: F1 of its clusters
   at 0.9 and its best F1 over a threshold sweep.

Printed: pairwise precision, recall and F1 at the default threshold, review tasks and
refused records per 1,000 records, seconds and peak MB per path; then, per path, the
reliability table (predicted probability in bins against the observed share of true
pairs): for dedupe every scored pair at or above 0.5, for the hub every decision's
score against the candidate it named.

Reproduce::

    .venv/bin/pip install -e '.[dev,bench]'
    .venv/bin/python benchmarks/public_benchmark.py [--sets essnet,febrl3] [--json out.jsonl]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sqlite3
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]

import numpy as np  # noqa: E402
from match_metrics import pairwise_scores, sweep  # noqa: E402
from matching_benchmark import _mdm, _measure, run_ours, run_splink  # noqa: E402
from public_data import PUBLIC_SETS, ensure_public  # noqa: E402

__all__ = ["main", "reliability"]

BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0000001)


def reliability(probability: Any, same: Any) -> list[dict[str, Any]]:
    """Per probability bin: pairs, the share that are true matches, the mean prediction."""
    probability, same = np.asarray(probability, dtype=float), np.asarray(same, dtype=bool)
    out = []
    for low, high in pairwise(BINS):
        inside = (probability >= low) & (probability < high)
        if inside.any():
            out.append(
                {
                    "bin": f"{low:.2f}-{min(high, 1.0):.2f}",
                    "pairs": int(inside.sum()),
                    "true_share": float(same[inside].mean()),
                    "mean_predicted": float(probability[inside].mean()),
                }
            )
    return out


def _rows(input_csv: Path, truth_csv: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    with truth_csv.open(encoding="utf-8", newline="") as handle:
        truth = {r["id"]: r["entity_id"] for r in csv.DictReader(handle)}
    with input_csv.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle)), truth


def _dedupe(input_csv: Path, truth: dict[str, str], work: Path) -> dict[str, Any]:
    ours = run_ours(input_csv, "customer", work, timeout=3600)
    if "error" in ours:
        return ours
    ids = list(ours["labels"])
    scores = pairwise_scores([truth[i] for i in ids], [ours["labels"][i] for i in ids])
    log = (work / "ours.log").read_text(encoding="utf-8")
    found = re.search(r"(\d+) pairs for review", log)
    pairs_csv = work / "ours.pairs.csv"
    cmd = [*_mdm(), "dedupe", str(input_csv), str(work / "again.csv"), "--no-progress"]
    _measure([*cmd, "--pairs", str(pairs_csv)], work / "pairs.log", timeout=3600)
    with pairs_csv.open(encoding="utf-8", newline="") as handle:
        scored = [
            (float(r["match_probability"]), truth[r["left_id"]] == truth[r["right_id"]])
            for r in csv.DictReader(handle)
        ]
    return {
        **scores,
        "seconds": ours["seconds"],
        "peak_mb": ours["peak_mb"],
        "reviews": int(found.group(1)) if found else 0,
        "refused": 0,
        "reliability": reliability([p for p, _ in scored], [s for _, s in scored]),
    }


def _hub_clusters(db: Path) -> tuple[dict[str, str], int, list[tuple[float, str, str]]]:
    """(source id -> final golden id, open tasks, (score, source id, candidate golden))."""
    conn = sqlite3.connect(db)
    merged = dict(
        conn.execute("SELECT id, merged_into FROM golden_record WHERE merged_into IS NOT NULL")
    )

    def final(gid: str) -> str:
        for _ in range(100):
            if gid not in merged:
                break
            gid = merged[gid]
        return gid

    cluster = {
        sid: final(g) for sid, g in conn.execute("SELECT source_id, golden_id FROM source_record")
    }
    tasks = conn.execute("SELECT count(*) FROM steward_task WHERE status = 'open'").fetchone()[0]
    scored = [
        (float(score), sid, final(json.loads(explanation).get("candidate") or ""))
        for score, sid, explanation in conn.execute(
            "SELECT d.score, s.source_id, d.explanation FROM match_decision d "
            "JOIN source_record s ON s.id = d.record_id WHERE d.score IS NOT NULL"
        )
    ]
    return cluster, int(tasks), scored


def _hub(rows: list[dict[str, str]], truth: dict[str, str], work: Path) -> dict[str, Any]:
    db = work / "hub.db"
    db.unlink(missing_ok=True)
    # the measured mdm processes inherit this environment: a fresh embedded hub
    os.environ["MDM_DATABASE_URL"] = f"sqlite:///{db}"
    _measure([*_mdm(), "migrate"], work / "migrate.log", timeout=600)
    seconds, peak = 0.0, 0.0
    for source in sorted({r["source"] for r in rows}):
        part = work / f"{source}.csv"
        columns = [c for c in rows[0] if c not in ("id", "source")]
        with part.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["source_id", *columns])
            writer.writerows(
                [r["id"], *(r[c] for c in columns)] for r in rows if r["source"] == source
            )
        cmd = [*_mdm(), "load", str(part), "-s", source, "-e", "customer", "-q", "--allow-rejects"]
        done = _measure(cmd, work / f"load-{source}.log", timeout=7200)
        if "error" in done:
            return done
        seconds, peak = seconds + done["seconds"], max(peak, done["peak_mb"])
    cluster, tasks, scored = _hub_clusters(db)
    ids = [r["id"] for r in rows]
    labels = [cluster.get(i, f"refused-{i}") for i in ids]
    members: dict[str, set[str]] = {}
    for sid, gid in cluster.items():
        members.setdefault(gid, set()).add(truth[sid])
    return {
        **pairwise_scores([truth[i] for i in ids], labels),
        "seconds": seconds,
        "peak_mb": peak,
        "reviews": tasks,
        "refused": sum(1 for i in ids if i not in cluster),
        "reliability": reliability(
            [p for p, _, _ in scored], [truth[s] in members.get(g, set()) for _, s, g in scored]
        ),
    }


def _splink(input_csv: Path, truth: dict[str, str], work: Path) -> dict[str, Any]:
    done = run_splink(input_csv, work, timeout=3600)
    if "error" in done:
        return done
    with input_csv.open(encoding="utf-8", newline="") as handle:
        ids = [r["id"] for r in csv.DictReader(handle)]
    entities = [truth[i] for i in ids]
    at = pairwise_scores(entities, done["labels"])
    pairs = done["pairs"]
    best = max(
        sweep(entities, pairs["left"], pairs["right"], pairs["probability"]), key=lambda r: r["f1"]
    )
    return {
        "f1_at_0.9": at["f1"],
        "best_f1": best["f1"],
        "best_threshold": best["threshold"],
        "seconds": done["seconds"],
        "peak_mb": done["peak_mb"],
    }


def _line(name: str, records: int, path: str, r: dict[str, Any]) -> str:
    if "error" in r:
        return f"| {name} | {records} | {path} | {r['error']} |"
    k = 1000 / records
    return (
        f"| {name} | {records:,} | {path} | {r['precision']:.3f} | {r['recall']:.3f} | "
        f"{r['f1']:.3f} | {r['reviews'] * k:.1f} | {r['refused'] * k:.1f} | "
        f"{r['seconds']:.1f} | {r['peak_mb']:.0f} |"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sets", default=",".join(PUBLIC_SETS))
    ap.add_argument("--data-dir", type=Path, default=HERE / "data" / "public")
    ap.add_argument("--work-dir", type=Path, default=HERE / "out" / "public")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    print("| set | records | path | P | R | F1 | reviews/1k | refused/1k | s | peak MB |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    results = []
    for name in args.sets.split(","):
        input_csv, truth_csv, _ = ensure_public(name, args.data_dir)
        rows, truth = _rows(input_csv, truth_csv)
        work = args.work_dir / name
        work.mkdir(parents=True, exist_ok=True)
        out: dict[str, Any] = {"set": name, "records": len(rows)}
        out["dedupe"] = _dedupe(input_csv, truth, work)
        print(_line(name, len(rows), "dedupe", out["dedupe"]), flush=True)
        out["hub"] = _hub(rows, truth, work)
        print(_line(name, len(rows), "hub", out["hub"]), flush=True)
        if not args.no_splink:
            s = out["splink"] = _splink(input_csv, truth, work)
            text = s.get("error") or (
                f"F1 {s['f1_at_0.9']:.3f} at 0.9, best {s['best_f1']:.3f} at "
                f"{s['best_threshold']:.3f}; {s['seconds']:.1f} s, {s['peak_mb']:.0f} MB"
            )
            print(f"| {name} | {len(rows):,} | Splink 5 | {text} |", flush=True)
        results.append(out)
    for path in ("dedupe", "hub"):
        print(f"\nreliability, {path} (all sets): bin | pairs | true share | mean predicted")
        merged: dict[str, list[float]] = {}
        for out in results:
            for b in out[path].get("reliability", []):
                m = merged.setdefault(b["bin"], [0, 0.0, 0.0])
                m[0] += b["pairs"]
                m[1] += b["true_share"] * b["pairs"]
                m[2] += b["mean_predicted"] * b["pairs"]
        for key in sorted(merged):
            n, true, predicted = merged[key]
            print(f"  {key} | {n:8d} | {true / n:.3f} | {predicted / n:.3f}")
    if args.json:
        with args.json.open("a", encoding="utf-8") as handle:
            for out in results:
                handle.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
