"""``mdm matching train`` and ``mdm matching settings``."""

from __future__ import annotations

import orjson
import typer

from canonical.commands import TrainMatcher
from canonical.errors import DomainError
from mdm.bootstrap import bootstrap
from mdm.queries.admin import settings_in_use
from mdm.settings import get_settings

__all__ = ["register"]

matching_app = typer.Typer(help="The matcher's settings and training.", no_args_is_help=True)


@matching_app.command("train")
def train_command(
    entity: str = typer.Option("customer", "--entity", "-e", help="customer or product"),
    reason: str = typer.Option("", "--reason", help="Why, for the audit log"),
) -> None:
    """Refine the match settings from every steward decision so far and store them.

    Running hubs pick the new settings up when they restart (or train through
    POST /api/v1/matching/{entity}/train to switch a running hub at once).
    """
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        summary = c.bus.handle(TrainMatcher(entity, "cli", reason or None))
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(
        f"trained {summary['version']} from {summary['labels']} steward decisions "
        f"({summary['matches']} match, {summary['non_matches']} not a match)"
    )


@matching_app.command("settings")
def settings_command() -> None:
    """Print the settings versions in use and the stored trainings (JSON)."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    out = c.bus.query(lambda uow: settings_in_use(uow, c.matcher))
    typer.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


def register(app: typer.Typer) -> None:
    app.add_typer(matching_app, name="matching")
