"""Match quality and speed: ``mdm dedupe`` with its defaults beside Splink 5, same data, same run.

Every data set is a CSV of canonical flat columns (the ``mdm dedupe`` input)
with its truth in a separate file. For each one, in this order and each in
its own subprocess (wall time and peak memory ``ru_maxrss`` belong to that
process alone, imports and CSV reading included):

1. ours: ``mdm dedupe INPUT OUTPUT --entity customer|product`` exactly as a new
   user runs it (defaults: shipped settings, trained on the input); its
   clusters give precision, recall and F1 at our default threshold;
2. Splink 5 (DuckDB) with one general setup chosen from the columns present
   (``benchmarks/splink_general.py``); F1 of its clusters at match probability
   0.9, and its best F1 over a threshold sweep of its predicted pairs
   (connected components at each threshold, as Splink clusters);
3. our blocking recall: the share of true pairs among the pairs our engine
   scores, the ceiling of our recall. Not timed. Up to ``--cli-blocking-max``
   records it comes from a second ``mdm dedupe`` run with ``--pairs`` at
   ``--pairs-min-probability 0`` (every scored pair, so it follows whatever
   blocking the CLI does); above, from ``matching.blocking.candidate_pairs``
   with the shipped default settings on the table ``mdm dedupe`` builds.

Pairwise precision, recall and F1 are over all record pairs, from cluster ids.

Reproduce (quick set, ~10 min on a shared 2-core machine)::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/matching_benchmark.py --preset small --json results.jsonl
    .venv/bin/python benchmarks/matching_benchmark.py --preset speed --timeout 3600   # 100k + 1M

Data sets: the generators' (``febrl1`` .. ``febrl4``, ``names_dob_febrl``,
``census``, ``names_dob_census``, ``b2b_accounts``, ``company_names``,
``products``; see ``benchmarks/generators``) and ``synth:<records>`` (our own
accounts, ``benchmarks/synth_accounts.py`` seed 7). Files are generated into
``--data-dir`` when missing; generation is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# the benchmark's own modules; `matching` comes from the installed package, so another
# worktree's venv can run this file against its own engine
sys.path[:0] = [str(HERE)]

import numpy as np  # noqa: E402
from match_metrics import HEADER, markdown_row, pairwise_scores, sweep  # noqa: E402

__all__ = ["PRESETS", "main", "pairwise_scores", "sweep"]

THRESHOLD = 0.9
PRESETS = {
    "small": [
        "febrl1",
        "febrl2",
        "febrl3",
        "febrl4",
        "names_dob_febrl",
        "census",
        "names_dob_census",
        "b2b_accounts",
        "company_names",
        "products",
        "synth:10000",
    ],
    "speed": ["synth:100000", "synth:1000000"],
}
# ---------------------------------------------------------------- data


def prepare_data(dataset: str, data_dir: Path) -> tuple[Path, Path, str]:
    """(input CSV, truth CSV, --entity) of a data set, generated when missing."""
    if dataset.startswith("synth:"):
        return (*_synth(int(dataset.split(":")[1]), data_dir), "customer")
    from generators import DATASETS, ensure

    path, truth = ensure(dataset, data_dir)
    return path, truth, DATASETS[dataset].entity


def _synth(records: int, data_dir: Path) -> tuple[Path, Path]:
    """synth_accounts' CSV split into the dedupe input and ``id,entity_id``."""
    from synth_accounts import write_csv

    path, truth = data_dir / f"synth_{records}.csv", data_dir / f"synth_{records}.truth.csv"
    if path.exists() and truth.exists():
        return path, truth
    data_dir.mkdir(parents=True, exist_ok=True)
    source = data_dir / f"synth_accounts_{records}_seed7.csv"
    if not source.exists():
        write_csv(source.with_suffix(".tmp"), records, 7).rename(source)
    with (
        source.open(encoding="utf-8", newline="") as handle,
        path.with_suffix(".tmp").open("w", encoding="utf-8", newline="") as out,
        truth.with_suffix(".tmp").open("w", encoding="utf-8", newline="") as out_truth,
    ):
        reader = csv.DictReader(handle)
        columns = [c for c in reader.fieldnames or [] if c != "entity_id"]
        writer, truth_writer = csv.writer(out), csv.writer(out_truth)
        writer.writerow(columns)
        truth_writer.writerow(["id", "entity_id"])
        for row in reader:
            writer.writerow([row[c] for c in columns])
            truth_writer.writerow([row["id"], row["entity_id"]])
    path.with_suffix(".tmp").rename(path)
    truth.with_suffix(".tmp").rename(truth)
    return path, truth


