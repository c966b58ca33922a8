"""``mdm load --initial --entity customer crm=crm.csv erp=erp.csv ...``: the first load of
an entity type, every source's file at once, through the batch engine.

Where ``mdm load`` decides each record against those that arrived before it (so the
golden records depend on file order), the initial load reads every file, retrains the
match settings on all of them (as ``mdm dedupe`` trains on its input), clusters all
records in one pass with the hub's decision function, and writes the result in one
transaction (:mod:`mdm.handlers.initial_load`): a load that stops leaves no record of
the entity type, and the same command can simply run again.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import typer

from canonical.commands import BatchEngine, InitialLoad
from canonical.errors import DomainError
from canonical.states import IngestAction
from mdm.bootstrap import bootstrap
from mdm.bus import Origin
from mdm.db.engine import refresh_statistics
from mdm.domain.bulk.write import refuse_if_loaded
from mdm.domain.files import InputError
from mdm.domain.ingest.run import ItemResult
from mdm.settings import get_settings

__all__ = ["Refusals", "initial_load", "parse_specs", "report_actions"]


def parse_specs(specs: list[str]) -> list[tuple[str, Path]]:
    """``SOURCE=FILE`` arguments as (source, path); exits 2 naming a malformed one."""
    out = []
    for spec in specs:
        source, sep, name = spec.partition("=")
        path = Path(name)
        if not sep or not source or not name:
            typer.echo(f"error: '{spec}' is not SOURCE=FILE (e.g. crm=crm.csv)", err=True)
            raise typer.Exit(2)
        if not path.is_file():
            typer.echo(f"error: file '{name}' of source '{source}' does not exist", err=True)
            raise typer.Exit(2)
        out.append((source, path))
    if len({s for s, _ in out}) != len(out):
        typer.echo("error: name each source once (one file per source)", err=True)
        raise typer.Exit(2)
    return out


def initial_load(
    specs: list[str],
    *,
    entity: str,
    train: bool,
    quiet: bool,
    allow_rejects: bool,
    engine: BatchEngine | None = None,
) -> None:
    """Run the initial load of ``specs`` (``SOURCE=FILE``) and print what it did."""
    pairs = parse_specs(specs)
    settings = get_settings()
    container = bootstrap(settings, migrate=settings.is_sqlite)
    cid = f"initial-load-{int(time.time())}"
    try:  # before reading and training: a hub that holds records is refused at once
        container.bus.query(lambda uow: refuse_if_loaded(uow, entity))
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    started = time.perf_counter()
    files = tuple((source, str(path)) for source, path in pairs)
    batch = engine or BatchEngine()
    command = InitialLoad(entity, files, "cli", cid, train=train, engine=batch)
    if batch.name == "spark" and not quiet:
        where = batch.remote or batch.master
        typer.echo(f"matching on Spark ({where}, {batch.partitions} partitions) ...", err=True)
    try:
        counts, version, trained, stages = container.bus.handle(
            command, origin=Origin("cli", cid, "mdm load --initial")
        )
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    except InputError as exc:  # a file the reader refuses, named with its line
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not quiet:
        how = "trained on these records" if trained else "in use"
        typer.echo(f"decided with the settings {version} ({how})", err=True)
    refresh_statistics(container.engine)
    _report(counts, stages, time.perf_counter() - started, allow_rejects=allow_rejects)


def _report(
    counts: Counter[str], stages: dict[str, float], elapsed: float, *, allow_rejects: bool
) -> None:
    n = sum(
        counts[k]
        for k in (
            IngestAction.CREATED,
            IngestAction.LINKED,
            IngestAction.UPDATED,
            IngestAction.REJECTED,
        )
    )
    typer.echo(
        f"loaded {n} records in {elapsed:.1f}s ({n / max(elapsed, 1e-9):.0f} records/s): "
        f"{counts['golden_records']} golden records, {counts['review_tasks']} review tasks"
    )
    typer.echo("  " + ", ".join(f"{stage} {secs:.1f}s" for stage, secs in stages.items()))
    report_actions(counts, total=n, allow_rejects=allow_rejects)


class Refusals:
    """Why a load's records were refused: per field and rule, how many, and the first
    few source ids, so a user can fix the file without reading the quarantine first."""

    SAMPLES = 3

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.samples: dict[tuple[str, str], list[str]] = {}

    def add(self, results: Iterable[ItemResult]) -> None:
        for result in results:
            for error in result.errors if result.status != "accepted" else ():
                key = (error.get("pointer", ""), error.get("code", ""))
                self.counts[key] += 1
                ids = self.samples.setdefault(key, [])
                if len(ids) < self.SAMPLES and result.source_id:
                    ids.append(result.source_id)

    def lines(self) -> list[str]:
        out = []
        for (pointer, code), n in self.counts.most_common(10):
            ids = ", ".join(self.samples.get((pointer, code), []))
            out.append(f"  {pointer or '/'} {code}: {n}" + (f" (e.g. {ids})" if ids else ""))
        return out


def report_actions(
    counts: Counter[str], *, total: int, allow_rejects: bool, refusals: Refusals | None = None
) -> None:
    """What a load did per action, why records were refused and where they and the
    data-quality issues are kept; exits 1 when records were rejected, unless
    ``allow_rejects``."""
    for action in IngestAction:
        if counts.get(action):
            typer.echo(f"  {action:<10} {counts[action]}")
    if counts.get("with_issues"):
        typer.echo(
            f"  {counts['with_issues']} records were taken in without malformed optional values,"
            " kept as data-quality issues: GET /api/v1/quarantine?status=issue"
        )
    rejected = counts.get("rejected", 0)
    if not rejected:
        return
    if refusals is not None and refusals.counts:
        typer.echo("refused, by field and rule:")
        for line in refusals.lines():
            typer.echo(line)
    typer.echo("rejected records are kept in quarantine: GET /api/v1/quarantine")
    if counts.get("unstorable"):
        typer.echo(
            f"  {counts['unstorable']} of them hold a NUL character, a lone surrogate or"
            " nesting too deep to store, and are not kept"
        )
    if not allow_rejects:
        typer.echo(
            f"error: {rejected} of {total} records were rejected "
            "(pass --allow-rejects to accept that)",
            err=True,
        )
        raise typer.Exit(1)
