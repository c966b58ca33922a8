"""The Spark lane: ``pip install -e '.[spark]'`` then ``pytest -m spark -p no:xdist``.

These tests start a local Spark (a JVM and Python workers), so they run only when asked
for with ``-m spark``, and skip with the reason when PySpark or Java is missing: the
default ``make test`` neither runs nor needs them.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.spark.helpers import TEST_JVM

LANE = "Spark tests run in their own lane: pip install -e '.[spark]'; pytest -m spark -p no:xdist"


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None:
        return "Java 17 is not installed (Spark needs a JVM)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expr = config.option.markexpr or ""
    wanted = "spark" in expr and "not spark" not in expr
    reason = _missing() if wanted else LANE
    if reason is None:
        return
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def work_under_pytest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The engine's temporary work directories (``mdm-spark-*``) go under pytest's own
    temporary directory, which pytest prunes, and not straight under /tmp."""
    before = tempfile.tempdir
    tempfile.tempdir = str(tmp_path_factory.mktemp("spark-work"))
    yield Path(tempfile.tempdir)
    tempfile.tempdir = before


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from matching.spark.session import spark_session

    # small input splits, so even a test file is read in several partitions and the rows
    # are numbered across them
    session = spark_session(
        master="local[2]",
        config={
            "spark.sql.files.maxPartitionBytes": "32k",
            "spark.sql.files.openCostInBytes": "4k",
            "spark.driver.memory": "1g",
            **TEST_JVM,
        },
    )
    yield session
    session.stop()
