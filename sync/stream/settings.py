"""Event-stream settings, read from ``MDM_NATS_*`` environment variables, built lazily.

The stream is off unless ``MDM_NATS_URL`` is set: the embedded default needs no NATS.
The retention defaults are argued in :mod:`sync.stream.streams`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["StreamSettings", "get_stream_settings"]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


class StreamSettings(BaseSettings):
    """Where and how the hub's events go on NATS JetStream.

    Each field is read from ``MDM_NATS_`` + its name in capitals: ``MDM_NATS_URL`` (several
    servers of a cluster separated by commas), ``MDM_NATS_STREAM``,
    ``MDM_NATS_SUBJECT_PREFIX``, ``MDM_NATS_DUPLICATE_WINDOW_S``, ``MDM_NATS_MAX_AGE_S``,
    ``MDM_NATS_REPLICAS`` (used only when the hub creates the stream),
    ``MDM_NATS_MAX_IN_FLIGHT`` (publishes sent before their acks are awaited),
    ``MDM_NATS_PUBLISH_TIMEOUT_S`` and ``MDM_NATS_CONNECT_TIMEOUT_S``.
    """

    model_config = SettingsConfigDict(env_prefix="MDM_NATS_", extra="ignore", frozen=True)

    url: str | None = None
    stream: str = "MDM_EVENTS"
    subject_prefix: str = "mdm"
    duplicate_window_s: float = Field(default=3600.0, gt=0)
    max_age_s: float = Field(default=7 * 24 * 3600.0, gt=0)
    replicas: int = Field(default=1, ge=1, le=5)
    max_in_flight: int = Field(default=256, ge=1, le=4000)
    publish_timeout_s: float = Field(default=5.0, gt=0)
    connect_timeout_s: float = Field(default=2.0, gt=0)

    @field_validator("stream")
    @classmethod
    def _stream_name(cls, value: str) -> str:
        if not _TOKEN.match(value):
            raise ValueError("a stream name is letters, digits, '_' and '-' only")
        return value

    @field_validator("subject_prefix")
    @classmethod
    def _prefix_tokens(cls, value: str) -> str:
        if not all(_TOKEN.match(token) for token in value.split(".")):
            raise ValueError("a subject prefix is dot-separated tokens without wildcards")
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in (self.url or "").split(",") if s.strip()]


@lru_cache
def get_stream_settings() -> StreamSettings:
    return StreamSettings()
