"""Input files into Spark, numbered in file order, standardized by the local kernels.

CSV (a header row, RFC 4180 quoting: a doubled quote inside a quoted cell), JSON Lines
(as ``mdm load`` reads them: ``{"source_id": ..., "record": {...}}`` or the record with
its ``source_id`` or ``id`` inside) and Parquet (flat columns, read as text). A path may
be one file or a directory of part files.

Rows are numbered in file order without a shuffle: each partition's rows are counted
once, and a row's number is the rows of the partitions before it plus its offset in its
own (``monotonically_increasing_id`` keeps it). Spark reads one file's splits in order,
so the numbers are the local engine's row indices, and the cluster ids (the first
record of each cluster in input order) agree. For a directory, the order is Spark's
order of its part files.

CSV cells holding a line break need ``multi_line`` (Spark then reads each file in one
task): off by default, as one task per file does not scale.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from matching.settings import MatchSettings
from matching.spark.kernels import Kernels, std_columns

__all__ = ["FORMATS", "input_columns", "input_format", "read_standardized", "std_schema"]

FORMATS = ("csv", "jsonl", "parquet")

_MID_BITS = 33  # monotonically_increasing_id: partition index << 33 | record number


def input_format(path: str, given: str | None = None) -> str:
    """``csv``, ``jsonl`` or ``parquet``: the one given, else from the path's suffix."""
    if given:
        if given not in FORMATS:
            raise ValueError(f"input format must be one of {', '.join(FORMATS)}, not {given!r}")
        return given
    name = path.rstrip("/").lower()
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return "csv"


def std_schema(settings: MatchSettings) -> str:
    """The DDL schema of the standardized table :meth:`Kernels.standardized` makes."""
    columns = ["row long", "id string"]
    columns += [f"`{name}` string" for name in std_columns(settings)]
    columns.append("sort string")
    columns += [f"k{i} string" for i in range(len(settings.blocking))]
    return ", ".join(columns)


def _raw(spark: SparkSession, path: str, fmt: str, multi_line: bool) -> DataFrame:
    if fmt == "jsonl":
        lines = spark.read.text(path)
        return lines.where(F.trim("value") != "")
    if fmt == "parquet":
        frame = spark.read.parquet(path)
        return frame.select(*[F.col(f"`{c}`").cast("string").alias(c) for c in frame.columns])
    return (
        spark.read.option("header", True)
        .option("escape", '"')
        .option("multiLine", multi_line)
        .option("inferSchema", False)
        .option("encoding", "UTF-8")
        .csv(path)
    )


def input_columns(spark: SparkSession, path: str, fmt: str | None = None) -> list[str] | None:
    """The columns of a CSV or Parquet input (its header), None for JSON Lines."""
    kind = input_format(path, fmt)
    return None if kind == "jsonl" else _raw(spark, path, kind, False).columns


def numbered(frame: DataFrame) -> DataFrame:
    """``frame`` with ``row``: 0, 1, 2 ... in the order Spark reads it, no shuffle."""
    ided = frame.withColumn("_pid", F.spark_partition_id()).withColumn(
        "_mid", F.monotonically_increasing_id()
    )
    counts: dict[int, int] = dict(ided.groupBy("_pid").count().collect())
    offsets, total = [], 0
    for pid in range(max(counts, default=-1) + 1):
        offsets.append(total)
        total += counts.get(pid, 0)
    start = F.element_at(F.array(*[F.lit(o) for o in offsets or [0]]), F.col("_pid") + 1)
    local = F.col("_mid") - F.col("_pid").cast("long") * (1 << _MID_BITS)
    return ided.withColumn("row", (start + local).cast("long")).drop("_pid", "_mid")


def read_standardized(
    spark: SparkSession,
    path: str,
    kernels: Kernels,
    *,
    fmt: str | None = None,
    multi_line: bool = False,
) -> DataFrame:
    """Every record of ``path`` standardized: ``row``, ``id``, the standardized columns,
    ``sort`` and one blocking key per rule (:meth:`Kernels.standardized`)."""
    kind = input_format(path, fmt)
    raw = numbered(_raw(spark, path, kind, multi_line))
    schema = std_schema(kernels.settings)
    if kind == "jsonl":
        return raw.select("value", "row").mapInArrow(kernels.standardize_lines, schema)
    return raw.mapInArrow(kernels.standardize_rows, schema)
