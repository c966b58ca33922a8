"""``mdm dedupe --engine spark``: the batch engine's steps as Spark jobs over tables.

1. **standardize** (:mod:`.inputs`): the input's rows, numbered in file order,
   standardized by the local kernels on Arrow batches, with each rule's blocking key;
   written as Parquet (the lineage stops there: every later step reads that table);
2. **block** (:mod:`.blocks`): candidate pairs, the same as the local engine's;
3. **compare** (:meth:`.kernels.Kernels.compare`): each pair's comparison vector and the
   rules whose blocks it shares, on Arrow batches of pairs joined with both records;
   written as Parquet;
4. **train** (:mod:`.train`, unless the settings are given as they are): counts in Spark,
   EM and term frequencies by :func:`matching.batch_training.fit`;
5. **score** (:meth:`.kernels.Kernels.score`): weights, probabilities, explanations, the
   review band and the vetoes, on Arrow batches; written as Parquet;
6. **cluster** (:mod:`.clusters`): the kept pairs (at or above the review threshold, a
   small share of the candidates) clustered by the local engine's own function with its
   anti-chaining rules (:func:`matching.batch.cluster_kept`): on the driver where the
   link graph has at most ``local_links`` links, else connected components in Spark and
   the anti-chaining inside each component on the executors;
7. **write**: clusters (and scored pairs) as Parquet or CSV, by Spark.

Under the same settings version both engines give the same pairs, scores and clusters
(``tests/spark``).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from matching.settings import MatchSettings
from matching.spark.blocks import DEFAULT_MAX_BLOCK, candidate_pairs
from matching.spark.clusters import LinkClusters, cluster_kept_pairs, local_links, materialized
from matching.spark.inputs import read_standardized
from matching.spark.kernels import Kernels, std_columns, tf_fields
from matching.spark.train import train_in_spark

__all__ = ["SparkOptions", "SparkRun", "dedupe_standardized", "spark_dedupe"]


@dataclass(slots=True)
class SparkRun:
    """What a Spark dedupe leaves: the settings scored with, counts, seconds per step,
    and the tables (``clusters``: ``row``, ``record_id``, ``cluster_id``,
    ``match_probability``; ``pairs``: the explained pairs, when asked for; ``compared``:
    every candidate pair's comparison; ``linked``: the link graph's clusters)."""

    settings: MatchSettings
    records: int
    clusters: DataFrame
    pairs: DataFrame | None
    compared: DataFrame
    linked: LinkClusters
    stats: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)


def _compare(std: DataFrame, kernels: Kernels, partitions: int) -> Callable[[DataFrame], DataFrame]:
    """Pairs (``l``, ``r``, ``rule``) to :meth:`Kernels.compare`'s table."""
    settings = kernels.settings
    names = std_columns(settings)
    left = std.select(F.col("row").alias("l"), *[F.col(f"`{n}`").alias(f"l_{n}") for n in names])
    right = std.select(F.col("row").alias("r"), *[F.col(f"`{n}`").alias(f"r_{n}") for n in names])
    schema = ", ".join(
        ["l long", "r long", "rule int", "blocks long", "group byte"]
        + [f"g{c} byte" for c in range(len(settings.comparisons))]
        + [f"`{s}_{n}` string" for n in tf_fields(settings) for s in ("l", "r")]
    )

    def compare(pairs: DataFrame) -> DataFrame:
        joined = pairs.join(left, "l").join(right, "r")
        return joined.mapInArrow(kernels.compare, schema)

    return compare


def _score(compared: DataFrame, kernels: Kernels, sink_at: float | None) -> DataFrame:
    schema = (
        "l long, r long, probability double, weight double, pair_probability double, "
        "kept boolean, veto boolean, link boolean, explanation string"
    )

    def score(batches: Any) -> Any:
        return kernels.score(batches, sink_at)

    return compared.mapInArrow(score, schema)


def _clusters_table(std: DataFrame, linked: LinkClusters) -> DataFrame:
    assigned = linked.assigned.select("row", "cluster_row", "match_probability")
    ids = std.select("row", F.col("id").alias("record_id"))
    heads = std.select(F.col("row").alias("cluster_row"), F.col("id").alias("cluster_id"))
    return (
        ids.join(assigned, "row", "left")
        .withColumn("cluster_row", F.coalesce("cluster_row", "row"))
        .join(heads, "cluster_row")
        .select("row", "record_id", "cluster_id", "match_probability")
    )


