"""The ``mdm`` command."""

from __future__ import annotations

import typer

from mdm.cli import admin, keys, load, matching, serve

__all__ = ["app", "main"]

app = typer.Typer(
    name="mdm", help="Golden-record hub for customer and revenue operations.", no_args_is_help=True
)
serve.register(app)
load.register(app)
admin.register(app)
keys.register(app)
matching.register(app)

try:  # the batch dedupe command lives with the matching engine's CLI module
    from mdm import cli_dedupe

    cli_dedupe.register(app)
except ImportError:  # pragma: no cover
    pass


def main() -> None:
    app()
