"""The observability settings, read from the environment once (``get_observability``).

``MDM_LOG_FORMAT`` (``text`` or ``json``), ``MDM_NATS_URL`` (checked by readiness
when set) and OpenTelemetry's own ``OTEL_EXPORTER_OTLP_ENDPOINT`` (traces are sent
only when it is set).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ObservabilitySettings", "get_observability"]


class ObservabilitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MDM_", extra="ignore")

    log_format: Literal["text", "json"] = "text"
    nats_url: str | None = None
    otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    ready_timeout_seconds: float = 2.0


@lru_cache
def get_observability() -> ObservabilitySettings:
    return ObservabilitySettings()
