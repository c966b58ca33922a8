"""The connectors' section of the settings, read from ``MDM_SYNC_*``, built lazily.

The dispatcher's pacing knobs (``MDM_SYNC_MAX_FAILURES``, ...) are the service's
(``mdm.settings``); what lives here is what only the connectors read, beside them because
they may not import the service (``sync.settings`` composes every section into one object).
Today that is where targets may point: ``MDM_SYNC_ALLOWED_NETWORKS``, comma-separated CIDR
ranges (empty by default), opens ranges the hub otherwise refuses to send to (loopback,
private, link-local, ...; :mod:`sync.connectors.egress`), e.g. ``10.20.0.0/16`` for an ERP
inside the network, or ``127.0.0.0/8`` for the test suite's stand-ins.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Network", "SyncSettings", "get_sync_settings", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, fd12::/16"`` as networks; a bare address is its own /32 or /128.
    Host bits are ignored (``10.1.2.3/8`` is ``10.0.0.0/8``): that is what an admin means."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()
    )


class SyncSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MDM_SYNC_", extra="ignore", frozen=True)

    allowed_networks: str = ""

    @field_validator("allowed_networks")
    @classmethod
    def _cidr_ranges(cls, value: str) -> str:
        """A typo in a range is refused at start, not found later as a refused delivery."""
        parse_networks(value)
        return value

    @property
    def networks(self) -> tuple[Network, ...]:
        return parse_networks(self.allowed_networks)


@lru_cache
def get_sync_settings() -> SyncSettings:
    return SyncSettings()