def _stage(stages: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    stages[name] = round(now - started, 3)
    return now


@dataclass(frozen=True, slots=True)
class SparkOptions:
    """How the engine runs: shuffle ``partitions``, where intermediate tables go, the
    largest block paired in one task, the input's format, and the most links clustered
    on the driver (more: components in Spark, :mod:`.clusters`)."""

    partitions: int = 8
    work_dir: str | None = None
    max_block: int = DEFAULT_MAX_BLOCK
    input_format: str | None = None
    csv_multi_line: bool = False
    seed: int = 0
    em_pairs_per_rule: int = 150_000  # training's samples, as the local engine's
    prior_pairs: int = 500_000
    local_links: int = field(default_factory=local_links)


def spark_dedupe(
    spark: SparkSession,
    path: str,
    kernels: Kernels,
    *,
    train: bool = True,
    options: SparkOptions | None = None,
    pair_min_probability: float | None = None,
    want_pairs: bool = False,
    warn: Callable[[str], None] | None = None,
) -> SparkRun:
    """Dedupe the records of ``path`` in ``spark``; see the module docstring for the steps.

    Intermediate tables go under ``options.work_dir`` (a local temporary directory by
    default, removed by :func:`cleanup`, or here if the run fails; on a cluster a path
    every executor reaches)."""
    opts = options or SparkOptions()
    work = opts.work_dir or tempfile.mkdtemp(prefix="mdm-spark-")
    try:
        return _dedupe(
            spark, path, kernels, train, opts, work, pair_min_probability, want_pairs, warn
        )
    except BaseException:
        if opts.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
        raise


def _dedupe(
    spark: SparkSession,
    path: str,
    kernels: Kernels,
    train: bool,
    opts: SparkOptions,
    work: str,
    pair_min_probability: float | None,
    want_pairs: bool,
    warn: Callable[[str], None] | None,
) -> SparkRun:
    spark.conf.set("spark.sql.shuffle.partitions", str(opts.partitions))
    stages: dict[str, float] = {}
    started = time.perf_counter()
    std = materialized(
        spark,
        read_standardized(
            spark,
            path,
            kernels,
            fmt=opts.input_format,
            multi_line=opts.csv_multi_line,
            warn=warn,
        ),
        f"{work}/standardized",
    )
    _unique_ids(std)
    started = _stage(stages, "standardize", started)
    return dedupe_standardized(
        spark,
        std,
        kernels,
        train=train,
        options=opts,
        work=work,
        pair_min_probability=pair_min_probability,
        want_pairs=want_pairs,
        warn=warn,
        stages=stages,
    )


def dedupe_standardized(
    spark: SparkSession,
    std: DataFrame,
    kernels: Kernels,
    *,
    train: bool,
    options: SparkOptions,
    work: str,
    pair_min_probability: float | None = None,
    want_pairs: bool = False,
    warn: Callable[[str], None] | None = None,
    stages: dict[str, float] | None = None,
) -> SparkRun:
    """Steps 2-6 over the standardized table ``std`` (:func:`.inputs.std_schema`)."""
    opts = options
    stages = {} if stages is None else stages
    spark.conf.set("spark.sql.shuffle.partitions", str(opts.partitions))
    started = time.perf_counter()
    size = std.count()
    pairs = candidate_pairs(
        spark,
        std,
        kernels.settings,
        partitions=opts.partitions,
        max_block=opts.max_block,
        warn=warn,
    )
    compare = _compare(std, kernels, opts.partitions)
    compared = materialized(spark, compare(pairs), f"{work}/compared")
    total = compared.count()
    started = _stage(stages, "block_and_compare", started)
    settings = kernels.settings
    if train and size >= 2:
        settings = _train(spark, std, compared, settings, size, compare, opts)
        kernels = Kernels(settings, kernels.read_rows, kernels.read_records)
        started = _stage(stages, "train", started)
    sink_at = None
    if want_pairs:
        sink_at = (
            settings.thresholds.review if pair_min_probability is None else pair_min_probability
        )
    scored = materialized(spark, _score(compared, kernels, sink_at), f"{work}/scored")
    started = _stage(stages, "score", started)
    linked = cluster_kept_pairs(
        spark, std, scored, settings, work=f"{work}/cluster", local_links=opts.local_links
    )
    clusters = _clusters_table(std, linked)
    assigned = linked.assigned
    joined = assigned.where("cluster_row != row").count()
    stats = {
        "candidate_pairs": total,
        "links": linked.links,
        "refused_links": linked.refused,
        "settings_version": settings.version,
        "records": size,
        "clusters": size - joined,
        "review_pairs": linked.review.count(),
        "linked_records": assigned.count(),
        "clustered_on": linked.where,
        "work_dir": work,
        "temporary": opts.work_dir is None,
    }
    started = _stage(stages, "cluster", started)
    return SparkRun(
        settings,
        size,
        clusters,
        _pairs_table(std, scored, settings) if want_pairs else None,
        compared,
        linked,
        stats,
        stages,
    )


def _train(
    spark: SparkSession,
    std: DataFrame,
    compared: DataFrame,
    settings: MatchSettings,
    size: int,
    compare: Callable[[DataFrame], DataFrame],
    opts: SparkOptions,
) -> MatchSettings:
    return train_in_spark(
        spark,
        std,
        compared,
        settings,
        size,
        compare,
        em_pairs_per_rule=opts.em_pairs_per_rule,
        prior_pairs=opts.prior_pairs,
        seed=opts.seed,
    )


def _unique_ids(std: DataFrame) -> None:
    """Refuses an input whose ``id`` column repeats a value (as the local engine does)."""
    twice = std.groupBy("id").count().where("count > 1").orderBy("id").limit(3).collect()
    if twice:
        named = ", ".join(repr(r["id"]) for r in twice)
        raise ValueError(f"values in the 'id' column must be unique ({named} more than once)")


def _pairs_table(std: DataFrame, scored: DataFrame, settings: MatchSettings) -> DataFrame:
    ids = std.select("row", "id")
    return (
        scored.where(F.col("explanation").isNotNull())
        .join(ids.select(F.col("row").alias("l"), F.col("id").alias("left_id")), "l")
        .join(ids.select(F.col("row").alias("r"), F.col("id").alias("right_id")), "r")
        .select(
            "l",
            "r",
            "left_id",
            "right_id",
            F.col("pair_probability").alias("match_probability"),
            F.col("weight").alias("match_weight"),
            F.lit(settings.version).alias("settings_version"),
            "explanation",
        )
    )


def output_format(path: str, given: str | None = None) -> str:
    """``parquet`` or ``csv``: the one given, else ``parquet`` for a ``.parquet`` path."""
    if given:
        if given not in ("csv", "parquet"):
            raise ValueError(f"output format must be csv or parquet, not {given!r}")
        return given
    return "parquet" if path.rstrip("/").lower().endswith((".parquet", ".pq")) else "csv"


def write_clusters(run: SparkRun, path: str, fmt: str | None = None) -> None:
    """One row per record (``record_id``, ``cluster_id``, ``match_probability``) in input
    order, as a directory of part files; CSV writes the probability as ``mdm dedupe`` does."""
    kind = output_format(path, fmt)
    frame = run.clusters.orderBy("row")
    if kind == "csv":
        prob = F.col("match_probability")
        text = F.when(prob.isNotNull() & ~F.isnan(prob), F.format_string("%.6f", prob))
        frame = frame.withColumn("match_probability", text)
    _write(frame.drop("row"), path, kind)


def write_pairs(run: SparkRun, path: str, fmt: str | None = None) -> None:
    """The explained pairs with their explanations (``mdm dedupe --pairs``'s columns)."""
    assert run.pairs is not None
    kind = output_format(path, fmt)
    frame = run.pairs.orderBy("l", "r").drop("l", "r")
    if kind == "csv":
        for name in ("match_probability", "match_weight"):
            frame = frame.withColumn(name, F.format_string("%.6f", F.col(name)))
    _write(frame, path, kind)


def _write(frame: DataFrame, path: str, kind: str) -> None:
    writer = frame.write.mode("overwrite")
    if kind == "csv":
        writer.option("header", True).option("escape", '"').csv(path)
    else:
        writer.parquet(path)


def cleanup(run: SparkRun) -> None:
    """Remove the intermediate tables of a run whose work directory was temporary."""
    if run.stats.get("temporary"):
        shutil.rmtree(Path(run.stats["work_dir"]), ignore_errors=True)
