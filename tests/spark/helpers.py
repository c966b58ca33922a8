"""Both engines on one file, their results as plain values to compare."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from matching.batch import dedupe_table, table_fields
from matching.settings import MatchSettings
from mdm.cli.dedupe_input import lines_table, read_table, rows_table

TEST_JVM = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
"""The JVM options of the lane's Spark (the session fixture, and the Spark Connect
server a CLI run starts): the quick JIT compiler alone and the serial collector. The
lane runs hundreds of jobs of milliseconds on tiny tables, where the optimising compiler
(C2) and a parallel collector spend a 2-core machine's CPU on code that is soon done
with: measured on a 1,000-record dedupe, a session starts in 5 s instead of 10 and the
first run takes 12-18 s instead of 32-34. Results do not depend on the JIT; the product
(:data:`matching.spark.session.DEFAULT_CONFIG`) leaves the JVM's own choice."""


@dataclass(frozen=True)
class Outcome:
    version: str
    clusters: dict[str, str]  # record id -> cluster id
    best: dict[str, str]  # record id -> strongest followed link, 6 decimals ("" none)
    pairs: dict[tuple[str, str], tuple[str, str]]  # ids -> (probability, explanation)
    candidate_pairs: int


def local(path: Path, settings: MatchSettings, *, train: bool) -> Outcome:
    ids, table = read_table(path, settings.entity_type, table_fields(settings), processes=1)
    pairs: dict[tuple[str, str], tuple[str, str]] = {}

    def sink(scored: list[dict[str, Any]]) -> None:
        for p in scored:
            text = json.dumps(p["comparisons"], separators=(",", ":"))
            pairs[(ids[p["left"]], ids[p["right"]])] = (f"{p['match_probability']:.6f}", text)

    result = dedupe_table(table, settings, train_model=train, pair_sink=sink)
    best = {
        ids[i]: "" if math.isnan(p) else f"{p:.6f}"
        for i, p in enumerate(result.match_probability.tolist())
    }
    clusters = {ids[i]: ids[label] for i, label in enumerate(result.labels.tolist())}
    return Outcome(result.settings.version, clusters, best, pairs, result.stats["candidate_pairs"])


def kernels(settings: MatchSettings) -> Any:
    from matching.spark.kernels import Kernels

    fields = tuple(table_fields(settings))
    entity = settings.entity_type
    return Kernels(
        settings, partial(rows_table, entity, fields), partial(lines_table, entity, fields)
    )


def spark_run(
    spark: Any, path: Path, settings: MatchSettings, *, train: bool, **options: Any
) -> Any:
    from matching.spark.engine import SparkOptions, spark_dedupe

    return spark_dedupe(
        spark,
        str(path),
        kernels(settings),
        train=train,
        options=SparkOptions(**options),
        want_pairs=True,
    )


def outcome(run: Any) -> Outcome:
    rows = run.clusters.orderBy("row").toArrow().to_pylist()
    clusters = {r["record_id"]: r["cluster_id"] for r in rows}
    best = {
        r["record_id"]: ""
        if r["match_probability"] is None or math.isnan(r["match_probability"])
        else f"{r['match_probability']:.6f}"
        for r in rows
    }
    pairs = {
        (p["left_id"], p["right_id"]): (f"{p['match_probability']:.6f}", p["explanation"])
        for p in run.pairs.toArrow().to_pylist()
    }
    return Outcome(run.settings.version, clusters, best, pairs, run.stats["candidate_pairs"])


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
