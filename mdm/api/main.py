"""ASGI entry point for ``uvicorn --factory mdm.api.main:app_factory`` (multi-worker),
and the process tuning ``mdm serve`` applies to a serving process."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from mdm.api.app import create_app
from mdm.bootstrap import bootstrap
from mdm.settings import get_settings

__all__ = ["app_factory", "tune_gc"]


def app_factory() -> FastAPI:
    settings = get_settings()
    app = create_app(bootstrap(settings, migrate=settings.is_sqlite))
    tune_gc()
    return app


def tune_gc() -> None:
    """Keep the garbage collector off the request path's tail.

    A request that builds a thousand views allocates enough to trigger full
    collections, and each walks every object the process holds (schemas, the
    ORM, the query cache): in-process p95 of a 1,000-descendant query fell from
    159 ms to 34 ms with this. Objects alive after start-up are moved out of the
    collector's sight (``gc.freeze``) and young collections run every 10,000
    allocations instead of 700.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
