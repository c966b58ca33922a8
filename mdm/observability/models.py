"""The documented shapes of the health answers (``/health/live``, ``/health/ready``,
``/healthz``), for ``/openapi.json``."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Alive", "Readiness"]


class Alive(BaseModel):
    status: str = Field(examples=["ok"])


class Check(BaseModel):
    status: str = Field(description="ok or failed")
    ms: float | None = Field(default=None, description="How long the check took")
    error: str | None = Field(default=None, description="Why it failed")


class Readiness(BaseModel):
    status: str = Field(description="ready or unready")
    checks: dict[str, Check] = Field(description="database, and nats when MDM_NATS_URL is set")
