"""The ``mdm`` command."""

from __future__ import annotations

import typer

from mdm.cli import admin, contracts, keys, load, matching, schema, serve, trace
from mdm.plugins import plugins

__all__ = ["app", "main"]

app = typer.Typer(
    name="mdm", help="Golden-record hub for customer and revenue operations.", no_args_is_help=True
)
serve.register(app)
load.register(app)
admin.register(app)
keys.register(app)
matching.register(app)
trace.register(app)
schema.register(app)
contracts.register(app)

from mdm import cli_dedupe  # noqa: E402  (moves into mdm/cli/ with the matching work)

cli_dedupe.register(app)
for _plugin in plugins():
    _plugin.register_cli(app)


def main() -> None:
    app()
