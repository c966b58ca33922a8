"""The hub's one settings object: every section, composed in the one place that may see them all.

Each section reads its own environment variables, each variable in exactly one place, under
the names users set (the operations page lists them):

- ``service``: :class:`mdm.settings.Settings` (``MDM_*``: the database, limits, the
  dispatcher's pacing, ``MDM_NATS_URL``, ...), with ``service.observability``
  (``MDM_LOG_FORMAT``, ``MDM_READY_TIMEOUT_SECONDS``, ``OTEL_*``);
- ``connectors``: :class:`sync.connectors.settings.SyncSettings`
  (``MDM_SYNC_ALLOWED_NETWORKS``), beside the connectors, which may not import the service;
- ``stream``: :class:`sync.stream.settings.StreamSettings` (the other ``MDM_NATS_*``),
  beside the stream client, which may not import the service either, with the service's
  ``MDM_NATS_URL`` put in here.

The service may not import the sync side, so it reads its own section through
:func:`mdm.settings.get_settings`: the very object ``get_hub_settings().service`` holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from mdm.plugin_api import Settings, get_settings
from sync.connectors.settings import Network, SyncSettings, get_sync_settings, parse_networks
from sync.stream.settings import StreamSettings, get_stream_settings

__all__ = [
    "HubSettings",
    "Network",
    "SyncSettings",
    "get_hub_settings",
    "get_sync_settings",
    "parse_networks",
    "stream_settings",
]


@dataclass(frozen=True, slots=True)
class HubSettings:
    """Every section of the hub's settings."""

    service: Settings
    connectors: SyncSettings
    stream: StreamSettings


def stream_settings(service: Settings, given: StreamSettings | None = None) -> StreamSettings:
    """The stream section (``given``, else the environment's knobs) with the service's
    ``MDM_NATS_URL``; a section given with a URL of its own (tests) keeps it when the
    service has none."""
    base = given or get_stream_settings()
    return base.model_copy(update={"url": service.nats_url or base.url})


@lru_cache
def get_hub_settings() -> HubSettings:
    """The process's settings, every section, read once."""
    service = get_settings()
    return HubSettings(service, get_sync_settings(), stream_settings(service))
