"""``mdm matching train``, ``retrain``, ``settings`` and ``rematch``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer

from canonical.commands import RetrainMatcher, TrainMatcher
from canonical.errors import DomainError
from mdm.bootstrap import bootstrap
from mdm.cli.engine_options import Engine, Master, Partitions, Remote, WorkDir, batch_engine
from mdm.domain.learning import MATCHED_TYPES
from mdm.queries.match_settings import settings_in_use
from mdm.settings import get_settings

__all__ = ["register"]

matching_app = typer.Typer(help="The matcher's settings and training.", no_args_is_help=True)

_ENTITY = typer.Option("customer", "--entity", "-e", help="customer or product")
_REASON = typer.Option("", "--reason", help="Why, for the audit log")


def _run(command: Any) -> dict[str, Any]:
    """Dispatch ``command``; a refusal is printed with its reason and exits 2."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        summary: dict[str, Any] = c.bus.handle(command)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    return summary


@matching_app.command("train")
def train_command(entity: str = _ENTITY, reason: str = _REASON) -> None:
    """Refine the match settings from every steward decision so far and store them.

    Needs at least 20 steward decisions of each kind (match, not a match). Every
    running hub process decides with the new settings from its next request on.
    """
    summary = _run(TrainMatcher(entity, "cli", reason or None))
    typer.echo(
        f"trained {summary['version']} from {summary['labels']} steward decisions "
        f"({summary['matches']} match, {summary['non_matches']} not a match)"
    )


@matching_app.command("retrain")
def retrain_command(entity: str = _ENTITY, reason: str = _REASON) -> None:
    """Re-estimate u, m and the prior from the hub's own records, then refine them with
    the steward decisions (if there are 20 of each kind), and store them."""
    summary = _run(RetrainMatcher(entity, "cli", reason or None))
    if summary["labels_used"]:
        labels = f"refined with {summary['labels']} steward decisions"
    else:
        labels = (
            f"steward decisions left out ({summary['matches']} match, "
            f"{summary['non_matches']} not a match; {summary['labels_needed']} of each needed)"
        )
    typer.echo(f"retrained {summary['version']} on {summary['records']} records; {labels}")


@matching_app.command("settings")
def settings_command(
    entity: str | None = typer.Option(None, "--entity", "-e", help="customer or product"),
) -> None:
    """Print the settings in use (thresholds, prior, blocking, each level's weight) and
    the stored trainings (JSON)."""
    if entity is not None and entity not in MATCHED_TYPES:
        typer.echo(f"error: --entity must be one of {', '.join(MATCHED_TYPES)}", err=True)
        raise typer.Exit(2)
    c = bootstrap(migrate=get_settings().is_sqlite)
    out = c.bus.query(lambda uow: settings_in_use(uow, c.current_matcher(uow), entity_type=entity))
    typer.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


_SETTINGS_FILE = typer.Option(
    None, "--settings", dir_okay=False, help="Proposed match settings (JSON, as stored)"
)
_VERSION = typer.Option(None, "--version", help="A stored (or shipped) settings version")
_REPORT = typer.Option(
    None, "--report", dir_okay=False, writable=True, help="Write every item to this JSON file"
)


@matching_app.command("rematch")
def rematch_command(
    entity: str = _ENTITY,
    settings_file: Path | None = _SETTINGS_FILE,
    version: str | None = _VERSION,
    apply: bool = typer.Option(False, "--apply", help="Carry the rematch out, one audited change"),
    report: Path | None = _REPORT,
    samples: int = typer.Option(3, "--samples", min=0, max=100, help="Samples of each kind"),
    reason: str = _REASON,
    engine: Engine = "local",
    spark_master: Master = "local[*]",
    spark_remote: Remote = None,
    spark_partitions: Partitions = 8,
    spark_work_dir: WorkDir = None,
) -> None:
    """Score every record again under proposed settings (default: those in use) and show
    what would change: golden records that would merge or split, review tasks that would
    open or close, and the steward decisions the new settings would contradict (every one
    of them is kept). A dry run unless --apply: then the merges, splits and tasks are
    written as one audited change and the settings become the ones in use. With
    --engine spark the scoring and clustering run on Spark; the rest is the same."""
    from mdm.cli.rematch_view import apply as apply_rematch
    from mdm.cli.rematch_view import preview, summary_lines

    batch = batch_engine(engine, spark_master, spark_remote, spark_partitions, spark_work_dir)
    if apply:
        out = apply_rematch(entity, settings_file, version, reason or None, engine=batch)
    else:
        out = preview(
            entity, settings_file, version, samples=samples, full=report is not None, engine=batch
        )
    if report is not None:
        report.write_bytes(orjson.dumps(out, option=orjson.OPT_INDENT_2))
    for line in summary_lines(out, report):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.add_typer(matching_app, name="matching")
