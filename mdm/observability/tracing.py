"""OpenTelemetry traces, only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set.

Nothing here imports OpenTelemetry at module level: without the variable the hub
loads none of it and its requests pay nothing. With it, every HTTP request is a
server span (FastAPI instrumentation) and every SQL statement a child span
(SQLAlchemy instrumentation on the app's engine), exported over OTLP/HTTP in
batches; the exporter reads the standard ``OTEL_*`` variables (endpoint, headers,
``OTEL_SERVICE_NAME``, batch delays). The packages are the ``otel`` extra.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine

__all__ = ["install_tracing"]

_MISSING = (
    "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
    "pip install 'golden-record-hub[otel]'"
)


def install_tracing(
    app: FastAPI, engine: Engine, endpoint: str | None, *, service: str = "golden-record-hub"
) -> Any:
    """Instrument ``app`` and ``engine`` when ``endpoint`` is set; returns the tracer
    provider (so tests and shutdown can flush it), or None when tracing is off."""
    if not endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise RuntimeError(_MISSING) from exc

    # shutdown_on_exit: the batch still queued is sent when the process ends
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}), shutdown_on_exit=True
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="health/live,health/ready,metrics"
    )
    # the instrumentation declares SQLAlchemy < 2.1 though it works through the same
    # engine events in 2.1; without skipping the check it would do nothing at all
    SQLAlchemyInstrumentor().instrument(
        engine=engine, tracer_provider=provider, skip_dep_check=True
    )
    return provider
