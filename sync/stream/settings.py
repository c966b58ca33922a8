"""The event stream's section of the settings: ``MDM_NATS_*`` but the URL, built lazily.

The stream is off unless ``MDM_NATS_URL`` is set: the embedded default needs no NATS. That
one variable is the service's (``mdm.settings.Settings.nats_url``: its readiness check
needs it too), read there once; the composition in ``sync.settings`` hands it to this
section (:func:`sync.settings.stream_settings`). The stream client may not import the
service, so the other ``MDM_NATS_*`` are read here. The retention defaults are argued in
:mod:`sync.stream.streams`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["StreamEnvironment", "StreamSettings", "get_stream_settings"]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


class _Knobs(BaseModel):
    model_config = ConfigDict(frozen=True)

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


class StreamSettings(_Knobs):
    """Where and how the hub's events go on NATS JetStream: ``url`` (several servers of a
    cluster separated by commas; ``MDM_NATS_URL``, given by the composition) and the
    :class:`StreamEnvironment` knobs."""

    url: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.url)

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in (self.url or "").split(",") if s.strip()]


class StreamEnvironment(_Knobs, BaseSettings):
    """The knobs, each read from ``MDM_NATS_`` + its name in capitals: ``MDM_NATS_STREAM``,
    ``MDM_NATS_SUBJECT_PREFIX``, ``MDM_NATS_DUPLICATE_WINDOW_S``, ``MDM_NATS_MAX_AGE_S``,
    ``MDM_NATS_REPLICAS`` (used only when the hub creates the stream),
    ``MDM_NATS_MAX_IN_FLIGHT`` (publishes sent before their acks are awaited),
    ``MDM_NATS_PUBLISH_TIMEOUT_S`` and ``MDM_NATS_CONNECT_TIMEOUT_S``."""

    model_config = SettingsConfigDict(env_prefix="MDM_NATS_", extra="ignore", frozen=True)


@lru_cache
def get_stream_settings() -> StreamSettings:
    """The knobs from the environment, without a URL (the stream off): the composition
    (:func:`sync.settings.stream_settings`) adds the service's ``MDM_NATS_URL``."""
    return StreamSettings(**StreamEnvironment().model_dump())
