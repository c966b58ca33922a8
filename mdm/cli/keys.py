"""``mdm keys create``: issue API keys."""

from __future__ import annotations

import typer

from canonical.commands import CreateApiKey
from canonical.errors import InvalidInput
from mdm.bootstrap import bootstrap
from mdm.settings import get_settings

__all__ = ["register"]

keys_app = typer.Typer(
    help="API keys for applications, stewards and source systems.", no_args_is_help=True
)


@keys_app.command("create")
def create(
    role: list[str] = typer.Option(
        ...,
        "--role",
        "-r",
        help="reader, steward, admin, pii, or source (with --source); repeat for several",
    ),
    source: str = typer.Option(None, "--source", help="The source system a 'source' key writes"),
    name: str = typer.Option("", "--name", help="Who or what the key is for"),
) -> None:
    """Create a key and print it once; only its hash is stored."""
    roles = [r for r in role if r != "source"]
    if "source" in role:
        if not source:
            raise typer.BadParameter("--role source needs --source NAME")
        roles.append(f"source:{source}")
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        secret, info = c.bus.handle(CreateApiKey(name or ",".join(roles), tuple(roles)))
    except InvalidInput as exc:
        typer.echo(f"error: {exc.errors[0].message}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(secret)
    typer.echo(
        f"roles: {', '.join(info['roles'])} (store the key now; it is not shown again)", err=True
    )


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
