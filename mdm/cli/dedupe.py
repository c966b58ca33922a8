"""``mdm dedupe``: batch dedupe of a CSV or JSON Lines file with the matching engine.

This module only does file handling and the progress bar; the work is the
pure :func:`matching.batch.dedupe_table`. The file is read as ``mdm load`` reads it
(:mod:`mdm.domain.files`). Input columns: the id (the first of ``source_id``, ``id``,
``record_id``, ``rec_id``), ``source`` and canonical field columns
(address flattened as ``address_line1``, ``address_line2``, ``city``, ``region``,
``postcode``, ``country``; an empty cell is null). Output: one row per input record,
``record_id,cluster_id,match_probability`` where ``cluster_id`` is the id of
the cluster's first record in input order and ``match_probability`` is the
record's strongest followed link (empty for records that joined no one).

It imports the matching engine and of the service only the file reader (no web
application, database or GraphQL): ``mdm dedupe`` is a file-to-file tool, and ``mdm`` loads
each command's module only when that command runs.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from tqdm import tqdm

from matching.batch import DedupeResult, PairSink, dedupe_table, table_fields
from matching.explanation import ScoredPair
from matching.settings import MatchSettings, SettingsError, default_settings, load_settings
from matching.table import RecordTable
from mdm.cli.dedupe_input import InputError, read_table
from mdm.cli.engine_options import Engine, Master, Partitions, Remote, WorkDir

__all__ = ["dedupe_command", "register"]

ENTITY_TYPES = ("customer", "product")
PAIR_COLUMNS = (
    "left_id",
    "right_id",
    "match_probability",
    "match_weight",
    "settings_version",
    "explanation",
)


def _settings(entity: str, settings_file: Path | None) -> MatchSettings:
    """The settings file's settings, else the shipped ones of ``entity`` (checked first)."""
    if entity not in ENTITY_TYPES:
        raise typer.BadParameter(f"--entity must be one of {', '.join(ENTITY_TYPES)}")
    try:
        if settings_file:
            return load_settings(settings_file.read_text("utf-8"))
        return default_settings(entity)
    except SettingsError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _table(path: Path, entity: str, settings: MatchSettings) -> tuple[list[str], RecordTable]:
    """The ``id`` column and the standardized table of every row (:mod:`.dedupe_input`)."""
    fields = table_fields(settings)
    try:
        ids, table = read_table(path, entity, fields, warn=lambda text: typer.echo(text, err=True))
    except InputError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if len(set(ids)) != len(ids):
        raise typer.BadParameter(f"{path}: values in the 'id' column must be unique")
    return ids, table


@contextmanager
def _pair_sink(path: Path | None, ids: Sequence[str]) -> Iterator[PairSink | None]:
    """A sink writing each scored pair with its explanation to ``path`` (None: no file)."""
    if path is None:
        yield None
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PAIR_COLUMNS)

        def sink(scored: list[ScoredPair]) -> None:
            writer.writerows(
                [
                    ids[pair["left"]],
                    ids[pair["right"]],
                    f"{pair['match_probability']:.6f}",
                    f"{pair['match_weight']:.6f}",
                    pair["settings_version"],
                    json.dumps(pair["comparisons"], separators=(",", ":")),
                ]
                for pair in scored
            )

        yield sink


@contextmanager
def _progress(enabled: bool) -> Iterator[tqdm[Any]]:
    bar: tqdm[Any] = tqdm(desc="score", unit="pair", disable=not enabled)
    try:
        yield bar
    finally:
        bar.close()


def _write_clusters(path: Path, ids: Sequence[str], result: DedupeResult) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "cluster_id", "match_probability"])
        for row, label in enumerate(result.labels.tolist()):
            prob = float(result.match_probability[row])
            writer.writerow([ids[row], ids[label], "" if math.isnan(prob) else f"{prob:.6f}"])


