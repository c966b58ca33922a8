"""ASGI entry point for ``uvicorn --factory mdm.api.main:app_factory`` (multi-worker)."""

from __future__ import annotations

from fastapi import FastAPI

from mdm.api.app import create_app
from mdm.bootstrap import bootstrap
from mdm.settings import get_settings

__all__ = ["app_factory"]


def app_factory() -> FastAPI:
    settings = get_settings()
    return create_app(bootstrap(settings, migrate=settings.is_sqlite))
