"""``mdm load``: bulk ingest with the same semantics as the REST API."""

from __future__ import annotations

import time
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any

import typer
from tqdm import tqdm

from canonical.commands import IngestRecords, RetrainMatcher
from canonical.errors import DomainError
from canonical.schemas import schema_for
from canonical.transactional import OBJECT_TYPES
from matching.port import LearningMatcher
from mdm.bootstrap import Container, bootstrap
from mdm.bus import Origin
from mdm.cli.engine_options import Engine, Master, Partitions, Remote, WorkDir, batch_engine
from mdm.cli.load_events import ANY_EVENTS, load_events_file
from mdm.cli.load_initial import Refusals, initial_load, report_actions
from mdm.db.engine import refresh_statistics
from mdm.db.storable import UNSTORABLE_CODES
from mdm.domain.files import count_lines, read_items
from mdm.domain.learning import MATCHED_TYPES
from mdm.domain.learning_table import MAX_TRAINING_RECORDS
from mdm.settings import get_settings

__all__ = ["load_file", "register"]


def _trainable(container: Container, *, entity: str, source: str) -> bool:
    """A matched entity type, a learning matcher, and a known source (an unknown one stops
    the load with its own message: nothing is trained for it)."""
    return (
        entity in MATCHED_TYPES
        and isinstance(container.matcher, LearningMatcher)
        and bool(container.bus.query(lambda uow: uow.sources.exists(source)))
    )


def train_for(
    container: Container, path: Path, *, entity: str, source: str, cid: str
) -> dict[str, Any]:
    """Retrain ``entity``'s match settings on the stored records and this file's, before the
    file is decided, when there is no trained version yet, the records have doubled since,
    or this source is new to it (:class:`RetrainMatcher` ``when_grown``): the hub decides
    with a model that saw the data, as ``mdm dedupe`` does, not with starting values
    written for other data."""
    incoming = tuple(
        item.record
        for item in islice(read_items(path), MAX_TRAINING_RECORDS)
        if isinstance(item.record, dict)
    )
    command = RetrainMatcher(
        entity,
        "cli",
        f"mdm load {path.name}",
        cid,
        incoming=incoming,
        when_grown=True,
        source=source,
    )
    summary: dict[str, Any] = container.bus.handle(command, origin=Origin("cli", cid, "mdm load"))
    return summary


def load_file(
    path: Path,
    *,
    source: str,
    entity: str,
    chunk_size: int | None = None,
    progress: bool = True,
    correlation_id: str | None = None,
    train: bool = False,
) -> tuple[Counter[str], Refusals, float]:
    """Load ``path`` chunk by chunk, one transaction per chunk; returns counts per action
    (``rejected`` includes the ``unstorable`` rows, which are also counted on their own),
    why records were refused, and the seconds the loading itself took (not setting up or
    training). With ``train``, matched entity types retrain first when due
    (:func:`train_for`)."""
    settings = get_settings()
    container = bootstrap(settings, migrate=settings.is_sqlite)
    cid = correlation_id or f"load-{int(time.time())}"
    if train and _trainable(container, entity=entity, source=source):
        summary = train_for(container, path, entity=entity, source=source, cid=cid)
        if summary.get("version"):
            typer.echo(
                f"trained {summary['version']} on {summary['records']} records "
                "(held and this file) before deciding",
                err=True,
            )
    size = chunk_size or settings.load_chunk_size
    total = count_lines(path)
    counts: Counter[str] = Counter()
    refusals = Refusals()
    items = read_items(path, warn=lambda text: typer.echo(f"warning: {text}", err=True))
    started = time.perf_counter()
    with tqdm(total=total, unit="rec", disable=not progress, desc=path.name) as bar:
        while chunk := list(islice(items, size)):
            command = IngestRecords(source, entity, tuple(chunk), cid)
            results = container.bus.handle(command, origin=Origin("cli", cid, "mdm load"))
            counts.update(r.action or "rejected" for r in results)
            counts.update(unstorable=sum(1 for r in results if _unstorable(r.errors)))
            counts.update(with_issues=sum(1 for r in results if r.issues))
            refusals.add(results)
            bar.update(len(chunk))
    elapsed = time.perf_counter() - started
    refresh_statistics(container.engine)
    return counts, refusals, elapsed


def _unstorable(errors: list[dict[str, str]]) -> bool:
    """A row refused for text or nesting the databases cannot hold (not quarantined)."""
    return any(e.get("code") in UNSTORABLE_CODES for e in errors)


