"""The engine that runs an initial load's or a rematch's batch matching step.

Both take a :class:`matching.batch.TableDedupe`: :func:`matching.batch.dedupe_table` on
this machine, or :func:`matching.spark.table.spark_dedupe_table` on Spark
(``--engine spark``, the ``spark`` extra). Either gives the same
:class:`~matching.batch.DedupeResult`, and everything after it is one implementation.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from canonical.commands import BatchEngine
from canonical.errors import FieldError, InvalidInput
from matching.batch import DedupeResult, TableDedupe, dedupe_table
from matching.settings import MatchSettings
from matching.table import RecordTable

__all__ = ["ENGINES", "SPARK_MISSING", "spark_available", "table_dedupe"]

ENGINES = ("local", "spark")

SPARK_MISSING = (
    "--engine spark needs PySpark: pip install 'golden-record-hub[spark]' "
    "(the mdm[spark] extra) and Java 17"
)


def spark_available() -> bool:
    """Whether PySpark (the ``spark`` extra) can be imported here."""
    return importlib.util.find_spec("pyspark") is not None


def table_dedupe(engine: BatchEngine | None) -> TableDedupe:
    """The batch engine ``engine`` names (None: this machine's). The Spark session starts
    when the step runs, not before: a load refused earlier starts no JVM."""
    if engine is None or engine.name == "local":
        return dedupe_table
    if engine.name != "spark":
        raise InvalidInput(
            f"unknown batch engine '{engine.name}'",
            [FieldError("/engine", f"must be one of {', '.join(ENGINES)}")],
        )
    if not spark_available():
        raise InvalidInput(SPARK_MISSING, [FieldError("/engine", SPARK_MISSING)])
    return _SparkDedupe(engine)


class _SparkDedupe:
    """:func:`matching.spark.table.spark_dedupe_table` in a session on ``engine``."""

    def __init__(self, engine: BatchEngine) -> None:
        self.engine = engine

    def __call__(
        self, table: RecordTable, settings: MatchSettings, *, train_model: bool
    ) -> DedupeResult:
        from matching.spark.engine import SparkOptions
        from matching.spark.session import spark_session
        from matching.spark.table import spark_dedupe_table

        engine = self.engine
        spark: Any = spark_session(master=engine.master, remote=engine.remote)
        options = SparkOptions(partitions=engine.partitions, work_dir=engine.work_dir)
        return spark_dedupe_table(spark, table, settings, train_model=train_model, options=options)
