"""``mdm migrate`` and ``mdm sources``."""

from __future__ import annotations

import typer

from canonical.commands import RegisterSource
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
        typer.echo(f"{row['name']:<16} {row['description']}")


@sources_app.command("add")
def add_source(name: str, description: str = typer.Option("", "--description", "-d")) -> None:
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
        c.bus.handle(RegisterSource(name, description))
    except DomainError as exc:
        detail = exc.errors[0].message if exc.errors else ""
        typer.echo(f"error: {exc.message}{': ' + detail if detail else ''}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"registered source '{name}'")


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)
    app.add_typer(sources_app, name="sources")
