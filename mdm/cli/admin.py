"""``mdm migrate`` and ``mdm sources``."""

from __future__ import annotations

import typer

from canonical.commands import RegisterSource, Restandardize, UpdateSource
from canonical.errors import DomainError
from mdm.bootstrap import bootstrap
from mdm.db.engine import make_engine
from mdm.db.migrate import upgrade
from mdm.handlers.register_source import SOURCE_NAME
from mdm.queries.admin import list_sources as sources_of
from mdm.settings import get_settings

__all__ = ["register"]

sources_app = typer.Typer(help="Source systems allowed to send records.", no_args_is_help=True)


def migrate() -> None:
    """Bring the database at MDM_DATABASE_URL to the latest schema."""
    settings = get_settings()
    upgrade(make_engine(settings.database_url))
    typer.echo(f"database is at the latest schema ({_safe(settings.database_url)})")


def _safe(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@sources_app.command("list")
def list_sources() -> None:
    """List registered sources."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    for row in c.bus.query(sources_of):
        typer.echo(
            f"{row['name']:<16} {row['default_region'] or '-':<3} {row['validation']:<8}"
            f" {row['description']}"
        )


_REGION_HELP = (
    "ISO 3166 alpha-2 country (e.g. US) national phone numbers of this source are read in"
    " when a record's address names no country"
)


_VALIDATION_HELP = (
    "lenient (default): a record whose only faults are malformed optional values is taken in"
    " without them, each kept as a data-quality issue; strict: such a record is refused"
)


@sources_app.command("add")
def add_source(
    name: str,
    description: str = typer.Option("", "--description", "-d"),
    default_region: str = typer.Option(None, "--default-region", help=_REGION_HELP),
    validation: str = typer.Option("lenient", "--validation", help=_VALIDATION_HELP),
) -> None:
    """Register a source system by name (lower-case letters, digits, '_' and '-', 2 to 64
    characters, starting with a letter: the names the API accepts)."""
    if not SOURCE_NAME.fullmatch(name):
        typer.echo(
            f"error: '{name}' is not a source name: use 2 to 64 lower-case letters, digits,"
            " '_' or '-', starting with a letter (e.g. 'crm', 'billing_eu')",
            err=True,
        )
        raise typer.Exit(2)
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        c.bus.handle(RegisterSource(name, description, default_region, validation))
    except DomainError as exc:
        raise _failed(exc) from exc
    typer.echo(f"registered source '{name}'")


@sources_app.command("update")
def update_source(
    name: str,
    default_region: str = typer.Option(
        None, "--default-region", help=_REGION_HELP + "; 'none' clears it"
    ),
    validation: str = typer.Option(None, "--validation", help=_VALIDATION_HELP),
) -> None:
    """Change a registered source's default region and/or validation mode."""
    if default_region is None and validation is None:
        typer.echo("error: give --default-region, --validation or both", err=True)
        raise typer.Exit(2)
    region = None if default_region is None or default_region.lower() == "none" else default_region
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        out = c.bus.handle(
            UpdateSource(name, region, validation, change_region=default_region is not None)
        )
    except DomainError as exc:
        raise _failed(exc) from exc
    if default_region is not None:
        typer.echo(f"source '{name}' reads national phone numbers in {region or 'no region'}")
    if validation is not None:
        typer.echo(f"source '{name}' validates {out['validation']}")


@sources_app.command("restandardize")
def restandardize_command(
    name: str = typer.Argument(None, help="Only golden records with a member of this source"),
    page: int = typer.Option(500, "--page", min=1, max=10_000, help="Golden records a step"),
) -> None:
    """Standardize stored records again and re-key their golden records: run after an
    upgrade that changes the standardizer, or after changing a source's default region
    (until then, stored records keep what they standardized to before)."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    for entity in ("customer", "product"):
        after, goldens, changed = "", 0, 0
        while True:
            try:
                step = c.bus.handle(Restandardize(entity, name, after, page))
            except DomainError as exc:
                raise _failed(exc) from exc
            goldens, changed = goldens + step["goldens"], changed + step["changed"]
            if step["next"] is None:
                break
            after = step["next"]
        typer.echo(
            f"{entity}: {goldens} golden records re-keyed, {changed} records standardized anew"
        )


def _failed(exc: DomainError) -> typer.Exit:
    detail = exc.errors[0].message if exc.errors else ""
    typer.echo(f"error: {exc.message}{': ' + detail if detail else ''}", err=True)
    return typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)
    app.add_typer(sources_app, name="sources")
