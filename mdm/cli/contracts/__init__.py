"""``mdm contracts``: verify the consumers' pacts against the hub, and the deploy gate.

Exit codes: 0 verified (or safe to deploy), 1 a contract fails or a schema is refused
(the report names each consumer and interaction), 2 a usage error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mdm.cli.contracts.pacts import PactFile, load_pacts

if TYPE_CHECKING:
    from mdm.cli.contracts.verify import Report

__all__ = ["register"]

contracts_app = typer.Typer(
    help="Consumer-driven contracts (Pact V4) of the hub and the deploy gate.",
    no_args_is_help=True,
)
PACTS = Path("contracts/pacts")
PACTS_HELP = "directory of V4 pact files (those whose provider is golden-record-hub are used)"


def _pacts(directory: Path, *, required: bool = True) -> list[PactFile]:
    if not directory.is_dir():
        typer.echo(f"error: no pact directory {directory}", err=True)
        raise typer.Exit(2)
    try:
        pacts = load_pacts(directory)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if required and not pacts:
        typer.echo(f"error: no pacts of golden-record-hub in {directory}", err=True)
        raise typer.Exit(2)
    return pacts


def _tooling() -> None:
    """pact-python is a development tool (the ``dev`` extra); say so instead of failing."""
    try:
        import pact  # noqa: F401
    except ImportError:
        typer.echo("error: contract verification needs pact-python: pip install pact-python")
        raise typer.Exit(2) from None
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")


def _finish(report: Report) -> None:
    typer.echo(report.render())
    if not report.ok:
        raise typer.Exit(1)


@contracts_app.command("verify")
def verify_command(
    pacts: Path = typer.Option(PACTS, "--pacts", help=PACTS_HELP),
    provider_url: str | None = typer.Option(
        None, "--provider-url", help="verify a running hub (default: a scratch hub)"
    ),
    provider_key: str | None = typer.Option(
        None, "--provider-key", envvar="MDM_ADMIN_API_KEY", help="an admin key of that hub"
    ),
    broker_url: str | None = typer.Option(
        None, "--broker-url", envvar="PACT_BROKER_BASE_URL", help="publish pacts and results"
    ),
    broker_token: str | None = typer.Option(None, envvar="PACT_BROKER_TOKEN", hidden=True),
    version: str | None = typer.Option(None, "--version", help="default: the git commit"),
    branch: str | None = typer.Option(None, "--branch", help="default: the git branch"),
) -> None:
    """Verify every consumer pact (HTTP and message interactions) against the hub.

    With no --provider-url a hub is started on a scratch SQLite database with a provider
    state endpoint of its own; with one, states are set up through that hub's API (it
    should be a disposable hub: the states write records). With --broker-url the pacts in
    --pacts are published first, then the broker's pacts for the hub are verified and the
    results published.
    """
    _tooling()
    from mdm.cli.contracts.broker import BrokerError, git_version, publish_pacts
    from mdm.cli.contracts.hub import scratch_hub
    from mdm.cli.contracts.verify import BrokerSource, verify_pacts

    found = _pacts(pacts, required=broker_url is None)
    broker = None
    if broker_url:
        sha, git_branch = git_version()
        broker = BrokerSource(broker_url, version or sha, branch or git_branch, broker_token)
        try:
            for line in publish_pacts(found, broker):
                typer.echo(line)
        except BrokerError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    if provider_url:
        if not provider_key:
            typer.echo("error: --provider-key (or MDM_ADMIN_API_KEY) is needed", err=True)
            raise typer.Exit(2)
        _finish(verify_pacts(found, hub_url=provider_url, admin_key=provider_key, broker=broker))
        return
    with scratch_hub() as hub:
        report = verify_pacts(
            found,
            hub_url=hub.url,
            admin_key=hub.admin_key,
            reset=hub.reset,
            broker=broker,
            target=f"a scratch hub ({hub.url})",
        )
    _finish(report)


@contracts_app.command("can-i-deploy")
def can_i_deploy_command(
    schema: list[str] = typer.Option(
        [], "--schema", help="ENTITY=FILE: a proposed schema (repeatable)"
    ),
    match_settings: list[Path] = typer.Option(
        [], "--match-settings", help="a proposed match-settings file (repeatable)"
    ),
    changed: bool = typer.Option(
        False, "--changed", help="propose every schema file that differs from the registered one"
    ),
    schemas_dir: Path = typer.Option(Path("canonical/schemas"), "--schemas-dir", hidden=True),
    pacts: Path = typer.Option(PACTS, "--pacts", help=PACTS_HELP),
    broker_url: str | None = typer.Option(
        None, "--broker-url", envvar="PACT_BROKER_BASE_URL", help="verify the broker's pacts"
    ),
    broker_token: str | None = typer.Option(None, envvar="PACT_BROKER_TOKEN", hidden=True),
) -> None:
    """Refuse (exit 1) a proposed schema or match-settings file that the compatibility
    modes refuse or under which any consumer pact fails, naming consumer and interaction.

    The consumer pacts are those in --pacts, or with --broker-url the broker's pacts for
    the hub (main branch and deployed consumers; no results are published).
    """
    _tooling()
    from mdm.cli.contracts.gate import can_i_deploy, changed_schemas, parse_schema_args
    from mdm.cli.contracts.verify import BrokerSource

    try:
        proposals = parse_schema_args(schema)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if changed:
        differing = changed_schemas(schemas_dir)
        for entity, path in differing:
            typer.echo(f"{path} differs from the registered {entity} schemas")
        proposals += differing
    if not proposals and not match_settings:
        typer.echo("nothing proposed: no schema file differs from the registered versions")
        return
    broker = BrokerSource(broker_url, "proposal", token=broker_token) if broker_url else None
    consumers = _pacts(pacts, required=broker is None)
    verdict = can_i_deploy(proposals, match_settings, consumers, broker=broker)
    typer.echo(verdict.render())
    if verdict.usage_error is None:
        _rematch_impact(match_settings)
    if not verdict.ok:
        raise typer.Exit(1 if verdict.usage_error is None else 2)


def _rematch_impact(settings_files: list[Path]) -> None:
    """What each proposed settings file would change in the configured hub (the rematch
    preview of ``mdm matching rematch``): shown, never a refusal by itself."""
    from mdm.cli.rematch_view import impact_lines

    for path in settings_files:
        typer.echo(f"rematch impact of {path} on the hub:")
        for line in impact_lines(path):
            typer.echo(f"  {line}")


def register(app: typer.Typer) -> None:
    app.add_typer(contracts_app, name="contracts")
