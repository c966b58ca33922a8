"""Candidate pairs in Spark: the local engine's blocking rules, sorted neighbourhood and all.

Per rule, records sharing a blocking key (column ``k<i>`` of the standardized table) are
ordered by the settings' sort field (nulls last, then by row, as
:func:`matching.blocking.pairs_by_rule` orders them) and each is paired with its next
``window - 1`` neighbours. A pair several rules find is kept once, with the first rule
that found it (what the local engine's "not produced again by a later rule" amounts to).

Skew: most blocks are paired with a window function (``lead``) over the block, which
holds one block in one task. A block of more than ``max_block`` records (the "John
Smith" block) never is: its records are range-partitioned by (rule, key, sort, row), so
one block spreads over many tasks; each record's place in its block is its offset in its
partition plus the records of the block in the partitions before (a small table, one
row per block and partition), and pairs come from an equi-join on (rule, key, place),
which has no hot key. The same pairs either way; a warning names each such block.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from matching.settings import MatchSettings

__all__ = ["DEFAULT_MAX_BLOCK", "candidate_pairs"]

DEFAULT_MAX_BLOCK = 50_000
"""Blocks larger than this are paired by the skew-safe path (the same pairs, more shuffles)."""

_MID_BITS = 33  # monotonically_increasing_id: partition index << 33 | record number


def _keyed(std: DataFrame, settings: MatchSettings) -> DataFrame:
    """(rule, key, sort, row, window) for every record and rule it has a key for.

    One scan of ``std`` (each row exploded into one entry per rule), not a union of one
    scan per rule: with twenty rules a union reads the table twenty times, and runs twenty
    times its tasks in every stage that reads it."""
    entries = [
        F.struct(
            F.lit(i).alias("rule"),
            F.col(f"k{i}").alias("key"),
            F.lit(rule.window).alias("window"),
        )
        for i, rule in enumerate(settings.blocking)
    ]
    return (
        std.select("sort", "row", F.explode(F.array(*entries)).alias("e"))
        .where(F.col("e.key").isNotNull())
        .select("e.rule", "e.key", "sort", "row", "e.window")
    )


def _small_block_pairs(keyed: DataFrame, widest: int) -> DataFrame:
    """Sorted-neighbourhood pairs of blocks paired inside one task (``lead`` over a block)."""
    order = Window.partitionBy("rule", "key").orderBy(F.col("sort").asc_nulls_last(), "row")
    leads = [
        F.when(F.lit(d) < F.col("window"), F.lead("row", d).over(order)) for d in range(1, widest)
    ]
    return (
        keyed.select("rule", "row", F.array(*leads).alias("others"))
        .select("rule", "row", F.explode("others").alias("other"))
        .where(F.col("other").isNotNull())
    )


def _large_block_pairs(spark: SparkSession, keyed: DataFrame, partitions: int) -> DataFrame:
    """The same pairs for blocks too large for one task (see the module docstring)."""
    order = ("rule", "key", F.col("sort").asc_nulls_last(), "row")
    ided = (
        keyed.repartitionByRange(partitions, *order)
        .sortWithinPartitions(*order)
        .select(
            "rule",
            "key",
            "row",
            "window",
            F.spark_partition_id().alias("pid"),
            F.monotonically_increasing_id().alias("mid"),
        )
        .persist()
    )
    spans = ided.groupBy("rule", "key", "pid").agg(
        F.count(F.lit(1)).alias("n"), F.min("mid").alias("first")
    )
    shifts: list[tuple[int, str, int, int]] = []
    seen: dict[tuple[int, str], int] = {}
    for span in sorted(spans.collect(), key=lambda r: (r["rule"], r["key"], r["pid"])):
        block = (span["rule"], span["key"])
        before = seen.get(block, 0)
        shifts.append((span["rule"], span["key"], span["pid"], before - span["first"]))
        seen[block] = before + span["n"]
    table = spark.createDataFrame(
        [(rule, key, pid, shift, seen[(rule, key)]) for rule, key, pid, shift in shifts],
        "rule int, key string, pid int, shift long, size long",
    )
    placed = ided.join(F.broadcast(table), ["rule", "key", "pid"]).select(
        "rule", "key", "row", "window", "size", (F.col("mid") + F.col("shift")).alias("place")
    )
    reach = F.least(F.col("window") - 1, F.col("size") - 1 - F.col("place"))
    ahead = (
        placed.withColumn("reach", reach)
        .where(F.col("reach") >= 1)
        .select("rule", "key", "row", "place", F.explode(F.sequence(F.lit(1), "reach")).alias("d"))
        .select("rule", "key", "row", (F.col("place") + F.col("d")).alias("target"))
    )
    others = placed.select(
        "rule", "key", F.col("place").alias("target"), F.col("row").alias("other")
    )
    return ahead.join(others, ["rule", "key", "target"]).select("rule", "row", "other")


def candidate_pairs(
    spark: SparkSession,
    std: DataFrame,
    settings: MatchSettings,
    *,
    partitions: int,
    max_block: int = DEFAULT_MAX_BLOCK,
    warn: Callable[[str], None] | None = None,
) -> DataFrame:
    """Every candidate pair ``(l, r, rule)``, ``l < r``, once, with the first rule finding it."""
    if not settings.blocking:
        return spark.createDataFrame([], "l long, r long, rule int")
    keyed = _keyed(std, settings)
    sizes = keyed.groupBy("rule", "key").agg(F.count(F.lit(1)).alias("size"))
    shared = keyed.join(sizes.where(F.col("size") >= 2), ["rule", "key"])
    widest = max(rule.window for rule in settings.blocking)
    large = sizes.where(F.col("size") > max_block).orderBy("rule", "key").collect()
    for block in large:
        name = settings.blocking[block["rule"]].name
        if warn is not None:
            warn(
                f"blocking rule {name!r}: a block of {block['size']} records (over "
                f"{max_block}) is split over tasks by sort order; its pairs are unchanged"
            )
    small_pairs = _small_block_pairs(shared.where(F.col("size") <= max_block), widest)
    pairs = small_pairs
    if large:
        big = shared.where(F.col("size") > max_block).drop("size")
        pairs = pairs.unionByName(_large_block_pairs(spark, big, partitions))
    return (
        pairs.select(
            F.least("row", "other").alias("l"), F.greatest("row", "other").alias("r"), "rule"
        )
        .groupBy("l", "r")
        .agg(F.min("rule").alias("rule"))
    )
