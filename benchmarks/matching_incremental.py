"""Latency of one incremental decision, as the hub makes it on every ingest.

Indexes the first records of a synthetic file as golden records under their
blocking keys (an in-memory stand-in for the hub's persisted key index, capped
at the rule's window of most recent golden records per key, which the hub
should do too), then times ``ProbabilisticMatcher.keys`` + ``decide`` for the
next records against the candidates their keys find. Each golden record
carries its attributes and up to three member records. Prints p50 / p95 /
p99 / max per decision, the candidate counts, and the share of decisions that
agree with the truth.

Reproduce::

    .venv/bin/python benchmarks/matching_incremental.py --records 100000 --decisions 2000
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import numpy as np  # noqa: E402

from canonical.flat import record_from_flat  # noqa: E402
from matching.engine import ProbabilisticMatcher  # noqa: E402
from matching.port import Candidate  # noqa: E402

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--per-key", type=int, default=20)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/mdm-bench"))
    args = parser.parse_args(argv)
    from synth_accounts import write_csv

    path = args.data_dir / f"synth_accounts_{args.records}_seed7.csv"
    if not path.exists():
        args.data_dir.mkdir(parents=True, exist_ok=True)
        write_csv(path, args.records, 7)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    truth = [row.pop("entity_id") for row in rows]
    records = [record_from_flat(row) for row in rows]
    matcher = ProbabilisticMatcher()
    index: dict[str, deque[int]] = defaultdict(lambda: deque(maxlen=args.per_key))
    golden: dict[int, dict[str, Any]] = {}
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    owner: dict[int, int] = {}
    entity_golden: dict[str, int] = {}
    split = len(records) - args.decisions
    started = time.perf_counter()
    for row in range(split):
        # the truth builds the golden records here; the hub builds them by deciding
        gid = entity_golden.setdefault(truth[row], row)
        golden.setdefault(gid, records[row])
        if len(members[gid]) < 3:
            members[gid].append(records[row])
        owner[row] = gid
        for key in matcher.keys("customer", records[row]):
            if gid not in index[key]:
                index[key].append(gid)
    indexing = time.perf_counter() - started
    timings, sizes, correct = [], [], 0
    for row in range(split, len(records)):
        t0 = time.perf_counter()
        keys = matcher.keys("customer", records[row])
        found = list(dict.fromkeys(g for key in keys for g in index.get(key, ())))
        candidates = [Candidate(str(g), golden[g], tuple(members[g])) for g in found]
        decision = matcher.decide("customer", records[row], candidates)
        timings.append(time.perf_counter() - t0)
        sizes.append(len(candidates))
        expected = entity_golden.get(truth[row])
        if (decision.action == "link" and decision.golden_id == str(expected)) or (
            decision.action == "new" and expected is None
        ):
            correct += 1
    ms = np.array(timings) * 1e3
    print(
        f"indexed {split:,} records in {indexing:.1f} s; {len(timings):,} decisions: "
        f"p50 {np.percentile(ms, 50):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
        f"p99 {np.percentile(ms, 99):.2f} ms, max {ms.max():.2f} ms; candidates "
        f"median {int(np.median(sizes))}, p95 {int(np.percentile(sizes, 95))}; "
        f"decisions agreeing with the truth {correct / len(timings):.4f}"
    )


if __name__ == "__main__":
    main()
