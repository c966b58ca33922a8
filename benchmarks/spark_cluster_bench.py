"""The clustering step of the Spark engine alone, on a run's own intermediate tables.

    python -m benchmarks.spark_cluster_bench STANDARDIZED SCORED [--partitions 64]
        [--master local[2]] [--local-links 0] [--truth ACCOUNTS.csv] [--out FILE.jsonl]

``STANDARDIZED`` and ``SCORED`` are the Parquet tables a ``mdm dedupe --engine spark``
run writes under its work directory (``standardized``, ``scored``); hard-link them out
before the run ends and removes them. The link graph is clustered as the engine does it
(:func:`matching.spark.clusters.cluster_kept_pairs`: in Spark above ``--local-links``
links), with the default customer settings' thresholds and strong identifiers. Printed:
the wall time, the links, and a digest of the answer (every row's cluster, partner and
probability, and the review pairs), so two versions of the code can be compared on the
same input. With ``--truth`` (the generator's CSV, its ``id`` and ``entity_id``): the
pairwise precision, recall and F1 of the clusters, every row without a kept pair alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

import numpy as np
import pyarrow as pa
from pyarrow import csv
from pyspark.sql import DataFrame

from benchmarks.match_metrics import pairwise_scores
from matching.settings import default_settings
from matching.spark.clusters import cluster_kept_pairs
from matching.spark.session import spark_session


def _digest(table: pa.Table) -> tuple[int, str]:
    """Rows and a sha256 of ``table``'s columns."""
    sha, rows = hashlib.sha256(), 0
    for batch in table.to_batches():
        rows += batch.num_rows
        for column in batch.columns:
            sha.update(column.to_numpy(zero_copy_only=False).tobytes())
    return rows, sha.hexdigest()[:16]


def _scores(std: DataFrame, assigned: pa.Table, truth_csv: str) -> dict[str, float]:
    """Pairwise scores of the clusters (row -> cluster row) against the CSV's entities."""
    ids = std.select("row", "id").orderBy("row").toArrow()
    size = ids.num_rows
    labels = np.arange(size, dtype=np.int64)
    labels[assigned.column("row").to_numpy()] = assigned.column("cluster_row").to_numpy()
    truth = csv.read_csv(
        truth_csv,
        convert_options=csv.ConvertOptions(
            include_columns=["id", "entity_id"],
            column_types={"id": pa.string(), "entity_id": pa.string()},
        ),
    )
    joined = ids.join(truth, "id").sort_by("row")
    if joined.num_rows != size:
        raise SystemExit(f"{size - joined.num_rows} rows have no entity in {truth_csv}")
    entity = joined.column("entity_id").combine_chunks().dictionary_encode().indices
    scores = pairwise_scores(entity.to_numpy(), labels)
    return {k: round(float(v), 4) for k, v in scores.items() if k in ("precision", "recall", "f1")}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("standardized")
    parser.add_argument("scored")
    parser.add_argument("--partitions", type=int, default=64)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--local-links", type=int, default=0)
    parser.add_argument("--work", default="/tmp/mdm-cluster-bench")
    parser.add_argument("--truth", help="the accounts CSV, for pairwise F1")
    parser.add_argument("--out")
    args = parser.parse_args()
    spark = spark_session(
        master=args.master,
        config={
            "spark.driver.memory": "6g",
            "spark.sql.shuffle.partitions": str(args.partitions),
        },
        app_name="mdm-cluster-bench",
    )
    settings = default_settings("customer")
    std = spark.read.parquet(args.standardized)
    scored = spark.read.parquet(args.scored)
    start = time.perf_counter()
    linked = cluster_kept_pairs(
        spark, std, scored, settings, work=args.work, local_links=args.local_links
    )
    assigned = linked.assigned.orderBy("row").toArrow()
    clustered = time.perf_counter() - start
    assigned_rows, assigned_digest = _digest(assigned)
    review_rows, review_digest = _digest(linked.review.orderBy("l", "r").toArrow())
    result = {
        "links": linked.links,
        "refused": linked.refused,
        "where": linked.where,
        "seconds": round(clustered, 1),
        "assigned_rows": assigned_rows,
        "assigned_digest": assigned_digest,
        "review_rows": review_rows,
        "review_digest": review_digest,
    }
    if args.truth:
        result.update(_scores(std, assigned, args.truth))
    print(json.dumps(result))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
    spark.stop()


if __name__ == "__main__":
    main()
