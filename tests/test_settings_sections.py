"""The hub's settings are one object with sections (``sync.settings.HubSettings``), and each
environment variable is read by exactly one section, under the name users set."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from pydantic_settings import BaseSettings

from mdm.settings import ObservabilitySettings, Settings, get_settings
from sync.connectors.settings import SyncSettings
from sync.settings import get_hub_settings, get_sync_settings
from sync.stream.settings import StreamEnvironment, get_stream_settings

SECTIONS: tuple[type[BaseSettings], ...] = (
    Settings,
    ObservabilitySettings,
    SyncSettings,
    StreamEnvironment,
)
CACHED = (get_hub_settings, get_settings, get_stream_settings, get_sync_settings)


def _variables(cls: type[BaseSettings]) -> Iterator[str]:
    prefix = str(cls.model_config.get("env_prefix", ""))
    for name, field in cls.model_fields.items():
        choices = getattr(field.validation_alias, "choices", None)
        yield from (str(c) for c in choices) if choices else [(prefix + name).upper()]


@pytest.fixture
def fresh() -> Iterator[None]:
    for cached in CACHED:
        cached.cache_clear()
    yield
    for cached in CACHED:
        cached.cache_clear()


def test_every_variable_is_read_by_exactly_one_section() -> None:
    read = Counter(v for cls in SECTIONS for v in _variables(cls))

    assert [v for v, n in read.items() if n > 1] == []
    assert {"MDM_DATABASE_URL", "MDM_NATS_URL", "MDM_NATS_STREAM", "MDM_LOG_FORMAT"} <= set(read)
    assert {"MDM_SYNC_ALLOWED_NETWORKS", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"} <= set(
        read
    )


def test_the_one_object_holds_every_section_under_the_names_users_set(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MDM_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("MDM_NATS_URL", "nats://hub:4222")
    monkeypatch.setenv("MDM_NATS_MAX_IN_FLIGHT", "64")
    monkeypatch.setenv("MDM_LOG_FORMAT", "json")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "hub-eu")
    monkeypatch.setenv("MDM_SYNC_ALLOWED_NETWORKS", "10.20.0.0/16")

    hub = get_hub_settings()

    assert hub.service is get_settings()
    assert hub.service.database_url == "sqlite:///elsewhere.db"
    assert (hub.service.observability.log_format, hub.service.observability.service_name) == (
        "json",
        "hub-eu",
    )
    assert (hub.stream.url, hub.stream.max_in_flight) == ("nats://hub:4222", 64)
    assert [str(n) for n in hub.connectors.networks] == ["10.20.0.0/16"]
