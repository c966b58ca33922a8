"""``mdm schema``: the schema registry from the command line (against MDM_DATABASE_URL).

Exit codes: 0 done (or compatible), 1 refused as incompatible (each refusal printed with
its rule and JSON pointer), 2 a usage error (unknown subject, unreadable or malformed
schema file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import typer

from canonical.commands import RegisterSchema, SetSchemaMode
from canonical.compatibility import Mode
from canonical.errors import DomainError, IncompatibleSchema
from mdm.bootstrap import Container, bootstrap
from mdm.queries.schemas import check_schema, get_subject, get_version, list_subjects
from mdm.settings import get_settings

__all__ = ["read_schema_file", "register"]

schema_app = typer.Typer(
    help="Schema registry: versions and compatibility modes of canonical entity types and "
    "golden event types.",
    no_args_is_help=True,
)


def _hub() -> Container:
    return bootstrap(migrate=get_settings().is_sqlite)


def read_schema_file(path: Path) -> Any:
    """The JSON document in ``path``; exits 2 with the reason when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        typer.echo(f"error: no such file: {path}", err=True)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        typer.echo(f"error: {path} is not a JSON document: {exc}", err=True)
    raise typer.Exit(2)


def _fail(exc: DomainError) -> typer.Exit:
    typer.echo(f"error: {exc.message}", err=True)
    for e in exc.errors:
        typer.echo(f"  {e.code} at {e.pointer or '(root)'}: {e.message}", err=True)
    return typer.Exit(1 if isinstance(exc, IncompatibleSchema) else 2)


def _parse_mode(mode: str | None) -> Mode | None:
    if mode is None:
        return None
    try:
        return Mode.parse(mode)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def print_check(out: dict[str, Any]) -> None:
    """The outcome of a check, one line per refusal (rule, JSON pointer, version)."""
    subject, version = out["subject"], out["version"]
    if out["compatible"]:
        if out["created"]:
            typer.echo(f"compatible: would register {subject} version {version} ({out['mode']})")
        else:
            typer.echo(f"unchanged: the schema is {subject} version {version} already")
        for d in out["derived"]:
            if d["created"]:
                typer.echo(f"  and {d['subject']} revision {d['version']} ({d['mode']})")
        return
    typer.echo(f"INCOMPATIBLE: {subject} version {version} would break:")
    for i in out["incompatibilities"]:
        breaks = "/".join(i["breaks"])
        typer.echo(
            f"  {i['subject']}: {i['rule']} at {i['pointer'] or '(root)'} "
            f"({breaks}, against version {i['against_version']}): {i['message']}"
        )


@schema_app.command("check")
def check_command(
    subject: str = typer.Argument(..., help="customer, product, price or a golden event type"),
    file: Path = typer.Argument(..., help="the proposed JSON Schema document"),
    mode: str | None = typer.Option(None, "--mode", help="check under this mode instead"),
) -> None:
    """Would FILE be accepted as the next version of SUBJECT? Exits 1 and names each rule
    and JSON pointer when it would not; registers nothing."""
    document = read_schema_file(file)
    wanted = _parse_mode(mode)
    hub = _hub()
    try:
        out = hub.bus.query(lambda uow: check_schema(uow, subject, document, mode=wanted))
    except DomainError as exc:
        raise _fail(exc) from exc
    print_check(out)
    if not out["compatible"]:
        raise typer.Exit(1)


@schema_app.command("register")
def register_command(
    subject: str = typer.Argument(..., help="customer, product, price or a golden event type"),
    file: Path = typer.Argument(..., help="the JSON Schema document to register"),
    reason: str = typer.Option("", "--reason", help="why, for the audit log"),
) -> None:
    """Register FILE as the next version of SUBJECT (live at once in every hub process)."""
    document = read_schema_file(file)
    hub = _hub()
    try:
        out = hub.bus.handle(RegisterSchema(subject, document, "cli", reason or None))
    except DomainError as exc:
        raise _fail(exc) from exc
    verb = "registered" if out["created"] else "already registered:"
    typer.echo(f"{verb} {out['subject']} version {out['version']} ({out['fingerprint'][:12]})")
    for d in out["derived"]:
        state = "registered" if d["created"] else "unchanged"
        typer.echo(f"  {state} {d['subject']} revision {d['version']}")


@schema_app.command("list")
def list_command() -> None:
    """Every subject with its newest version and mode."""
    out = _hub().bus.query(list_subjects)
    for row in [*out["schemas"], *out["events"]]:
        default = " (default)" if row["mode_is_default"] else ""
        typer.echo(
            f"{row['subject']:<36} {row['kind']:<7} v{row['version']:<3} {row['mode']}{default}"
        )


@schema_app.command("show")
def show_command(
    subject: str,
    version: int | None = typer.Option(None, "--version", "-v", help="default: the newest"),
) -> None:
    """Print one version's document (JSON), or with no --version the versions list."""
    hub = _hub()
    try:
        if version is None:
            out = hub.bus.query(lambda uow: get_subject(uow, subject))
        else:
            out = hub.bus.query(lambda uow: get_version(uow, subject, version))["schema"]
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


@schema_app.command("mode")
def mode_command(
    subject: str,
    mode: str | None = typer.Argument(None, help="a mode, or 'default'; omit to print it"),
    reason: str = typer.Option("", "--reason", help="why, for the audit log"),
) -> None:
    """Print or set SUBJECT's compatibility mode (NONE, BACKWARD, FORWARD, FULL and their
    _TRANSITIVE forms; 'default' returns to the kind's default)."""
    hub = _hub()
    try:
        if mode is None:
            out = hub.bus.query(lambda uow: get_subject(uow, subject))
        else:
            wanted = None if mode.lower() == "default" else mode
            out = hub.bus.handle(SetSchemaMode(subject, wanted, "cli", reason or None))
            out["mode_is_default"] = out.pop("default")
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(f"{subject}: {out['mode']}{' (default)' if out['mode_is_default'] else ''}")


def register(app: typer.Typer) -> None:
    app.add_typer(schema_app, name="schema")
