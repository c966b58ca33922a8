"""Seeing what the hub does: Prometheus metrics, health checks, JSON logs and traces.

One call wires it into an app (:func:`install_observability`, from the app
factory); the calls that count work (:func:`observe_ingest` and the outbound and
inbound hooks) live in :mod:`mdm.metrics`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from mdm.observability.logs import configure_logging
from mdm.observability.metrics import HttpMetricsMiddleware
from mdm.observability.routes import observability_router
from mdm.observability.tracing import install_tracing

__all__ = ["install_observability"]


def install_observability(app: FastAPI, container: Any) -> None:
    """Routes ``/metrics``, ``/health/live`` and ``/health/ready``; HTTP metrics as
    the outermost middleware (so refusals by the other middleware are counted too);
    JSON logs when ``MDM_LOG_FORMAT=json``; traces when an OTLP endpoint is set.
    Call it after the app's other middleware is added."""
    settings = container.settings.observability
    json_logs = configure_logging(settings.log_format)
    app.include_router(observability_router(container.bus, container.settings))
    app.add_middleware(HttpMetricsMiddleware, access_lines=json_logs)
    install_tracing(app, container.engine, settings.otlp_endpoint, service=settings.service_name)
