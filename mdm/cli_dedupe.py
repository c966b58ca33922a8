"""``mdm dedupe``: batch dedupe of a CSV file with the matching engine.

This module only does file handling and the progress bar; the work is the
pure :func:`matching.batch.dedupe_table`. Input columns: ``id``, ``source``
and canonical field columns (address flattened as ``address_line1``,
``address_line2``, ``city``, ``region``, ``postcode``, ``country``; an empty
cell is null). Output: one row per input record,
``record_id,cluster_id,match_probability`` where ``cluster_id`` is the id of
the cluster's first record in input order and ``match_probability`` is the
record's strongest followed link (empty for records that joined no one).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from tqdm import tqdm

from matching.batch import dedupe_table, record_from_flat, standardize_columns, table_fields
from matching.settings import MatchSettings, SettingsError, default_settings, load_settings
from matching.table import RecordTable

__all__ = ["dedupe_command", "register"]

ENTITY_TYPES = ("customer", "product")


def _read(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "id" not in reader.fieldnames:
            raise typer.BadParameter(f"{path}: the header must have an 'id' column")
        ids: list[str] = []
        records: list[dict[str, Any]] = []
        for row in reader:
            ids.append(row["id"])
            records.append(record_from_flat(row))
    if len(set(ids)) != len(ids):
        raise typer.BadParameter(f"{path}: values in the 'id' column must be unique")
    return ids, records


def dedupe_command(
    input_csv: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    output_csv: Annotated[Path, typer.Argument(dir_okay=False, writable=True)],
    entity: Annotated[str, typer.Option("--entity", help="customer or product")] = "customer",
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="also write scored pairs with explanations")
    ] = None,
    settings_file: Annotated[
        Path | None, typer.Option("--settings", help="match settings JSON (default: shipped)")
    ] = None,
    train: Annotated[
        bool, typer.Option("--train/--no-train", help="estimate m/u/prior from the input by EM")
    ] = True,
    pairs_min_probability: Annotated[
        float | None,
        typer.Option(
            "--pairs-min-probability",
            min=0.0,
            max=1.0,
            help="lowest probability written to --pairs (default: the review threshold)",
        ),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress")] = True,
) -> None:
    """Cluster the records of INPUT_CSV and write one cluster id per record to OUTPUT_CSV."""
    if entity not in ENTITY_TYPES:
        raise typer.BadParameter(f"--entity must be one of {', '.join(ENTITY_TYPES)}")
    try:
        settings: MatchSettings = (
            load_settings(settings_file.read_text("utf-8"))
            if settings_file
            else default_settings(entity)
        )
    except SettingsError as exc:
        raise typer.BadParameter(str(exc)) from exc
    ids, records = _read(input_csv)
    typer.echo(f"standardizing {len(records)} records ...", err=True)
    table = RecordTable.from_columns(standardize_columns(entity, records, table_fields(settings)))
    if train:
        typer.echo("training: u from random pairs, m by EM per blocking rule ...", err=True)
    bar = tqdm(desc="score", unit="pair", disable=not progress)

    def on_total(total: int) -> None:
        bar.total = total
        bar.refresh()

    pair_handle = pairs.open("w", newline="", encoding="utf-8") if pairs else None
    pair_writer = csv.writer(pair_handle) if pair_handle else None
    if pair_writer:
        pair_writer.writerow(
            [
                "left_id",
                "right_id",
                "match_probability",
                "match_weight",
                "settings_version",
                "explanation",
            ]
        )

    def sink(scored: list[dict[str, Any]]) -> None:
        assert pair_writer is not None
        for pair in scored:
            pair_writer.writerow(
                [
                    ids[pair["left"]],
                    ids[pair["right"]],
                    f"{pair['match_probability']:.6f}",
                    f"{pair['match_weight']:.6f}",
                    pair["settings_version"],
                    json.dumps(pair["comparisons"], separators=(",", ":")),
                ]
            )

    try:
        result = dedupe_table(
            table,
            settings,
            train_model=train,
            progress=bar.update,
            on_total=on_total,
            pair_sink=sink if pair_writer else None,
            pair_min_probability=pairs_min_probability,
        )
    finally:
        bar.close()
        if pair_handle:
            pair_handle.close()
    with output_csv.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "cluster_id", "match_probability"])
        for row, label in enumerate(result.labels.tolist()):
            prob = float(result.match_probability[row])
            writer.writerow([ids[row], ids[label], "" if math.isnan(prob) else f"{prob:.6f}"])
    clusters = len(set(result.labels.tolist()))
    typer.echo(
        f"{len(ids)} records -> {clusters} clusters; {result.stats['links']} links, "
        f"{len(result.review)} pairs for review; settings {result.settings.version}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add the ``dedupe`` command to the ``mdm`` typer app."""
    app.command("dedupe")(dedupe_command)
