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
task): off by default, as one task per file does not scale. A CSV that is one local file
is looked at first (:func:`sniff_csv`), as ``mdm dedupe``'s local reader reads it: one
that is not UTF-8 is read as Windows-1252 (with a warning), and one with a line break
inside a quoted cell is read with ``multi_line``.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from matching.settings import MatchSettings
from matching.spark.kernels import Kernels, std_columns

__all__ = [
    "FALLBACK_ENCODING",
    "FORMATS",
    "input_columns",
    "input_format",
    "read_standardized",
    "sniff_csv",
    "std_schema",
]

FALLBACK_ENCODING = "windows-1252"
"""What a CSV that is not UTF-8 is read as (as ``mdm dedupe``'s local reader does)."""

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


def sniff_csv(path: str) -> tuple[str, bool] | None:
    """(encoding, whether a quoted cell holds a line break) of a local CSV file, read once
    in binary; None for a directory or a path that is not local. A physical line with an
    odd number of quotes opens a quoted cell it does not close (a doubled quote inside a
    cell counts two)."""
    file = Path(path)
    if "://" in path or not file.is_file():
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, open_quote = True, False
    with file.open("rb") as handle:
        for line in handle:
            if utf8:
                try:
                    decoder.decode(line)
                except UnicodeDecodeError:
                    utf8 = False
            if line.count(b'"') % 2:
                open_quote = True
            if open_quote and not utf8:
                break
    return ("UTF-8" if utf8 else FALLBACK_ENCODING), open_quote


def _raw(
    spark: SparkSession, path: str, fmt: str, multi_line: bool, encoding: str = "UTF-8"
) -> DataFrame:
    if fmt == "jsonl":
        lines = spark.read.text(path)
        return lines.where(F.trim("value") != "")
    if fmt == "parquet":
        frame = spark.read.parquet(path)
        return frame.select(*[F.col(f"`{c}`").cast("string").alias(c) for c in frame.columns])
    if encoding != "UTF-8":  # Spark 4 reads the charsets of the JDK only when asked to
        spark.conf.set("spark.sql.legacy.javaCharsets", "true")
    frame = (
        spark.read.option("header", True)
        .option("escape", '"')
        .option("multiLine", multi_line)
        .option("inferSchema", False)
        .option("encoding", encoding)
        .csv(path)
    )
    bom = [c for c in frame.columns if c.startswith("\ufeff")]  # a UTF-8 byte order mark
    for name in bom:
        frame = frame.withColumnRenamed(name, name.lstrip("\ufeff"))
    return frame


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
    warn: Callable[[str], None] | None = None,
) -> DataFrame:
    """Every record of ``path`` standardized: ``row``, ``id``, the standardized columns,
    ``sort`` and one blocking key per rule (:meth:`Kernels.standardized`)."""
    kind = input_format(path, fmt)
    encoding = "UTF-8"
    sniffed = sniff_csv(path) if kind == "csv" else None
    if sniffed is not None:
        encoding, breaks = sniffed
        multi_line = multi_line or breaks
        if encoding != "UTF-8" and warn is not None:
            warn(f"{path} is not UTF-8; reading it as {encoding}")
    raw = numbered(_raw(spark, path, kind, multi_line, encoding))
    schema = std_schema(kernels.settings)
    if kind == "jsonl":
        return raw.select("value", "row").mapInArrow(kernels.standardize_lines, schema)
    return raw.mapInArrow(kernels.standardize_rows, schema)