def _run(
    table: RecordTable,
    settings: MatchSettings,
    *,
    ids: Sequence[str],
    train: bool,
    pairs: Path | None,
    pairs_min_probability: float | None,
    progress: bool,
) -> DedupeResult:
    """Dedupe ``table`` with a progress bar, writing scored pairs to ``pairs`` if given."""
    if train:
        typer.echo("training: u from random pairs, m by EM per blocking rule ...", err=True)
    with _progress(progress) as bar, _pair_sink(pairs, ids) as sink:

        def on_total(total: int) -> None:
            bar.total = total
            bar.refresh()

        return dedupe_table(
            table,
            settings,
            train_model=train,
            progress=bar.update,
            on_total=on_total,
            pair_sink=sink,
            pair_min_probability=pairs_min_probability,
        )


_Input = Annotated[Path, typer.Argument(exists=True, readable=True)]
_Output = Annotated[Path, typer.Argument(writable=True)]
_Entity = Annotated[str, typer.Option("--entity", help="customer or product")]
_Pairs = Annotated[
    Path | None, typer.Option("--pairs", help="also write scored pairs with explanations")
]
_SettingsFile = Annotated[
    Path | None, typer.Option("--settings", help="match settings JSON (default: shipped)")
]
_Train = Annotated[
    bool, typer.Option("--train/--no-train", help="estimate m/u/prior from the input by EM")
]
_PairsMin = Annotated[
    float | None,
    typer.Option(
        "--pairs-min-probability",
        min=0.0,
        max=1.0,
        help="lowest probability written to --pairs (default: the review threshold)",
    ),
]
_Progress = Annotated[bool, typer.Option("--progress/--no-progress")]


def dedupe_command(
    input_csv: _Input,
    output_csv: _Output,
    entity: _Entity = "customer",
    pairs: _Pairs = None,
    settings_file: _SettingsFile = None,
    train: _Train = True,
    pairs_min_probability: _PairsMin = None,
    progress: _Progress = True,
    engine: Engine = "local",
    spark_master: Master = "local[*]",
    spark_remote: Remote = None,
    spark_partitions: Partitions = 8,
    spark_work_dir: WorkDir = None,
) -> None:
    """Cluster the records of INPUT_CSV and write one cluster id per record to OUTPUT_CSV.

    INPUT_CSV may also be JSON Lines (``.jsonl``). With ``--engine spark`` it may also be
    Parquet, or a directory of part files, and OUTPUT_CSV is a directory of CSV, or Parquet
    for a ``.parquet`` name.
    """
    settings = _settings(entity, settings_file)
    if engine not in ("local", "spark"):
        raise typer.BadParameter("--engine must be local or spark")
    if engine == "spark":
        from mdm.cli.dedupe_spark import SparkChoice, run_spark

        choice = SparkChoice(spark_master, spark_remote, spark_partitions, spark_work_dir)
        run_spark(
            str(input_csv),
            str(output_csv),
            settings,
            entity=entity,
            choice=choice,
            train=train,
            pairs=pairs,
            pairs_min_probability=pairs_min_probability,
        )
        return
    if input_csv.is_dir():
        raise typer.BadParameter(f"{input_csv} is a directory: the local engine reads one file")
    typer.echo(f"reading and standardizing {input_csv} ...", err=True)
    ids, table = _table(input_csv, entity, settings)
    result = _run(
        table,
        settings,
        ids=ids,
        train=train,
        pairs=pairs,
        pairs_min_probability=pairs_min_probability,
        progress=progress,
    )
    _write_clusters(output_csv, ids, result)
    typer.echo(
        f"{len(ids)} records -> {len(set(result.labels.tolist()))} clusters; "
        f"{result.stats['links']} links, {len(result.review)} pairs for review; "
        f"settings {result.settings.version}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add the ``dedupe`` command to the ``mdm`` typer app."""
    app.command("dedupe")(dedupe_command)
