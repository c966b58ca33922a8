"""Clustering the link graph: on the driver where it fits, else in Spark.

The kept pairs (at or above the review threshold, a small share of the candidates) are
clustered by the local engine's own function, :func:`matching.batch.cluster_kept`, with
its anti-chaining rules. Where the link graph has at most ``local_links`` links (a
setting, :attr:`matching.spark.engine.SparkOptions.local_links`), the kept pairs are
collected and clustered on the driver, over the rows that have one. Above it:

1. **components** (:func:`components`): the connected components of the links, by
   iterative min-label propagation with pointer jumping in DataFrame operations, each
   round written as Parquet (the lineage stops there). A component's label is its
   smallest row, whatever the partition count;
2. **anti-chaining inside each component, on the executors**: the kept pairs inside a
   component and its records' strong identifiers go through
   :func:`matching.batch.cluster_kept`, renumbered in row order. Everything that function
   decides (which link a conflict refuses, the clusters, each row's strongest followed
   link, the pairs left for review) depends on a component's pairs alone, taken in (left,
   right) order, so the answer is the one the whole graph gives on one machine. The
   components are dealt into groups by a hash of their label, about ``LINKS_PER_GROUP``
   links a group (``cogroup(...).applyInArrow``), and each group is clustered in one call:
   one Python call a component would be millions of calls at 10M records;
3. kept pairs across components (review pairs) are review pairs as they are.

Either way the result is the same two tables: ``assigned`` (``row``, ``cluster_row``,
``match_probability``, ``partner``: every row with a kept pair) and ``review`` (``l``,
``r``, ``probability``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from matching.batch import DedupeResult, DedupeStats, cluster_kept
from matching.settings import MatchSettings
from matching.spark.kernels import std_columns
from matching.table import RecordTable

__all__ = [
    "DEFAULT_LOCAL_LINKS",
    "LinkClusters",
    "as_arrays",
    "cluster_kept_pairs",
    "components",
    "local_links",
]

DEFAULT_LOCAL_LINKS = 5_000_000
"""Links clustered on the driver at most (a few hundred MB there); more go to Spark.
``MDM_SPARK_LOCAL_LINKS`` sets another (0: always in Spark)."""


def local_links() -> int:
    """The most links clustered on the driver: ``MDM_SPARK_LOCAL_LINKS`` or the default."""
    raw = os.environ.get("MDM_SPARK_LOCAL_LINKS", "").strip()
    if not raw:
        return DEFAULT_LOCAL_LINKS
    if not raw.isdigit():
        raise ValueError(f"MDM_SPARK_LOCAL_LINKS must be a count of links, not {raw!r}")
    return int(raw)


MAX_ROUNDS = 200

LINKS_PER_GROUP = 200_000
"""About how many links one call of the in-Spark clustering takes: components are dealt
into ``links // LINKS_PER_GROUP + 1`` groups by a hash of their label."""

_OUT = (
    "kind byte, row long, cluster_row long, match_probability double, partner long, "
    "l long, r long, probability double, refused long"
)
_ASSIGNED, _REVIEW, _COUNT = 0, 1, 2


@dataclass(slots=True)
class LinkClusters:
    """The clusters of the rows with a kept pair, the pairs left for review, the number
    of links and of links refused, and where it ran (``driver`` or ``spark``)."""

    assigned: DataFrame
    review: DataFrame
    links: int
    refused: int
    where: str


def as_arrays(linked: LinkClusters, size: int, settings: MatchSettings) -> DedupeResult:
    """The clusters on the driver, over ``size`` rows, as :func:`cluster_kept` gives
    them (labels, strongest followed link, its other side, the review pairs in order)."""
    assigned = linked.assigned.toArrow()
    rows = assigned.column("row").to_numpy()
    labels = np.arange(size, dtype=np.int64)
    labels[rows] = assigned.column("cluster_row").to_numpy()
    best = np.full(size, np.nan)
    best[rows] = assigned.column("match_probability").to_numpy(zero_copy_only=False)
    partner = np.full(size, -1, dtype=np.int64)
    partner[rows] = assigned.column("partner").to_numpy()
    review = linked.review.orderBy("l", "r").toArrow()
    pairs = list(
        zip(
            review.column("l").to_pylist(),
            review.column("r").to_pylist(),
            review.column("probability").to_pylist(),
            strict=True,
        )
    )
    stats: DedupeStats = {"links": linked.links, "refused_links": linked.refused}
    return DedupeResult(labels, best, settings, stats, pairs, partner)


def materialized(spark: SparkSession, frame: DataFrame, path: str) -> DataFrame:
    """``frame`` written as Parquet and read back: later steps start from the file."""
    frame.write.mode("overwrite").parquet(path)
    return spark.read.parquet(path)


def strong_names(settings: MatchSettings) -> list[str]:
    """The standardized columns anti-chaining reads: strong identifiers and their flags."""
    names = dict.fromkeys(
        settings.strong_identifiers + tuple(settings.identifier_validity.values())
    )
    return [n for n in names if n in std_columns(settings)]


