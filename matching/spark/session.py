"""The Spark session the engine runs in: a classic one (``--spark-master``) or a Spark
Connect one (``--spark-remote sc://...``). The engine uses the DataFrame API alone (no
RDDs, no ``sparkContext``), so both kinds run it unchanged.

Executors run the engine's Python kernels, so the package must be importable where they
run: in local mode they use this interpreter; on a cluster install ``golden-record-hub``
on the executors (docs/how-to/spark.md).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping

from pyspark.sql import SparkSession

__all__ = ["DEFAULT_CONFIG", "spark_session"]

DEFAULT_CONFIG: dict[str, str] = {
    # adaptive execution coalesces small shuffle partitions and splits skewed joins
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.skewJoin.enabled": "true",
    # Arrow batches for the kernels: 10,000 pairs a batch keeps a batch's table small
    "spark.sql.execution.arrow.maxRecordsPerBatch": "10000",
    "spark.sql.execution.pythonUDF.arrow.enabled": "true",
    # shuffle and spill files compressed by zstd: about a third smaller than lz4's on these
    # tables of text, and the candidate pairs' join is most of a run's disk
    "spark.io.compression.codec": "zstd",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def _from_environment() -> dict[str, str]:
    """``MDM_SPARK_CONF``: a JSON object of Spark settings (``{"spark.executor.memory": "8g"}``)."""
    raw = os.environ.get("MDM_SPARK_CONF", "").strip()
    if not raw:
        return {}
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise ValueError("MDM_SPARK_CONF must be a JSON object of Spark settings")
    return {str(k): str(v) for k, v in parsed.items()}


def spark_session(
    *,
    master: str = "local[*]",
    remote: str | None = None,
    config: Mapping[str, str] | None = None,
    app_name: str = "mdm-dedupe",
) -> SparkSession:
    """A session on ``remote`` (Spark Connect) if given, else a classic one on ``master``."""
    settings = {**DEFAULT_CONFIG, **_from_environment(), **(config or {})}
    if (remote or master).startswith("local"):
        # the executors of local mode (and of a local Connect server, ``--spark-remote
        # local``) are Python processes of this interpreter's
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app_name)
    builder = builder.remote(remote) if remote else builder.master(master)
    if remote and remote.startswith("local"):
        # the Connect server pyspark starts for ``--spark-remote local``: loopback only
        settings.setdefault("spark.connect.grpc.binding.address", "127.0.0.1")
    for key, value in settings.items():
        if remote and key.startswith("spark.ui") and not remote.startswith("local"):
            continue
        builder = builder.config(key, value)
    return builder.getOrCreate()
