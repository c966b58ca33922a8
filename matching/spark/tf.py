"""Term-frequency tables from Spark aggregates, as :mod:`matching.tf_tables` makes them.

Per term-frequency field one ``groupBy`` counts each value (and its first row, which
breaks ties as the local engine's value order does); only the values a table can keep
(the most common ``limit``, or ``exclusive_limit`` for ``tf_exclusive`` fields) and three
numbers (all records with a value, distinct values, the rarest value's count) reach the
driver. The shares are then computed as :func:`matching.tf_tables.top_term_frequencies`
and :func:`~matching.tf_tables.rest_term_frequencies` compute them, from the same counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from matching.settings import MatchSettings
from matching.spark.kernels import std_columns
from matching.tf_tables import EXCLUSIVE_LIMIT

__all__ = ["term_frequencies"]


@dataclass(frozen=True, slots=True)
class _Counted:
    values: list[str]  # most common first, ties by first row
    counts: npt.NDArray[np.float64]
    total: int  # records holding a value
    distinct: int
    rarest: int


def _counted(std: DataFrame, name: str, limit: int) -> _Counted:
    per_value = (
        std.where(F.col(f"`{name}`").isNotNull())
        .groupBy(F.col(f"`{name}`").alias("value"))
        .agg(F.count(F.lit(1)).alias("n"), F.min("row").alias("first"))
    )
    summary = per_value.agg(
        F.sum("n").alias("total"), F.count(F.lit(1)).alias("distinct"), F.min("n").alias("rarest")
    ).collect()[0]
    top = per_value.orderBy(F.desc("n"), "first").limit(limit).collect()
    return _Counted(
        [r["value"] for r in top],
        np.array([r["n"] for r in top], dtype=np.float64),
        int(summary["total"] or 0),
        int(summary["distinct"] or 0),
        int(summary["rarest"] or 0),
    )


def term_frequencies(
    std: DataFrame, settings: MatchSettings, size: int, *, limit: int = 2000
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """(stored shares, share of the rest) of trained ``settings`` on the records ``std``."""
    present = set(std_columns(settings))
    cache: dict[tuple[str, int], _Counted] = {}

    def counted(name: str, wanted: int) -> _Counted:
        if (name, wanted) not in cache:
            cache[(name, wanted)] = _counted(std, name, wanted)
        return cache[(name, wanted)]

    top: dict[str, dict[str, float]] = {}
    per_entity = 1.0 + settings.prior * (size - 1)
    for comp in settings.comparisons:
        for level in comp.levels:
            name = level.field or comp.fields[0]
            if level.kind != "exact" or not level.tf_adjustment or name not in present:
                continue
            got = counted(name, EXCLUSIVE_LIMIT if level.tf_exclusive else limit)
            if level.tf_exclusive:
                shares = np.maximum(got.counts - per_entity, 0.0) / max(float(got.total), 1.0)
                floor = 0.0
            else:
                shares = got.counts / max(got.total, 1)
                floor = -1.0 if level.tf_upweight else level.u
            keep = [i for i in range(len(got.values)) if shares[i] > floor]
            top[name] = {got.values[i]: float(shares[i]) for i in keep}
    rest: dict[str, float] = {}
    for comp in settings.comparisons:
        for level in comp.levels:
            name = level.field or comp.fields[0]
            if not level.tf_upweight or name not in present:
                continue
            got = counted(name, limit)
            kept = top.get(name, {})
            left_out = got.distinct - len(kept)
            mass = max(1.0 - sum(kept.values()), 0.0)
            smallest = got.rarest / max(got.total, 1) if got.distinct else 1.0
            rest[name] = mass / left_out if left_out > 0 else float(smallest)
    return top, rest