def cluster_kept_pairs(
    spark: SparkSession,
    std: DataFrame,
    scored: DataFrame,
    settings: MatchSettings,
    *,
    work: str,
    local_links: int = DEFAULT_LOCAL_LINKS,
    links_per_group: int = LINKS_PER_GROUP,
) -> LinkClusters:
    """Cluster the kept pairs of ``scored`` (module docstring)."""
    kept = scored.where("kept").select("l", "r", "probability", "veto", "link")
    links = kept.where("link").count()
    if links <= local_links:
        return _on_driver(spark, std, kept, settings, links)
    groups = links // max(1, links_per_group) + 1
    return _in_spark(spark, std, kept, settings, work, links, groups)


def _node_table(rows: pa.Table, names: list[str]) -> RecordTable:
    return RecordTable.from_columns(
        {n: rows.column(n).to_pylist() for n in names}, size=rows.num_rows
    )


def _on_driver(
    spark: SparkSession, std: DataFrame, kept: DataFrame, settings: MatchSettings, links: int
) -> LinkClusters:
    pairs = kept.toArrow()
    names = strong_names(settings)
    left = pairs.column("l").to_numpy()
    right = pairs.column("r").to_numpy()
    nodes = np.unique(np.concatenate([left, right]))
    rows = pa.table({n: pa.array([], pa.string()) for n in names})
    if len(nodes) and names:
        wanted = spark.createDataFrame(pa.table({"row": nodes}))
        found = std.join(wanted, "row").select("row", *[F.col(f"`{n}`") for n in names])
        rows = found.orderBy("row").toArrow()
    result = cluster_kept(
        settings,
        _node_table(rows, names) if len(rows) else RecordTable.from_columns({}, size=len(nodes)),
        _local(pairs, nodes),
        len(pairs),
    )
    assigned, review = _tables(nodes, result)
    return LinkClusters(
        arrow_frame(spark, assigned),
        arrow_frame(spark, review),
        links,
        result.stats["refused_links"],
        "driver",
    )


_DDL = {pa.int64(): "bigint", pa.float64(): "double", pa.string(): "string", pa.bool_(): "boolean"}


def arrow_frame(spark: SparkSession, table: pa.Table) -> DataFrame:
    """``table`` as a DataFrame. A Spark Connect session infers the schema of an Arrow table
    from its rows and refuses one with none (``CANNOT_INFER_EMPTY_SCHEMA``: a set with no
    review pairs), so an empty table goes as no rows with the table's own schema."""
    if table.num_rows:
        return spark.createDataFrame(table)
    ddl = ", ".join(f"`{f.name}` {_DDL[f.type]}" for f in table.schema)
    return spark.createDataFrame([], ddl)


def _local(pairs: pa.Table, nodes: np.ndarray) -> Any:
    """Kept pairs renumbered over ``nodes`` (sorted rows), as :func:`cluster_kept` takes them."""
    return (
        np.searchsorted(nodes, pairs.column("l").to_numpy()),
        np.searchsorted(nodes, pairs.column("r").to_numpy()),
        pairs.column("probability").to_numpy(),
        pairs.column("veto").to_numpy(zero_copy_only=False).astype(bool),
    )


def _tables(nodes: np.ndarray, result: DedupeResult) -> tuple[pa.Table, pa.Table]:
    """A clustering over ``nodes`` back in rows: ``assigned`` and ``review``."""
    partner = result.partner
    assigned = pa.table(
        {
            "row": pa.array(nodes, pa.int64()),
            "cluster_row": pa.array(nodes[result.labels], pa.int64()),
            "match_probability": pa.array(result.match_probability, pa.float64(), from_pandas=True),
            "partner": pa.array(np.where(partner >= 0, nodes[partner], -1), pa.int64()),
        }
    )
    review = result.review
    review_table = pa.table(
        {
            "l": pa.array(nodes[[p[0] for p in review]] if review else [], pa.int64()),
            "r": pa.array(nodes[[p[1] for p in review]] if review else [], pa.int64()),
            "probability": pa.array([p[2] for p in review], pa.float64()),
        }
    )
    return assigned, review_table


