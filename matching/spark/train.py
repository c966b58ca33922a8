"""Training in Spark: the local engine's model, estimated from Spark aggregates.

What :func:`matching.batch_training.fit` reads is counted here and nothing else moves
to the driver: per blocking rule the comparison vectors of (a sample of) the pairs in
its blocks, grouped and counted (``groupBy`` over the vectors), not one job per EM
iteration; the share of each level among random pairs for ``u``; which comparisons have
values; and per term-frequency field its values' counts (top values only). EM, the
prior and the term-frequency tables are then the local engine's own functions on those
counts. Where the local engine samples (a rule with more pairs than ``em_pairs_per_rule``,
more candidates than ``prior_pairs``) a pair is drawn by a hash of its two rows and the
rule, so the sample is the same whatever the partitioning; where it does not, the counts
and so the trained settings are the local engine's exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from matching.batch_training import TrainingCounts, fit
from matching.sampling import PAIR_CHUNK, random_pair_chunk
from matching.settings import MatchSettings
from matching.spark.kernels import std_columns
from matching.spark.tf import term_frequencies
from matching.training import PatternCounts, level_shares

__all__ = ["train_in_spark"]

FloatArray = npt.NDArray[np.float64]
_UNIT = float(1 << 53)


def _uniform(seed: int) -> Any:
    """A number in [0, 1) per pair, from its rows and ``seed`` alone."""
    return F.xxhash64("l", "r", F.lit(seed)).bitwiseAND(F.lit((1 << 53) - 1)) / F.lit(_UNIT)


def _patterns(rows: list[Any], width: int) -> PatternCounts:
    """Counted vectors as the local engine's :meth:`PatternCounts.add` leaves them (in
    the byte order of the vectors, so EM adds them up in the same order)."""
    counts = PatternCounts.empty(width)
    items = sorted(
        (np.array([row[f"g{c}"] for c in range(width)], dtype=np.int8).tobytes(), row["n"])
        for row in rows
    )
    for key, n in items:
        counts.patterns[key] = int(n)
    return counts


def _rule_counts(
    compared: DataFrame, settings: MatchSettings, limit: int, prior_limit: int, seed: int
) -> tuple[list[tuple[int, PatternCounts, int]], PatternCounts, int]:
    width = len(settings.comparisons)
    rules = len(settings.blocking)
    bits = F.array(
        *[F.when(F.col("blocks").bitwiseAND(F.lit(1 << j)) != 0, F.lit(j)) for j in range(rules)]
    )
    sizes: dict[int, int] = (
        dict(
            compared.select(F.explode(bits).alias("j"))
            .where(F.col("j").isNotNull())
            .groupBy("j")
            .count()
            .collect()
        )
        if rules
        else {}
    )
    total = compared.count()
    chosen = []
    for j in range(rules):
        n = sizes.get(j, 0)
        inside = (F.col("blocks").bitwiseAND(F.lit(1 << j))) != 0
        if n > limit:
            inside = inside & (_uniform(seed * 1000 + j) < F.lit(limit / n))
        chosen.append(F.when(inside, F.lit(j)))
    everyone = (
        F.lit(True) if total <= prior_limit else _uniform(seed * 1000 - 1) < prior_limit / total
    )
    chosen.append(F.when(everyone, F.lit(-1)))
    gammas = [f"g{c}" for c in range(width)]
    counted = (
        compared.select(F.explode(F.array(*chosen)).alias("j"), *gammas)
        .where(F.col("j").isNotNull())
        .groupBy("j", *gammas)
        .agg(F.count(F.lit(1)).alias("n"))
        .collect()
    )
    by_rule: dict[int, list[Any]] = {}
    for row in counted:
        by_rule.setdefault(row["j"], []).append(row)
    per_rule = [
        (j, _patterns(by_rule.get(j, []), width), int(sizes[j]))
        for j in range(rules)
        if sizes.get(j, 0)
    ]
    return per_rule, _patterns(by_rule.get(-1, []), width), total


def _u(
    spark: SparkSession,
    std: DataFrame,
    settings: MatchSettings,
    size: int,
    compare: Callable[[DataFrame], DataFrame],
    *,
    max_pairs: int,
    fuzzy_pairs: int,
    seed: int,
) -> list[FloatArray]:
    """:func:`matching.training.estimate_u` with its two passes over random pairs done
    in Spark: every level on the first ``fuzzy_pairs``, exact agreement on them all."""
    if size < 2:
        return [np.array([lv.u for lv in c.levels]) for c in settings.comparisons]
    count = min(max_pairs, size * (size - 1) // 2)
    small = min(fuzzy_pairs, count)
    pairs = _random_pairs(spark, size, count, seed)
    compared = compare(pairs.where(F.col("n") < small).select("l", "r", F.lit(-1).alias("rule")))
    width = len(settings.comparisons)
    levels = compared.groupBy(*[f"g{c}" for c in range(width)]).count().collect()
    out: list[FloatArray] = []
    exact_cols = _exact_columns(settings)
    rates = _exact_rates(pairs, std, settings, exact_cols) if count > small else {}
    for col, comp in enumerate(settings.comparisons):
        tally = np.zeros(len(comp.levels))
        for row in levels:
            tally[row[f"g{col}"]] += row["count"]
        shares = level_shares(comp, np.arange(len(comp.levels), dtype=np.int8), tally)
        if col in rates:
            agree, present = rates[col]
            rate = (agree + 1) / (present + 2)
            exact = exact_cols[col]
            first = 1 if comp.levels[0].kind == "null" else 0
            rest = [i for i in range(first, len(shares)) if i != exact]
            scale = (1.0 - rate) / max(float(shares[rest].sum()), 1e-300)
            shares[rest] *= scale
            shares[exact] = rate
        out.append(shares)
    return out


def _random_pairs(spark: SparkSession, size: int, count: int, seed: int) -> DataFrame:
    """:func:`matching.sampling.random_pairs` as a table (``n``, ``l``, ``r``), each chunk
    drawn by a task of its own: nothing is shipped from the driver."""
    chunks = -(-count // PAIR_CHUNK)

    def draw(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for index in batch.column(0).to_pylist():
                left, right = random_pair_chunk(size, count, seed, index)
                start = index * PAIR_CHUNK
                for at in range(0, len(left), 100_000):
                    part = slice(at, at + 100_000)
                    yield pa.RecordBatch.from_pydict(
                        {
                            "n": np.arange(start + at, start + at + len(left[part])),
                            "l": left[part],
                            "r": right[part],
                        }
                    )

    return spark.range(0, chunks, 1, chunks).mapInArrow(draw, "n long, l long, r long")


def _exact_columns(settings: MatchSettings) -> dict[int, int]:
    """Comparisons with exactly one exact level on their own field: column -> level."""
    out = {}
    for col, comp in enumerate(settings.comparisons):
        exact = [i for i, lv in enumerate(comp.levels) if lv.kind == "exact" and not lv.field]
        if len(exact) == 1:
            out[col] = exact[0]
    return out


def _both_sides(pairs: DataFrame, std: DataFrame, names: list[str]) -> DataFrame:
    """The random ``pairs`` with the ``names`` columns of both records (``a_*``, ``b_*``).

    Sort-merge joins, by hint. Drawn by ``mapInArrow`` over a few task numbers, the
    pairs' size is unknown to Spark's planner, which took them for a small table and
    broadcast them: 5 million pairs, more than Spark's default 1 GB driver holds."""
    side = std.select("row", *[F.col(f"`{n}`") for n in names])
    left = side.select(F.col("row").alias("l"), *[F.col(f"`{n}`").alias(f"a_{n}") for n in names])
    right = side.select(F.col("row").alias("r"), *[F.col(f"`{n}`").alias(f"b_{n}") for n in names])
    return pairs.hint("merge").join(left, "l").hint("merge").join(right, "r")


