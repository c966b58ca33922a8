"""``--engine`` and the ``--spark-*`` options, the same on ``mdm dedupe``, ``mdm load
--initial`` and ``mdm matching rematch``: where the batch matching step runs."""

from __future__ import annotations

from typing import Annotated

import typer

from canonical.commands import BatchEngine
from mdm.domain.batch_engine import ENGINES, SPARK_MISSING, spark_available

__all__ = [
    "Engine",
    "Master",
    "Partitions",
    "Remote",
    "WorkDir",
    "batch_engine",
]

Engine = Annotated[
    str, typer.Option("--engine", help="local (this machine) or spark (needs mdm[spark])")
]
Master = Annotated[str, typer.Option("--spark-master", help="Spark master URL")]
Remote = Annotated[
    str | None, typer.Option("--spark-remote", help="Spark Connect URL (sc://host:15002)")
]
Partitions = Annotated[
    int, typer.Option("--spark-partitions", min=1, help="shuffle partitions of the Spark jobs")
]
WorkDir = Annotated[
    str | None,
    typer.Option("--spark-work-dir", help="intermediate tables (default: a temporary directory)"),
]


def batch_engine(
    engine: str, master: str, remote: str | None, partitions: int, work_dir: str | None
) -> BatchEngine:
    """The options as a :class:`BatchEngine`; exits 2 on an unknown engine, or on
    ``spark`` where PySpark is not installed, before anything is read."""
    if engine not in ENGINES:
        typer.echo(f"error: --engine must be one of {', '.join(ENGINES)}", err=True)
        raise typer.Exit(2)
    if engine == "spark" and not spark_available():
        typer.echo(f"error: {SPARK_MISSING}", err=True)
        raise typer.Exit(2)
    return BatchEngine(engine, master, remote, partitions, work_dir)
