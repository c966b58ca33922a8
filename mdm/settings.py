"""The service's settings, read from the environment once per process, built lazily.

:class:`Settings` is the service's section of the hub's one settings object, with the
observability settings as a section of its own (``settings.observability``). Each
environment variable is read in exactly one place: the service's here (``MDM_NATS_URL``
included: the readiness check and the sync side both take it from ``Settings.nats_url``),
the connectors' in ``sync/connectors/settings.py`` (``MDM_SYNC_ALLOWED_NETWORKS``) and the
event stream's in ``sync/stream/settings.py`` (the other ``MDM_NATS_*``).
``sync.settings.get_hub_settings`` composes them into one object: the service may not
import the sync side, nor the connectors and the stream client the service, so the sync
side's settings module is the one place that may see every section.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ObservabilitySettings", "Settings", "get_settings"]

DEFAULT_DATA_DIR = Path(".mdm")


class ObservabilitySettings(BaseSettings):
    """Logs, traces and readiness: ``MDM_LOG_FORMAT`` (``text`` or ``json``),
    ``MDM_READY_TIMEOUT_SECONDS``, and OpenTelemetry's own ``OTEL_EXPORTER_OTLP_ENDPOINT``
    (traces are sent only when it is set) and ``OTEL_SERVICE_NAME``."""

    model_config = SettingsConfigDict(env_prefix="MDM_", extra="ignore", frozen=True)

    log_format: Literal["text", "json"] = "text"
    otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    service_name: str = Field(
        default="golden-record-hub", validation_alias=AliasChoices("OTEL_SERVICE_NAME")
    )
    ready_timeout_seconds: float = 2.0


class Settings(BaseSettings):
    """The service's section (``MDM_*``); ``observability`` is a section of its own."""

    model_config = SettingsConfigDict(env_prefix="MDM_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'mdm.db'}"
    max_body_bytes: int = 1024 * 1024
    max_batch_items: int = 1000
    # the request head, limited while it arrives (mdm.http.protocol): a longer URL is a
    # 414, a larger request line and headers a 431, a head not sent in time a 408
    max_url_bytes: int = 8 * 1024
    max_header_bytes: int = 64 * 1024
    header_timeout_seconds: float = 10.0
    load_chunk_size: int = 1000
    # threads for short reads per process (mdm.http.threads); 0: 1 on SQLite, 4 otherwise
    read_threads: int = Field(default=0, ge=0, le=64)
    sql_echo: bool = False
    admin_api_key: str | None = None
    # probabilistic: fuzzy Fellegi-Sunter matching (the default); exact: link only on
    # shared strong identifiers (tax id, registration number, email, sku), e.g. for a
    # first bulk load of systems already deduplicated by identifier
    matcher: Literal["probabilistic", "exact"] = "probabilistic"

    # outbound sync: "inline" runs the dispatcher inside `mdm serve` (the embedded default);
    # "off" leaves it to `mdm worker` processes (PostgreSQL deployments)
    dispatcher: Literal["auto", "inline", "off"] = "auto"
    sync_max_failures: int = 8
    sync_poll_seconds: float = 0.05
    sync_lease_seconds: float = 60.0
    sync_reconcile_seconds: float = 300.0
    # the event stream: every outbox event is published to NATS JetStream when set (the
    # stream's own knobs, MDM_NATS_STREAM, MDM_NATS_SUBJECT_PREFIX, ..., are the sync
    # side's: sync/stream/settings.py)
    nats_url: str | None = None
    # the key that encrypts stored secrets (target credentials, webhook secrets): any
    # passphrase; without one a key file is made next to the embedded database
    secret_key: str | None = None
    secret_key_file: Path | None = None

    @cached_property
    def observability(self) -> ObservabilitySettings:
        """Read from the environment on first use, then kept; a section of its own so that
        ``MDM_LOG_FORMAT`` and the ``OTEL_*`` names stay what they are."""
        return ObservabilitySettings()

    @property
    def key_file(self) -> Path:
        """Where the secret key lives without MDM_SECRET_KEY: next to the SQLite file."""
        if self.secret_key_file is not None:
            return self.secret_key_file
        if self.is_sqlite and ":memory:" not in self.database_url:
            return Path(self.database_url.split(":///", 1)[-1]).parent / "secret.key"
        return DEFAULT_DATA_DIR / "secret.key"

    @property
    def inline_dispatcher(self) -> bool:
        """Whether `mdm serve` runs the dispatcher itself (auto: on SQLite only)."""
        return self.dispatcher == "inline" or (self.dispatcher == "auto" and self.is_sqlite)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once (``cache_clear()`` reads the environment again)."""
    return Settings()
