"""Matchers and provider states every hub consumer test uses."""

from __future__ import annotations

from typing import Any

from pact import generate, match
from pact.match.matcher import GenericMatcher

__all__ = [
    "EXISTS",
    "GID",
    "HEX",
    "MERGED",
    "OTHER_GID",
    "UPDATED",
    "envelope",
    "golden_id",
    "golden_path",
]

HEX = r"^[0-9a-f]{32}$"
GID = "0123456789abcdef0123456789abcdef"
OTHER_GID = "fedcba9876543210fedcba9876543210"
ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"

EXISTS = "a golden customer exists"
UPDATED = "a golden customer was updated"
MERGED = "two golden customers were merged"


def golden_id(example: str = GID) -> Any:
    return match.regex(example, regex=HEX)


def golden_path(suffix: str = "") -> Any:
    """``/api/v1/golden/customer/<the golden id the provider state made>``."""
    return GenericMatcher(
        "regex",
        value=f"/api/v1/golden/customer/{GID}{suffix}",
        regex=rf"^/api/v1/golden/customer/[0-9a-f]{{32}}{suffix}$",
        generator=generate.provider_state(f"/api/v1/golden/customer/${{golden_id}}{suffix}"),
    )


def envelope(event_type: str, data: dict[str, Any], *, subject: str = GID) -> dict[str, Any]:
    """A CloudEvents envelope of a golden event as consumers read it."""
    return {
        "specversion": "1.0",
        "id": match.str("6f1c2a8e-0000-4000-8000-000000000001"),
        "source": match.str("urn:mdm:hub"),
        "type": event_type,
        "subject": golden_id(subject),
        "time": match.regex("2026-01-01T00:00:00Z", regex=ISO),
        "data": data,
    }
