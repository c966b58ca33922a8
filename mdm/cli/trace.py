"""``mdm trace ID``: follow a correlation id through the hub."""

from __future__ import annotations

import orjson
import typer

from canonical.errors import NotFound
from mdm.bootstrap import bootstrap
from mdm.queries.trace import get_trace
from mdm.settings import get_settings

__all__ = ["register"]

_SKIP = {"kind", "at"}


def trace(
    correlation_id: str,
    as_json: bool = typer.Option(False, "--json", help="Print the trace as JSON"),
) -> None:
    """Everything one request caused, in time order."""
    c = bootstrap(migrate=get_settings().is_sqlite)
    try:
        out = c.bus.query(lambda uow: get_trace(uow, correlation_id))
    except NotFound as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())
        return
    for item in out["items"]:
        detail = " ".join(f"{k}={v}" for k, v in item.items() if k not in _SKIP and v is not None)
        typer.echo(f"{item['at']}  {item['kind']:<22} {detail}")


def register(app: typer.Typer) -> None:
    app.command("trace")(trace)
