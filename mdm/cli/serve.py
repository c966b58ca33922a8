"""``mdm serve``: run the hub's API."""

from __future__ import annotations

import logging
from typing import Any

import typer
import uvicorn

from canonical.commands import CreateApiKey
from mdm.app import create_app, tune_gc
from mdm.bootstrap import Container, bootstrap
from mdm.demo import load_demo
from mdm.http.protocol import LimitedHttpToolsProtocol
from mdm.metrics import prepare_multiprocess
from mdm.observability.logs import configure_logging
from mdm.plugins import plugins
from mdm.queries.admin import count_admin_keys
from mdm.settings import get_settings

__all__ = ["register"]


def serve(
    host: str = typer.Option("127.0.0.1", "--host", "-h"),
    port: int = typer.Option(8000, "--port", "-p"),
    demo: bool = typer.Option(True, help="Load the demo data set into an empty embedded database"),
    workers: int = typer.Option(
        1,
        min=1,
        help="API processes, each with its own database connections (SQLite too); "
        "background services (the embedded dispatcher) run once, in the parent",
    ),
) -> None:
    """Run the API. The embedded default (SQLite) migrates itself on first start.

    With ``--workers N`` uvicorn starts N API processes on one port. On SQLite every
    process opens the same file (WAL: readers never wait for the writer; writers take
    turns through ``BEGIN IMMEDIATE`` and the busy timeout), and the embedded
    dispatcher runs in this parent process only, so each outbox row is planned and
    delivered by one dispatcher whatever the number of API processes.
    """
    settings = get_settings()
    if workers > 1 and settings.is_sqlite and _in_memory(settings.database_url):
        raise typer.BadParameter(
            "an in-memory SQLite database lives in one process; give a file "
            "(MDM_DATABASE_URL=sqlite:///path/hub.db) to run several workers",
            param_hint="--workers",
        )
    container = bootstrap(settings, migrate=settings.is_sqlite)
    if settings.is_sqlite and demo:
        empty = container.bus.query(lambda uow: uow.goldens.count() == 0)
        if empty:
            counts = load_demo(container.bus)
            typer.echo(
                f"loaded the demo data set into {settings.database_url}: {dict(counts)}\n"
                "  (mdm serve --no-demo on a fresh database starts empty)"
            )
    admin_key = ensure_admin_key(container)
    base = f"http://{host}:{port}"
    typer.echo(f"Golden-record hub on {base}")
    typer.echo(f"  REST API docs   {base}/docs")
    typer.echo(f"  GraphQL         {base}/graphql")
    typer.echo(f"  Steward console {base}/steward")
    typer.echo(f"  Health          {base}/health/ready  (liveness {base}/health/live)")
    typer.echo(f"  Metrics         {base}/metrics")
    typer.echo(f"  Event feed      {base}/api/v1/events")
    if admin_key:
        typer.echo(f"  Admin API key   {admin_key}   (send 'Authorization: Bearer <key>')")
    else:
        typer.echo(
            "  Admin API key   shown once, at first start; another: mdm keys create --role admin"
        )
    logging.basicConfig(level=logging.INFO)
    services = [s for plugin in plugins() for s in plugin.services(container)]
    for service in services:
        service.start()
    try:
        _run(container, host=host, port=port, workers=workers)
    finally:
        for service in services:
            service.stop()


def _run(container: Container, *, host: str, port: int, workers: int) -> None:
    # JSON logs: uvicorn's loggers go through the app's JSON handler, not its own config
    logs: dict[str, Any] = (
        {"log_config": None} if configure_logging(get_settings().observability.log_format) else {}
    )
    # httptools with limits on the request head (414, 431, 408 before the app sees it);
    # each worker process reads the limits from its own settings
    http = LimitedHttpToolsProtocol
    if workers > 1:
        prepare_multiprocess(workers)  # each worker's metrics, added up by /metrics
        uvicorn.run(
            "mdm.app:app_factory",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http=http,
            log_level="warning",
            **logs,
        )
    else:
        app = create_app(container)
        tune_gc()
        uvicorn.run(app, host=host, port=port, http=http, log_level="warning", **logs)


def _in_memory(url: str) -> bool:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return not path or path.startswith(":memory:") or "mode=memory" in url


def ensure_admin_key(container: Container) -> str | None:
    """The embedded default takes its admin key from MDM_ADMIN_API_KEY, or makes one at
    first start; returns the key to print when it was just made or given."""
    given = container.settings.admin_api_key
    if given:
        container.bus.handle(CreateApiKey("admin", ("admin",), secret=given))
        return None
    if container.bus.query(count_admin_keys):
        return None
    secret, _ = container.bus.handle(CreateApiKey("admin", ("admin",)))
    return str(secret)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
