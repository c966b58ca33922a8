"""Targets as configuration: checking a target's body, storing it (credentials sealed),
showing it (credentials never), and turning a stored row into a connector's config."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from canonical.errors import FieldError, InvalidInput
from canonical.timestamps import iso as _iso
from mdm.plugin_api import Sealer
from sync.connectors import TargetConfig
from sync.connectors.egress import url_refusal
from sync.connectors.settings import get_sync_settings
from sync.readiness_rules import rules_of

__all__ = [
    "SUCCESS_WINDOW",
    "TARGET_NAME",
    "config_from_body",
    "config_of",
    "row_of",
    "success_rate",
    "target_view",
]

SUCCESS_WINDOW = timedelta(hours=1)
TARGET_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")
_FIELDS = {
    "kind",
    "base_url",
    "credentials",
    "source",
    "entity_types",
    "rate_limit_per_s",
    "mapping",
    "options",
    "readiness",
    "enabled",
}


# what the sync_target columns hold
_LONGEST = {"kind": 32, "base_url": 500, "source": 64}
MAX_SEALED_CREDENTIALS = 4000


def _invalid(pointer: str, message: str) -> InvalidInput:
    return InvalidInput(f"the target is invalid: {message}", [FieldError(pointer, message)])


def _check_shape(name: str, body: Mapping[str, Any]) -> None:
    if not TARGET_NAME.match(name):
        raise _invalid("/name", "a target name matches ^[a-z][a-z0-9_-]{1,63}$")
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        raise _invalid(f"/{unknown[0]}", f"'{unknown[0]}' is not a target field")
    shapes = {
        "credentials": (dict, "object"),
        "mapping": (dict, "object"),
        "options": (dict, "object"),
        "entity_types": (list, "array"),
    }
    for key, (kind, label) in shapes.items():
        if body.get(key) is not None and not isinstance(body[key], kind):
            raise _invalid(f"/{key}", f"'{key}' must be a JSON {label}")
    for key, longest in _LONGEST.items():
        if body.get(key) is not None and not isinstance(body[key], str):
            raise _invalid(f"/{key}", f"'{key}' must be a string")
        if isinstance(body.get(key), str) and len(body[key]) > longest:
            raise InvalidInput(
                f"the target is invalid: '{key}' is longer than {longest} characters",
                [FieldError(f"/{key}", f"at most {longest} characters", "too_long")],
            )
    creds = body.get("credentials") or {}
    if any(not isinstance(v, str) for v in creds.values()):
        raise _invalid("/credentials", "credential values must be strings")
    rate = body.get("rate_limit_per_s")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float)):
        raise _invalid("/rate_limit_per_s", "'rate_limit_per_s' must be a number")
    if not isinstance(body.get("enabled", True), bool):
        raise _invalid("/enabled", "'enabled' must be true or false")


def config_from_body(name: str, body: Mapping[str, Any]) -> TargetConfig:
    """The connector config a PUT body describes; 422 naming the field otherwise, also for
    an address the hub may not send to as given (the dispatcher checks what a name resolves
    to at every connection: sync.connectors.egress)."""
    _check_shape(name, body)
    try:
        config = TargetConfig.from_dict(name, body)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        pointer = "/" + field.replace(".", "/") if message else ""
        raise _invalid(pointer, str(exc)) from exc
    refused = url_refusal(config.base_url, get_sync_settings().networks)
    if refused is not None:
        raise _invalid("/base_url", f"base_url: {refused}")
    return config


def row_of(config: TargetConfig, *, enabled: bool, sealer: Sealer, now: datetime) -> dict[str, Any]:
    """The stored row; credentials too long to hold once sealed are a 422 naming them."""
    sealed = sealer.seal(config.credentials)
    if len(sealed) > MAX_SEALED_CREDENTIALS:
        raise InvalidInput(
            "the target is invalid: the credentials are too long to store",
            [FieldError("/credentials", "at most about 2,900 characters in all", "too_long")],
        )
    return {
        "name": config.name,
        "kind": config.kind,
        "base_url": config.base_url,
        "credentials": sealed,
        "source": config.source,
        "entity_types": list(config.entity_types),
        "rate_limit_per_s": config.rate_limit_per_s,
        "mapping": dict(config.mapping) if config.mapping is not None else None,
        "options": dict(config.options),
        "enabled": enabled,
        "tokens": 0.0,
        "created_at": now,
        "updated_at": now,
    }


def config_of(row: Mapping[str, Any], sealer: Sealer) -> TargetConfig:
    return TargetConfig(
        name=row["name"],
        kind=row["kind"],
        base_url=row["base_url"],
        credentials=sealer.open(row["credentials"]),
        source=row["source"],
        entity_types=tuple(row["entity_types"]),
        rate_limit_per_s=row["rate_limit_per_s"],
        mapping=row["mapping"],
        options=row["options"],
    )


def success_rate(outcomes: Mapping[str, int]) -> float | None:
    """The share of attempts that delivered or found nothing to send (skipped); None
    without attempts."""
    total = sum(outcomes.values())
    if not total:
        return None
    return round((outcomes.get("delivered", 0) + outcomes.get("skipped", 0)) / total, 4)


def target_view(
    row: Mapping[str, Any],
    stats: Mapping[str, Any] | None,
    now: datetime,
    outcomes: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """A target as the API shows it: configuration without secrets, its queue, and how
    its delivery attempts of the last hour (:data:`SUCCESS_WINDOW`) ended."""
    stats = stats or {}
    outcomes = outcomes or {}
    oldest = stats.get("oldest")
    paused = row["paused_until"] if row["paused_until"] and row["paused_until"] > now else None
    return {
        "name": row["name"],
        "kind": row["kind"],
        "base_url": row["base_url"],
        "credentials": {"configured": True},
        "source": row["source"],
        "entity_types": row["entity_types"],
        "rate_limit_per_s": row["rate_limit_per_s"],
        "mapping": row["mapping"],
        "options": row["options"],
        "readiness": rules_of(row),
        "enabled": row["enabled"],
        "pending": stats.get("pending", 0),
        "in_flight": stats.get("in_flight", 0),
        "delivered": stats.get("delivered", 0),
        "dead": stats.get("dead", 0),
        "held": stats.get("held", 0),
        "lag_seconds": round((now - oldest).total_seconds(), 3) if oldest else 0.0,
        "attempts_last_hour": sum(outcomes.values()),
        "success_rate": success_rate(outcomes),
        "paused_until": _iso(paused),
        "pause_reason": row["pause_reason"] if paused else None,
        "updated_at": _iso(row["updated_at"]),
    }
