"""The ``mdm`` command.

Each subcommand's module is imported only when that command runs (or when help
lists every command): ``mdm dedupe`` is a file-to-file tool and must not pay for
importing the web application, SQLAlchemy and GraphQL, which the service's
commands need. Commands the installed plugins add (``mdm worker``, ...) are
looked up last, so the plugins are loaded only for their own commands and for help.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

__all__ = ["COMMANDS", "app", "main"]

COMMANDS = {
    "serve": "serve",
    "load": "load",
    "migrate": "admin",
    "sources": "admin",
    "keys": "keys",
    "matching": "matching",
    "trace": "trace",
    "schema": "schema",
    "contracts": "contracts",
    "dedupe": "dedupe",
}
"""Command name -> module of :mod:`mdm.cli` whose ``register(app)`` adds it."""


def _group_of(register: Any) -> TyperGroup:
    """The click group a ``register(app)`` function builds on a typer app of its own."""
    scratch = typer.Typer()
    register(scratch)
    return typer.main.get_group(scratch)


class LazyGroup(TyperGroup):
    """A group that imports a command's module the first time the command is needed."""

    # ctx is typer's own click Context (typer vendors click), typed loosely on purpose
    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *self._plugin_group().list_commands(ctx)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return self._plugin_group().get_command(ctx, cmd_name)
        loaded = importlib.import_module(f"mdm.cli.{module}")
        return _group_of(loaded.register).get_command(ctx, cmd_name)

    def _plugin_group(self) -> TyperGroup:
        from mdm.plugins import plugins

        def register(app: typer.Typer) -> None:
            for plugin in plugins():
                plugin.register_cli(app)

        return _group_of(register)


app = typer.Typer(
    name="mdm",
    cls=LazyGroup,
    help="Golden-record hub for customer and revenue operations.",
    no_args_is_help=True,
)


@app.callback()
def _root() -> None:
    """Golden-record hub for customer and revenue operations."""


def main() -> None:
    app()