def _truth(input_csv: Path, truth_csv: Path) -> tuple[list[str], list[str]]:
    """(ids in input order, entity of each)."""
    with truth_csv.open(encoding="utf-8", newline="") as handle:
        entity = {row["id"]: row["entity_id"] for row in csv.DictReader(handle)}
    with input_csv.open(encoding="utf-8-sig", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    return ids, [entity[i] for i in ids]


# ---------------------------------------------------------------- measured subprocesses


def _measure(cmd: list[str], log: Path, timeout: float) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, peak MB (its ru_maxrss), return code."""
    start = time.time()
    with log.open("w", encoding="utf-8") as handle:
        proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.time() - start > timeout:
                proc.send_signal(signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                return {"error": f"timeout {timeout:.0f}s", "seconds": time.time() - start}
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result: dict[str, Any] = {
        "seconds": time.time() - start,
        "started": start,
        "peak_mb": usage.ru_maxrss / 1024,
    }
    if proc.returncode:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
        result["error"] = f"exit {proc.returncode}: {(tail or ['no output'])[0][:200]}"
    return result


def _mdm() -> list[str]:
    """The installed ``mdm`` command beside this interpreter (as a user runs it)."""
    script = Path(sys.executable).with_name("mdm")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from mdm.cli import main; main()"]


def run_ours(input_csv: Path, entity: str, work: Path, timeout: float) -> dict[str, Any]:
    output = work / "ours.out.csv"
    cmd = [*_mdm(), "dedupe", str(input_csv), str(output), "--entity", entity, "--no-progress"]
    result = _measure(cmd, work / "ours.log", timeout)
    if "error" not in result:
        with output.open(encoding="utf-8", newline="") as handle:
            result["labels"] = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(handle)}
    return result


def run_splink(input_csv: Path, work: Path, timeout: float) -> dict[str, Any]:
    pairs, labels = work / "splink.pairs.npz", work / "splink.labels.txt"
    cmd = [sys.executable, __file__, "--splink-one", str(input_csv), str(pairs), str(labels)]
    result = _measure(cmd, work / "splink.log", timeout)
    if "error" not in result:
        done = json.loads((work / "splink.log").read_text().strip().splitlines()[-1])
        result["seconds"] = done["done_at"] - result.pop("started")
        result["labels"] = labels.read_text(encoding="utf-8").splitlines()
        result["pairs"] = dict(np.load(pairs))
    return result


def _splink_one(input_csv: str, pairs: str, labels_out: str) -> None:
    from splink_general import run

    labels, done_at = run(input_csv, pairs)
    Path(labels_out).write_text("\n".join(labels) + "\n", encoding="utf-8")
    print(json.dumps({"done_at": done_at}), flush=True)


def cli_blocking_recall(
    input_csv: Path, truth_csv: Path, entity: str, work: Path, timeout: float
) -> dict[str, Any]:
    """Blocking recall from every pair ``mdm dedupe --pairs`` writes at probability >= 0."""
    pairs = work / "ours.pairs.csv"
    cmd = [*_mdm(), "dedupe", str(input_csv), str(work / "ours.again.csv"), "--entity", entity]
    cmd += ["--no-progress", "--pairs", str(pairs), "--pairs-min-probability", "0"]
    measured = _measure(cmd, work / "ours.pairs.log", timeout)
    if "error" in measured:
        return measured
    ids, truth = _truth(input_csv, truth_csv)
    row_of = {record_id: i for i, record_id in enumerate(ids)}
    true_pairs = pairwise_scores(truth, truth)["true_pairs"]
    left: list[int] = []
    right: list[int] = []
    probability: list[float] = []
    with pairs.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            left.append(row_of[row[0]])
            right.append(row_of[row[1]])
            probability.append(float(row[2]))
    pairs.unlink()
    codes = np.unique(np.asarray(truth), return_inverse=True)[1]
    lefts, rights = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    found = int((codes[lefts] == codes[rights]).sum())
    # diagnostic: the best F1 our scores could give at any one threshold (connected
    # components, without the CLI's own clustering rules): ranking vs calibration
    try:
        curve = sweep(truth, lefts, rights, np.asarray(probability))
    except ImportError:  # scipy is a bench extra
        curve = []
    best = max(curve, key=lambda r: r["f1"]) if curve else {"f1": None, "threshold": None}
    return {
        "blocking_recall": found / true_pairs if true_pairs else 1.0,
        "candidate_pairs": len(left),
        "method": "cli --pairs",
        "ours_best_f1_cc": best["f1"],
        "ours_best_threshold_cc": best["threshold"],
    }


def blocking_recall(input_csv: Path, truth_csv: Path, entity: str) -> dict[str, Any]:
    """Share of true pairs among the engine's candidate pairs, on the table `mdm dedupe` builds.

    Uses the shipped default settings for ``entity`` (what `mdm dedupe` uses
    without ``--settings``); candidate pairs are unique across rules.
    """
    from matching.batch import table_fields
    from matching.blocking import candidate_pairs
    from matching.settings import default_settings
    from mdm.cli.dedupe_input import read_table

    _, truth = _truth(input_csv, truth_csv)
    settings = default_settings(entity)
    _, table = read_table(input_csv, entity, table_fields(settings))
    _, codes = np.unique(np.asarray(truth), return_inverse=True)
    counts = np.bincount(codes).astype(np.int64)
    true_pairs = int((counts * (counts - 1) // 2).sum())
    found = candidates = 0
    for left, right in candidate_pairs(settings, table):
        candidates += len(left)
        found += int((codes[left] == codes[right]).sum())
    return {
        "blocking_recall": found / true_pairs if true_pairs else 1.0,
        "candidate_pairs": candidates,
        "method": "candidate_pairs(default_settings)",
    }


# ---------------------------------------------------------------- one data set


def bench_dataset(dataset: str, args: argparse.Namespace) -> dict[str, Any]:
    input_csv, truth_csv, entity = prepare_data(dataset, args.data_dir)
    ids, truth = _truth(input_csv, truth_csv)
    work = args.work_dir / dataset.replace(":", "_")
    work.mkdir(parents=True, exist_ok=True)
    row: dict[str, Any] = {"dataset": dataset, "entity": entity, "records": len(ids)}
    row["true_pairs"] = pairwise_scores(truth, truth)["true_pairs"]
    tools = args.tools.split(",")
    if "ours" in tools:
        ours = run_ours(input_csv, entity, work, args.timeout)
        if "labels" in ours:
            labels = ours.pop("labels")
            ours.update(pairwise_scores(truth, [labels[i] for i in ids]))
        row["ours"] = ours
    if "splink" in tools:
        splink = run_splink(input_csv, work, args.timeout)
        if "labels" in splink:
            splink.update(pairwise_scores(truth, splink.pop("labels")))
            pairs = splink.pop("pairs")
            curve = sweep(truth, pairs["left"], pairs["right"], pairs["probability"])
            best = max(curve, key=lambda r: r["f1"])
            splink["best_f1"], splink["best_threshold"] = best["f1"], best["threshold"]
            splink["predicted_pairs_scored"] = len(pairs["left"])
            splink["sweep"] = [{k: r[k] for k in ("threshold", "f1")} for r in curve]
        row["splink"] = splink
    if not args.no_blocking and len(ids) <= args.cli_blocking_max:
        row["blocking"] = cli_blocking_recall(input_csv, truth_csv, entity, work, args.timeout)
    elif not args.no_blocking:
        cmd = [sys.executable, __file__, "--blocking-one", str(input_csv), str(truth_csv), entity]
        log = work / "blocking.log"
        measured = _measure(cmd, log, args.timeout)
        if "error" in measured:
            row["blocking"] = measured
        else:
            row["blocking"] = json.loads(log.read_text().strip().splitlines()[-1])
    return row


# ---------------------------------------------------------------- report


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()
    except OSError:
        return ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*")
    parser.add_argument("--preset", choices=sorted(PRESETS), action="append", default=[])
    parser.add_argument("--tools", default="ours,splink")
    parser.add_argument("--no-blocking", action="store_true", help="skip our blocking recall")
    parser.add_argument(
        "--cli-blocking-max",
        type=int,
        default=50_000,
        help="largest input whose blocking recall comes from `mdm dedupe --pairs`",
    )
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/mdm-bench"))
    parser.add_argument(
        "--work-dir", type=Path, default=Path("/tmp/mdm-bench/runs"), help="outputs and logs"
    )
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--json", type=Path, help="append one JSON line per data set")
    parser.add_argument("--report", type=Path, help="print the table of a --json file and stop")
    parser.add_argument("--splink-one", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--blocking-one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.splink_one:
        _splink_one(*args.splink_one)
        return
    if args.blocking_one:
        path, truth, entity = args.blocking_one
        print(json.dumps(blocking_recall(Path(path), Path(truth), entity)), flush=True)
        return
    if args.report:
        print(HEADER)
        for line in args.report.read_text(encoding="utf-8").splitlines():
            print(markdown_row(json.loads(line)))
        return
    datasets = [d for p in args.preset for d in PRESETS[p]] + args.datasets
    datasets = list(dict.fromkeys(datasets or PRESETS["small"]))
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"<!-- {stamp}, commit {_commit()}, {' '.join(sys.argv[1:])} -->", flush=True)
    print(HEADER, flush=True)
    for dataset in datasets:
        row = bench_dataset(dataset, args)
        row.update({"when": stamp, "commit": _commit()})
        print(markdown_row(row), flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            with args.json.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