def load(
    files: list[str] = typer.Argument(
        ..., metavar="FILE | SOURCE=FILE...", help="The file; with --initial, SOURCE=FILE each"
    ),
    source: str = typer.Option("", "--source", "-s", help="The source system, e.g. crm"),
    entity: str = typer.Option(
        ...,
        "--entity",
        "-e",
        help="customer, product or price; or a file of transactional events: order, invoice, "
        "payment, subscription, support_case (or events: any of them)",
    ),
    chunk_size: int = typer.Option(0, help="Records per transaction (default from settings)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar"),
    allow_rejects: bool = typer.Option(
        False, "--allow-rejects", help="Exit 0 even when some records were rejected"
    ),
    train: bool = typer.Option(
        True,
        "--train/--no-train",
        help="Before deciding, retrain the match settings on the stored records and this "
        "file's when no trained version exists, the records have doubled since, or this "
        "source is new to it",
    ),
    initial: bool = typer.Option(
        False,
        "--initial",
        help="The first load of the entity type from every source at once (SOURCE=FILE "
        "each): clustered by the batch engine, written in one transaction",
    ),
    engine: Engine = "local",
    spark_master: Master = "local[*]",
    spark_remote: Remote = None,
    spark_partitions: Partitions = 8,
    spark_work_dir: WorkDir = None,
) -> None:
    """Load a CSV or JSON Lines file of one source's records, or a file of its events;
    with --initial, every source's file of an entity type the hub holds none of.
    With --initial, --engine spark runs the batch matching step on Spark (--spark-master,
    or a Spark Connect server with --spark-remote); everything else is the same.
    Exits 1 when any record was rejected (unless --allow-rejects), 2 when it could not run.
    """
    if initial:
        batch = batch_engine(engine, spark_master, spark_remote, spark_partitions, spark_work_dir)
        initial_load(
            files,
            entity=entity,
            train=train,
            quiet=quiet,
            allow_rejects=allow_rejects,
            engine=batch,
        )
        return
    if engine != "local":
        typer.echo("error: --engine applies to mdm load --initial only", err=True)
        raise typer.Exit(2)
    file = _one_file(files, source)
    if entity in OBJECT_TYPES or entity == ANY_EVENTS:
        _load_events(file, source=source, entity=entity, chunk_size=chunk_size, quiet=quiet)
        return
    try:
        schema_for(entity)
        counts, refusals, elapsed = load_file(
            file,
            source=source,
            entity=entity,
            chunk_size=chunk_size or None,
            progress=not quiet,
            train=train,
        )
    except (DomainError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    n = sum(v for k, v in counts.items() if k not in ("unstorable", "with_issues"))
    rate = n / max(elapsed, 1e-9)
    typer.echo(f"loaded {n} records from {file} in {elapsed:.1f}s ({rate:.0f} records/s)")
    report_actions(counts, total=n, allow_rejects=allow_rejects, refusals=refusals)


def _load_events(file: Path, *, source: str, entity: str, chunk_size: int, quiet: bool) -> None:
    try:
        started = time.perf_counter()
        counts = load_events_file(
            file, source=source, entity=entity, chunk_size=chunk_size or None, progress=not quiet
        )
    except (DomainError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    elapsed = time.perf_counter() - started
    n = sum(counts.values())
    typer.echo(f"loaded {n} events from {file} in {elapsed:.1f}s ({n / elapsed:.0f} events/s)")
    for status in ("stored", "duplicate", "parked", "stale", "rejected"):
        if counts.get(status):
            typer.echo(f"  {status:<10} {counts[status]}")
    if counts.get("rejected"):
        typer.echo("rejected events are kept in quarantine: GET /api/v1/quarantine")


def _one_file(files: list[str], source: str) -> Path:
    """The one file a plain load reads, and its --source (exits 2 naming what is wrong)."""
    if len(files) != 1 or not source:
        typer.echo(
            "error: mdm load FILE --source S --entity E loads one file of one source "
            "(for every source's file at once, mdm load --initial --entity E S=FILE ...)",
            err=True,
        )
        raise typer.Exit(2)
    path = Path(files[0])
    if not path.is_file():
        typer.echo(f"error: file '{files[0]}' does not exist", err=True)
        raise typer.Exit(2)
    return path


def register(app: typer.Typer) -> None:
    app.command("load")(load)
