"""A standardized table deduped on Spark, with the answer the local engine gives.

:func:`spark_dedupe_table` is the Spark engine behind the same seam as
:func:`matching.batch.dedupe_table` (:class:`matching.batch.TableDedupe`): a
:class:`~matching.table.RecordTable` and settings in, a
:class:`~matching.batch.DedupeResult` out, row ``r`` of the result being row ``r`` of the
table. ``mdm load --initial --engine spark`` and ``mdm matching rematch --engine spark``
pass it where they would pass the local engine, and everything after it (the bulk write,
the rematch's impact and ``--apply``) is the same code.

The table goes to Spark as Arrow (its rows numbered, each with the standardized columns
the kernels read), the blocking keys are made on the executors (:meth:`Kernels.keyed`),
and :func:`matching.spark.engine.dedupe_standardized` blocks, compares, trains, scores
and clusters. What comes back to the driver is a row's cluster, strongest link and its
other side (rows with a kept pair only), the pairs for review, and the few candidate
pairs with evidence of one group of organisations (:func:`matching.batch.related_parties`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable

import numpy as np
import pyarrow as pa
from pyspark.sql import SparkSession

from matching.batch import DedupeResult, dedupe_table, related_parties
from matching.settings import MatchSettings
from matching.spark.clusters import as_arrays
from matching.spark.engine import SparkOptions, SparkRun, dedupe_standardized
from matching.spark.inputs import std_schema
from matching.spark.kernels import Kernels, std_columns
from matching.table import RecordTable

__all__ = ["spark_dedupe_table"]


def _frame(table: RecordTable, settings: MatchSettings) -> pa.Table:
    names = std_columns(settings)
    columns = {
        "row": pa.array(np.arange(table.size, dtype=np.int64)),
        "id": pa.array([str(r) for r in range(table.size)], pa.string()),
    }
    for name in names:
        columns[name] = pa.array(table.values(name), pa.string())
    return pa.table(columns)


def spark_dedupe_table(
    spark: SparkSession,
    table: RecordTable,
    settings: MatchSettings,
    *,
    train_model: bool = True,
    options: SparkOptions | None = None,
    warn: Callable[[str], None] | None = None,
) -> DedupeResult:
    """:func:`matching.batch.dedupe_table` on Spark (module docstring)."""
    if table.size < 2:  # nothing to pair: no job to start
        return dedupe_table(table, settings, train_model=train_model)
    opts = options or SparkOptions()
    work = opts.work_dir or tempfile.mkdtemp(prefix="mdm-spark-")
    try:
        kernels = Kernels(settings)
        rows = spark.createDataFrame(_frame(table, settings))
        rows = rows.repartition(opts.partitions, "row")
        std = rows.mapInArrow(kernels.keyed, std_schema(settings))
        std.write.mode("overwrite").parquet(f"{work}/standardized")
        run = dedupe_standardized(
            spark,
            spark.read.parquet(f"{work}/standardized"),
            kernels,
            train=train_model,
            options=opts,
            work=work,
            warn=warn,
        )
        return _result(run, table.size)
    finally:
        if opts.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _result(run: SparkRun, size: int) -> DedupeResult:
    """The run's clusters as the local engine's :class:`DedupeResult` of ``size`` rows."""
    result = as_arrays(run.linked, size, run.settings)
    result.stats = {
        "candidate_pairs": run.stats["candidate_pairs"],
        **result.stats,
        "settings_version": run.settings.version,
    }
    group = run.compared.where("group != 0").select("l", "r", "group").toArrow()
    result.related_parties = related_parties(
        group.column("l").to_numpy(),
        group.column("r").to_numpy(),
        group.column("group").to_numpy().astype(np.int8),
        result,
    )
    return result