def _exact_rates(
    pairs: DataFrame, std: DataFrame, settings: MatchSettings, columns: dict[int, int]
) -> dict[int, tuple[int, int]]:
    """Per comparison of ``columns``: random pairs agreeing exactly on its field, and
    pairs with every one of its fields on both sides."""
    names = sorted({f for col in columns for f in settings.comparisons[col].fields})
    joined = _both_sides(pairs, std, names)
    sums = []
    for col in columns:
        fields = settings.comparisons[col].fields
        present = F.lit(True)
        for name in fields:
            present = present & F.col(f"a_{name}").isNotNull() & F.col(f"b_{name}").isNotNull()
        agree = present & (F.col(f"a_{fields[0]}") == F.col(f"b_{fields[0]}"))
        sums.append(F.sum(agree.cast("long")).alias(f"agree{col}"))
        sums.append(F.sum(present.cast("long")).alias(f"present{col}"))
    row = joined.agg(*sums).collect()[0]
    return {col: (int(row[f"agree{col}"] or 0), int(row[f"present{col}"] or 0)) for col in columns}


def _present(std: DataFrame, settings: MatchSettings) -> list[bool]:
    names = [n for n in std_columns(settings)]
    row = std.agg(*[F.count(F.col(f"`{n}`")).alias(n) for n in names]).collect()[0]
    return [all(int(row[f]) > 1 for f in c.fields) for c in settings.comparisons]


def train_in_spark(
    spark: SparkSession,
    std: DataFrame,
    compared: DataFrame,
    settings: MatchSettings,
    size: int,
    compare: Callable[[DataFrame], DataFrame],
    *,
    em_pairs_per_rule: int = 150_000,
    prior_pairs: int = 500_000,
    u_pairs: int = 5_000_000,
    fuzzy_u_pairs: int = 300_000,
    seed: int = 0,
) -> MatchSettings:
    """Settings trained on the standardized records ``std`` whose candidate pairs'
    vectors are ``compared``, as :func:`matching.batch_training.train_on_candidates`."""
    u = _u(
        spark, std, settings, size, compare, max_pairs=u_pairs, fuzzy_pairs=fuzzy_u_pairs, seed=seed
    )
    per_rule, everything, total = _rule_counts(
        compared, settings, em_pairs_per_rule, prior_pairs, seed
    )
    counts = TrainingCounts(size, total, _present(std, settings), per_rule)
    return fit(
        settings,
        counts,
        u,
        everything,
        lambda trained: term_frequencies(std, trained, size),
        u_pairs=u_pairs,
    )