def components(spark: SparkSession, edges: DataFrame, work: str) -> DataFrame:
    """``row``, ``comp``: each row of an edge (``l``, ``r``) and the smallest row of its
    connected component. Each round every row takes the smallest label among its own and
    its neighbours', then the label of its label (pointer jumping); a round that changes
    nothing ends it. Each round is written as Parquet, so the plan stays one round long."""
    both = materialized(
        spark,
        edges.select(F.col("l").alias("a"), F.col("r").alias("b")).unionByName(
            edges.select(F.col("r").alias("a"), F.col("l").alias("b"))
        ),
        f"{work}/edges",
    )
    label = materialized(
        spark,
        both.groupBy("a")
        .agg(F.least(F.col("a"), F.min("b")).alias("c"))
        .withColumnRenamed("a", "row"),
        f"{work}/labels-0",
    )
    for round_ in range(1, MAX_ROUNDS + 1):
        seen = (
            both.join(label.select(F.col("row").alias("b"), F.col("c").alias("n")), "b")
            .groupBy("a")
            .agg(F.min("n").alias("n"))
        )
        step = label.join(seen.withColumnRenamed("a", "row"), "row").select(
            "row", F.least("c", "n").alias("c")
        )
        jumped = step.join(step.select(F.col("row").alias("c"), F.col("c").alias("cc")), "c")
        nxt = materialized(
            spark,
            jumped.select("row", F.least("c", "cc").alias("c")),
            f"{work}/labels-{round_}",
        )
        changed = nxt.join(label.withColumnRenamed("c", "old"), "row").where("c != old").count()
        label = nxt
        if not changed:
            return label.withColumnRenamed("c", "comp")
    raise RuntimeError(f"the link graph's components did not settle in {MAX_ROUNDS} rounds")


def _in_spark(
    spark: SparkSession,
    std: DataFrame,
    kept: DataFrame,
    settings: MatchSettings,
    work: str,
    links: int,
    groups: int,
) -> LinkClusters:
    comp = components(spark, kept.where("link").select("l", "r"), f"{work}/components")

    def group(label: str) -> Column:
        return F.pmod(F.xxhash64(label), F.lit(groups)).alias("group")

    names = strong_names(settings)
    nodes = std.join(comp, "row").select(group("comp"), "row", *[F.col(f"`{n}`") for n in names])
    tagged = kept.join(
        comp.select(F.col("row").alias("l"), F.col("comp").alias("cl")), "l", "left"
    ).join(comp.select(F.col("row").alias("r"), F.col("comp").alias("cr")), "r", "left")
    inside = tagged.where("cl = cr").select(group("cl"), "l", "r", "probability", "veto")
    across = tagged.where("cl is null or cr is null or cl != cr").select("l", "r", "probability")
    run = partial(_components, settings, names)
    out = materialized(
        spark,
        nodes.groupBy("group").cogroup(inside.groupBy("group")).applyInArrow(run, _OUT),
        f"{work}/clustered",
    )
    ends = kept.select(F.col("l").alias("row")).union(kept.select(F.col("r").alias("row")))
    alone = (
        ends.distinct()
        .join(comp, "row", "left_anti")
        .select(
            "row",
            F.col("row").alias("cluster_row"),
            F.lit(None).cast("double").alias("match_probability"),
            F.lit(-1).cast("long").alias("partner"),
        )
    )
    assigned = out.where(f"kind = {_ASSIGNED}").select(
        "row", "cluster_row", "match_probability", "partner"
    )
    review = out.where(f"kind = {_REVIEW}").select("l", "r", "probability").unionByName(across)
    refused = out.where(f"kind = {_COUNT}").agg(F.sum("refused")).first()
    return LinkClusters(
        assigned.unionByName(alone),
        review,
        links,
        int((refused[0] if refused else 0) or 0),
        "spark",
    )


def _components(
    settings: MatchSettings, names: list[str], nodes: pa.Table, pairs: pa.Table
) -> pa.Table:
    """One group of components on an executor: their records (``row`` and strong
    identifiers) and the kept pairs inside each, clustered by :func:`cluster_kept` over
    their rows in row order. No pair joins two components, so each is clustered as the
    whole graph would cluster it."""
    nodes = nodes.sort_by("row")
    rows = nodes.column("row").to_numpy()
    table = _node_table(nodes, names)
    result = cluster_kept(settings, table, _local(pairs, rows), pairs.num_rows)
    assigned, review = _tables(rows, result)
    n, m = assigned.num_rows, review.num_rows

    def nulls(k: int, kind: pa.DataType) -> pa.Array:
        return pa.nulls(k, kind)

    long, double = pa.int64(), pa.float64()
    refused = result.stats["refused_links"]
    return pa.table(
        {
            "kind": pa.array([_ASSIGNED] * n + [_REVIEW] * m + [_COUNT], pa.int8()),
            "row": pa.concat_arrays([assigned.column("row").combine_chunks(), nulls(m + 1, long)]),
            "cluster_row": pa.concat_arrays(
                [assigned.column("cluster_row").combine_chunks(), nulls(m + 1, long)]
            ),
            "match_probability": pa.concat_arrays(
                [assigned.column("match_probability").combine_chunks(), nulls(m + 1, double)]
            ),
            "partner": pa.concat_arrays(
                [assigned.column("partner").combine_chunks(), nulls(m + 1, long)]
            ),
            "l": pa.concat_arrays(
                [nulls(n, long), review.column("l").combine_chunks(), nulls(1, long)]
            ),
            "r": pa.concat_arrays(
                [nulls(n, long), review.column("r").combine_chunks(), nulls(1, long)]
            ),
            "probability": pa.concat_arrays(
                [nulls(n, double), review.column("probability").combine_chunks(), nulls(1, double)]
            ),
            "refused": pa.array([None] * (n + m) + [refused], long),
        }
    )
