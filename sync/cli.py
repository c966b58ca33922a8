"""``mdm targets add|list|remove``, ``mdm sync replay`` and ``mdm worker``."""

from __future__ import annotations

import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import typer
from prometheus_client import start_http_server

from canonical.commands import PutSyncTarget, RemoveSyncTarget, ReplayDeliveries
from canonical.errors import DomainError
from mdm.plugin_api import bootstrap, get_settings
from sync.inbound import InboundConsumer
from sync.queries import list_targets
from sync.worker import Dispatcher

__all__ = ["register"]

targets_app = typer.Typer(help="Systems golden records are pushed to.", no_args_is_help=True)
sync_app = typer.Typer(help="Deliveries to targets: replay what failed.", no_args_is_help=True)


def _fail(exc: DomainError) -> typer.Exit:
    detail = "; ".join(f"{e.pointer or '/'}: {e.message}" for e in exc.errors)
    typer.echo(f"error: {exc.message}" + (f" ({detail})" if detail else ""), err=True)
    return typer.Exit(2)


def _option(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--option takes key=value, got '{pair}'")
        try:
            out[key] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            out[key] = raw
    return out


@targets_app.command("add")
def add(
    name: str,
    kind: str = typer.Option(..., help="salesforce, stripe, netsuite or zendesk"),
    base_url: str = typer.Option(..., "--base-url"),
    token: str = typer.Option(..., help="The API token (stored encrypted)"),
    source: str = typer.Option(None, help="The source the target's records come back as"),
    entity_type: list[str] = typer.Option(["customer"], "--entity-type"),
    rate_limit: float = typer.Option(None, "--rate-limit", help="Deliveries per second"),
    mapping: Path = typer.Option(None, exists=True, help="A JSON file overriding the mapping"),
    readiness: Path = typer.Option(
        None, exists=True, help="A JSON file of readiness rules (default: the kind's)"
    ),
    option: list[str] = typer.Option([], "--option", help="key=value, e.g. on_merge=delete"),
    credential: list[str] = typer.Option([], "--credential", help="Extra key=value, e.g. email"),
) -> None:
    """Add a target, or replace its configuration."""
    body: dict[str, Any] = {
        "kind": kind,
        "base_url": base_url,
        "credentials": {"token": token, **{k: str(v) for k, v in _option(credential).items()}},
        "source": source,
        "entity_types": entity_type,
        "rate_limit_per_s": rate_limit,
        "options": _option(option),
    }
    if mapping is not None:
        body["mapping"] = orjson.loads(mapping.read_bytes())
    if readiness is not None:
        body["readiness"] = orjson.loads(readiness.read_bytes())
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        out = c.bus.handle(PutSyncTarget(name, body, "cli"))
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(f"{'added' if out['created'] else 'updated'} target '{name}' ({kind})")


@targets_app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """Targets with their pending, in-flight, dead and held deliveries and lag."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    rows = c.bus.query(list_targets)
    if as_json:
        typer.echo(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode())
        return
    typer.echo(
        f"{'name':<16} {'kind':<11} {'pending':>8} {'in flight':>9} {'dead':>6} {'held':>6} "
        f"{'lag s':>8}"
    )
    for t in rows:
        typer.echo(
            f"{t['name']:<16} {t['kind']:<11} {t['pending']:>8} {t['in_flight']:>9} "
            f"{t['dead']:>6} {t['held']:>6} {t['lag_seconds']:>8.1f}"
        )


@targets_app.command("remove")
def remove(name: str) -> None:
    """Remove a target and its queue."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        c.bus.handle(RemoveSyncTarget(name, "cli"))
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(f"removed target '{name}'")


@sync_app.command("replay")
def replay(
    target: str = typer.Option(None),
    state: str = typer.Option(None, help="pending, delivered or dead"),
    delivery_id: list[str] = typer.Option(None, "--delivery-id"),
    golden_id: str = typer.Option(None, "--golden-id"),
    since: datetime = typer.Option(None, help="Deliveries changed at or after (ISO 8601)"),
    until: datetime = typer.Option(None, help="Deliveries changed at or before"),
) -> None:
    """Send the selected deliveries again (dead letters: --target T --state dead)."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    command = ReplayDeliveries(
        actor="cli",
        target=target,
        state=state,
        delivery_ids=tuple(delivery_id) if delivery_id else None,
        golden_id=golden_id,
        since=since,
        until=until,
    )
    try:
        out = c.bus.handle(command)
    except DomainError as exc:
        raise _fail(exc) from exc
    typer.echo(f"replaying {out['replayed']} deliveries")


def worker(
    once: bool = typer.Option(False, help="Deliver what is due now, then exit"),
    metrics_port: int | None = typer.Option(
        None,
        "--metrics-port",
        min=1,
        max=65535,
        help="Serve this worker's Prometheus metrics (deliveries, dead letters, inbound "
        "events) on http://HOST:PORT/metrics",
    ),
    metrics_host: str = typer.Option("127.0.0.1", "--metrics-host"),
) -> None:
    """Run the dispatcher: plan deliveries from the outbox, deliver, reconcile (any number
    of workers may run against PostgreSQL); with MDM_NATS_URL set, also take sources'
    transactional events from the stream (durable consumer ``mdm-inbound``)."""
    settings = get_settings()
    c = bootstrap(settings, migrate=settings.is_sqlite)
    dispatcher = Dispatcher(c)
    if once:
        done = dispatcher.run_until_idle()
        typer.echo(f"delivered {done} deliveries")
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    inbound = InboundConsumer(c) if settings.nats_url else None
    if metrics_port is not None:
        # the counters of this process (mdm_deliveries_total, ...); the database gauges
        # are served by every API process's /metrics
        start_http_server(metrics_port, addr=metrics_host)
        typer.echo(f"metrics on http://{metrics_host}:{metrics_port}/metrics")
    dispatcher.start()
    if inbound is not None:
        inbound.start()
    typer.echo(f"worker {dispatcher.worker_id} running (Ctrl-C stops it)")
    stop.wait()
    if inbound is not None:
        inbound.stop()
    dispatcher.stop()


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")
    app.add_typer(sync_app, name="sync")
    app.command("worker")(worker)
