"""A rematch preview for the command line: run it on the configured hub, and say what it
found in a few lines (``mdm matching rematch``, and ``mdm contracts can-i-deploy
--match-settings``, which shows the same impact)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import typer
from sqlalchemy.exc import OperationalError

from canonical.commands import ApplyRematch, BatchEngine
from canonical.errors import DomainError
from mdm.bootstrap import Container, bootstrap
from mdm.db.migrate import has_schema
from mdm.domain.rematch import Proposal
from mdm.queries.rematch import preview_rematch
from mdm.settings import get_settings

__all__ = ["apply", "impact_lines", "preview", "summary_lines"]


def _document(path: Path) -> dict[str, Any]:
    """The settings file as JSON; a file that cannot be read or parsed exits 2."""
    try:
        raw = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        typer.echo(f"error: {path}: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not isinstance(raw, dict):
        typer.echo(f"error: {path}: match settings must be a JSON object", err=True)
        raise typer.Exit(2)
    return raw


def preview(
    entity: str,
    settings_file: Path | None,
    version: str | None,
    *,
    samples: int,
    full: bool,
    engine: BatchEngine | None = None,
) -> dict[str, Any]:
    """The rematch preview of ``entity`` under the settings file, the version, or the
    settings in use; a refusal is printed with its reason and exits 2. The command line
    sees personal data (whoever runs it holds the database)."""
    document = _document(settings_file) if settings_file is not None else None
    proposal = Proposal(entity, document=document, version=version)
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        return _run(c, proposal, samples=samples, full=full, engine=engine)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc


def apply(
    entity: str,
    settings_file: Path | None,
    version: str | None,
    reason: str | None,
    *,
    engine: BatchEngine | None = None,
) -> dict[str, Any]:
    """Carry the rematch out (:mod:`mdm.handlers.apply_rematch`); a refusal (a steward
    decided meanwhile, a bad proposal) is printed with its reason and exits 2."""
    document = _document(settings_file) if settings_file is not None else None
    command = ApplyRematch(entity, "cli", reason, document, version, engine=engine or BatchEngine())
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        out: dict[str, Any] = c.bus.handle(command)
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    return out


def _run(
    c: Container,
    proposal: Proposal,
    *,
    samples: int,
    full: bool,
    engine: BatchEngine | None = None,
) -> dict[str, Any]:
    return c.bus.query(
        lambda uow: preview_rematch(
            uow,
            c.current_matcher(uow),
            proposal,
            samples=samples,
            full=full,
            pii=True,
            engine=engine,
        )
    )


def impact_lines(settings_file: Path, *, samples: int = 3) -> list[str]:
    """The rematch preview of a proposed settings file on the configured hub, as lines
    (``can-i-deploy --match-settings``). A hub that does not exist is said so, never
    created; a refusal (settings of a type not matched) is a line, not an exit."""
    configured = get_settings()
    where = configured.database_url.split("@")[-1]
    if configured.is_sqlite and not Path(where.split(":///", 1)[-1]).exists():
        return [f"no hub at {where} to measure the rematch impact on"]
    document = _document(settings_file)
    proposal = Proposal(str(document.get("entity_type", "")), document=document)
    try:
        c = bootstrap(configured)
        if not has_schema(c.engine):
            return [f"no hub at {where} to measure the rematch impact on"]
        return summary_lines(_run(c, proposal, samples=samples, full=False))
    except OperationalError as exc:
        return [f"the hub at {where} cannot be reached to measure the rematch impact: {exc.orig}"]
    except DomainError as exc:
        return [f"no rematch impact: {exc.message}"]


_WHAT = {
    "merge": "would merge",
    "split": "would split",
    "review_open": "review task would open",
    "review_close": "open task would close",
    "contradict_approved": "approved merge the new settings would split",
    "contradict_rejected": "not-a-match pair the new settings would merge",
}


def summary_lines(out: Mapping[str, Any], report: Path | None = None) -> list[str]:
    """What a person reads first: the counts, then a few samples of each kind."""
    counts = out["counts"]
    decided = counts["steward_decisions"]
    conflicting = decided["together_not_kept"]
    kept = f"all kept but {conflicting} that conflict" if conflicting else "all kept"
    lines = [
        f"rematch of {out['records']} {out['entity_type']} records under "
        f"{out['settings_version']} (in use: {out['in_use']}; link {out['thresholds']['link']}, "
        f"review {out['thresholds']['review']})",
        f"  golden records: {out['golden_records']} now, {out['golden_records_after']} after",
        f"  merge: {counts['merge']} new clusters joining "
        f"{counts['golden_records_merging']} golden records",
        f"  split: {counts['split']} golden records",
        f"  changed: {counts['changed_golden_records']} golden records",
        f"  review tasks: {counts['review_open']} would open, {counts['review_close']} of "
        f"{counts['open_tasks']} open would close",
        f"  steward decisions contradicted: {counts['contradict_approved']} approved merges "
        f"it would split, {counts['contradict_rejected']} not-a-match pairs it would merge "
        f"(of {decided['together']} merges and {decided['apart']} not-a-match pairs, {kept})",
    ]
    for kind, items in out.get("samples", {}).items():
        for item in items:
            lines.append(f"  {_WHAT[kind]}: {_pair(item)}")
    seconds = out["stats"]["seconds"]
    lines.append("  took " + ", ".join(f"{step} {s:.1f} s" for step, s in seconds.items()))
    if report is not None:
        lines.append(f"  every item: {report}")
    written = out.get("written")
    if written is None:
        lines.append("dry run: nothing was changed")
        return lines
    lines.append(
        f"applied: {written['moved_records']} records moved, {written['merged_away']} golden "
        f"records merged away, {written['created']} created, "
        f"{written['changed_golden_records']} changed; review tasks "
        f"{written['tasks_opened']} opened, {written['tasks_closed']} closed"
        + (f"; {written['groups_left_out']} groups left out" if written["groups_left_out"] else "")
    )
    return lines


def _pair(item: Mapping[str, Any]) -> str:
    score = item.get("score")
    shown = " ~ ".join(_record(item.get(side)) for side in ("left", "right"))
    return f"{shown} (score {score:.3f})" if score is not None else shown


def _record(record: Mapping[str, Any] | None) -> str:
    if not record:
        return "?"
    where = f"{record.get('source')}/{record.get('source_id')}"
    return f"{record.get('name') or '(no name)'} [{where}]"
