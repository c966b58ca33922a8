"""``mdm keys create``: issue API keys."""

from __future__ import annotations

import typer

from canonical.commands import CreateApiKey, RevokeApiKey, RotateApiKey
from canonical.errors import DomainError, InvalidInput
from mdm.bootstrap import bootstrap
from mdm.queries.admin import list_keys
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


def _fail(exc: DomainError) -> typer.Exit:
    typer.echo(f"error: {exc.message}", err=True)
    return typer.Exit(2)


@keys_app.command("list")
def list_command() -> None:
    """Every key: id, name, roles, last use, revocation and expiry (never a secret)."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    typer.echo(f"{'id':<33} {'name':<20} {'prefix':<11} {'roles':<24} {'last used':<25} state")
    for k in c.bus.query(list_keys):
        state = (
            "revoked"
            if k["revoked_at"]
            else (f"expires {k['expires_at']}" if k["expires_at"] else "active")
        )
        typer.echo(
            f"{k['id']:<33} {k['name'][:20]:<20} {k['prefix']:<11} {','.join(k['roles'])[:24]:<24} "
            f"{k['last_used_at'] or '-':<25} {state}"
        )


@keys_app.command("revoke")
def revoke(key_id: str) -> None:
    """Revoke a key; every process refuses it from now on."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        c.bus.handle(RevokeApiKey(key_id, "cli"))
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(f"revoked key {key_id}")


@keys_app.command("rotate")
def rotate(
    key_id: str,
    grace_hours: float = typer.Option(24.0, help="How long the old key keeps working"),
) -> None:
    """Print a new key (once) with the same name and roles; the old one expires later."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        out = c.bus.handle(RotateApiKey(key_id, "cli", grace_hours))
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(out["secret"])
    until = f"{out['old_valid_until']:%Y-%m-%d %H:%M} UTC"
    typer.echo(
        f"new key {out['id']} replaces {key_id}, which works until {until}"
        " (store the new key now; it is not shown again)",
        err=True,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
