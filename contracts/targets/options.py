"""Per-kind target options: their defaults and their checks, as data.

``on_merge`` says what a target does with a golden record merged away: ``deactivate``
(the default everywhere: reversible, and deleting is destructive at all four, e.g. a deleted
Salesforce Account takes its Contacts with it, a deleted Stripe customer loses its
subscriptions) or ``delete``. An unmerge brings the record back either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["KINDS", "OPTION_DEFAULTS", "OptionError", "resolve_options"]

KINDS = ("salesforce", "stripe", "netsuite", "zendesk")

# ``concurrency``: calls the dispatcher makes to the target at once (each carrying one
# record, or one collection for Salesforce)
_COMMON: dict[str, Any] = {"on_merge": "deactivate", "correlation_header": True, "concurrency": 8}

OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "salesforce": {
        **_COMMON,
        "api_version": "v61.0",
        "sobject": "Account",
        "external_id_field": "MDM_Golden_Id__c",
        # checkbox and text fields the hub sets when on_merge is "deactivate"
        "active_field": "MDM_Active__c",
        "merged_into_field": "MDM_Merged_Into__c",
        "batch_size": 200,
        # how long to pause after REQUEST_LIMIT_EXCEEDED (a rolling 24-hour limit) when
        # Salesforce gives no Retry-After
        "limit_pause_s": 300.0,
    },
    "stripe": {
        **_COMMON,
        # how long to wait for search to catch up with a create it does not show yet
        "search_retry_after_s": 10.0,
    },
    "netsuite": {
        **_COMMON,
        "record_type": "customer",
        # pause after CONCURRENCY_LIMIT_EXCEEDED without Retry-After
        "concurrency_pause_s": 1.0,
    },
    "zendesk": {
        **_COMMON,
        "merged_tag": "mdm_merged",
    },
}

_CHOICES: dict[str, tuple[Any, ...]] = {"on_merge": ("deactivate", "delete")}


class OptionError(ValueError):
    """An option a target cannot use; the message names it."""


def resolve_options(kind: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The kind's defaults overlaid with ``options``; unknown or ill-typed options are refused."""
    if kind not in OPTION_DEFAULTS:
        raise OptionError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    defaults = OPTION_DEFAULTS[kind]
    resolved = dict(defaults)
    for name, value in (options or {}).items():
        if name not in defaults:
            raise OptionError(f"options.{name}: not an option of {kind} targets")
        default = defaults[name]
        if name in _CHOICES and value not in _CHOICES[name]:
            raise OptionError(f"options.{name}: one of {', '.join(_CHOICES[name])}")
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise OptionError(f"options.{name}: true or false")
        elif isinstance(default, int | float) and (
            isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
        ):
            raise OptionError(f"options.{name}: a positive number")
        elif isinstance(default, str) and not (isinstance(value, str) and value):
            raise OptionError(f"options.{name}: a non-empty string")
        resolved[name] = value
    if kind == "salesforce" and not 1 <= int(resolved["batch_size"]) <= 200:
        raise OptionError("options.batch_size: 1 to 200 (the sObject Collections limit)")
    return resolved
