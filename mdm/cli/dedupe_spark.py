"""``mdm dedupe --engine spark``: the same command on Apache Spark (:mod:`matching.spark`).

Needs the ``spark`` extra (``pip install 'golden-record-hub[spark]'``: PySpark and Java
17). The input may be CSV, JSON Lines or Parquet, a file or a directory of part files;
the output (and ``--pairs``) is a directory of Parquet or CSV part files, by its suffix.
The readers that turn rows into standardized records are ``mdm dedupe``'s own
(:func:`.dedupe_input.rows_table`), shipped to the executors.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

import typer

from canonical.flat import ID_COLUMNS, id_column
from matching.batch import table_fields
from matching.settings import MatchSettings
from mdm.cli.dedupe_input import lines_table, rows_table

__all__ = ["SparkChoice", "run_spark"]


@dataclass(frozen=True, slots=True)
class SparkChoice:
    """Where and how the Spark engine runs (the ``--spark-*`` options)."""

    master: str = "local[*]"
    remote: str | None = None
    partitions: int = 8
    work_dir: str | None = None
    input_format: str | None = None
    output_format: str | None = None


def _missing() -> typer.BadParameter:
    return typer.BadParameter(
        "--engine spark needs PySpark: pip install 'golden-record-hub[spark]' (and Java 17)"
    )


def run_spark(
    source: str,
    output: str,
    settings: MatchSettings,
    *,
    entity: str,
    choice: SparkChoice,
    train: bool,
    pairs: Path | None,
    pairs_min_probability: float | None,
) -> None:
    """Dedupe ``source`` on Spark and write the clusters (and pairs) to ``output``."""
    try:
        from matching.spark.engine import (
            SparkOptions,
            cleanup,
            spark_dedupe,
            write_clusters,
            write_pairs,
        )
        from matching.spark.inputs import input_columns
        from matching.spark.kernels import Kernels
        from matching.spark.session import spark_session
    except ImportError as exc:
        raise _missing() from exc
    fields = tuple(table_fields(settings))
    kernels = Kernels(
        settings, partial(rows_table, entity, fields), partial(lines_table, entity, fields)
    )
    spark = spark_session(master=choice.master, remote=choice.remote)
    options = SparkOptions(
        partitions=choice.partitions, work_dir=choice.work_dir, input_format=choice.input_format
    )
    columns = input_columns(spark, source, choice.input_format)
    if columns is not None and id_column(columns) is None:
        raise typer.BadParameter(
            f"{source}: the header must have an id column ({', '.join(ID_COLUMNS)})"
        )
    where = choice.remote or choice.master
    typer.echo(f"running on Spark {spark.version} ({where}) ...", err=True)
    try:
        run = spark_dedupe(
            spark,
            source,
            kernels,
            train=train,
            options=options,
            pair_min_probability=pairs_min_probability,
            want_pairs=pairs is not None,
            warn=lambda text: typer.echo(f"warning: {text}", err=True),
        )
    except ValueError as exc:
        raise typer.BadParameter(f"{source}: {exc}") from exc
    try:
        write_clusters(run, output, choice.output_format)
        if pairs is not None:
            write_pairs(run, str(pairs), choice.output_format)
    finally:
        cleanup(run)
    stats = run.stats
    typer.echo(
        f"{stats['records']} records -> {stats['clusters']} clusters; {stats['links']} links, "
        f"{stats['review_pairs']} pairs for review (clustered on the {stats['clustered_on']}); "
        f"settings {run.settings.version}",
        err=True,
    )
    steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in run.stages.items())
    typer.echo(f"spark steps: {steps}", err=True)
