"""Per-kind target options: their defaults and their checks, as data.

``on_merge`` says what a target does with a golden record merged away: ``deactivate``
(the default everywhere: reversible, and deleting is destructive at all four, e.g. a deleted
Salesforce Account takes its Contacts with it, a deleted Stripe customer loses its
subscriptions) or ``delete``. An unmerge brings the record back either way. Products and
prices are deactivated whatever ``on_merge`` says: the targets keep them on orders, invoices
and subscriptions (Stripe deletes no price, nor a product that has one).

Options whose default is an object (``price_books``, NetSuite's ``item_types`` and
``currencies``) are merged key by key over that default; their keys and values are non-empty
strings. ``price_books`` maps the hub's price books (a price's ``price_book``) to the target's
own, ``"*"`` standing for any other: Stripe's label (``metadata[mdm_price_book]`` and the
Price's ``nickname``; by default the hub's name), Salesforce's ``Pricebook2`` (``"standard"``
for the org's standard price book, else an Id or a Name; by default a price book of the same
Name, and the hub's ``standard`` is the org's standard one), NetSuite's price level internal id
(by default every price book is the base price, ``1``).
"""

from __future__ import annotations

import copy
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
        # products and prices: Product2 and PricebookEntry carry external_id_field too
        "price_books": {"standard": "standard"},
        # CurrencyIsoCode is sent (and must be) only where the org has multi-currency on;
        # without it every price must be in the org's corporate currency
        "multi_currency": False,
        "corporate_currency": "USD",
    },
    "stripe": {
        **_COMMON,
        # how long to wait for search to catch up with a create it does not show yet
        "search_retry_after_s": 10.0,
        "price_books": {},
        # how a price's tiers apply at Stripe: graduated or volume
        "tiers_mode": "graduated",
    },
    "netsuite": {
        **_COMMON,
        "record_type": "customer",
        # pause after CONCURRENCY_LIMIT_EXCEEDED without Retry-After
        "concurrency_pause_s": 1.0,
        # the item record type of a product, by its type ("*": a product without one)
        "item_types": {
            "one_time": "nonInventorySaleItem",
            "subscription": "serviceSaleItem",
            "usage": "serviceSaleItem",
            "*": "nonInventorySaleItem",
        },
        "price_books": {"*": "1"},
        # ISO code -> currency internal id (those of an account set up with NetSuite's
        # defaults; see Lists > Accounting > Currencies)
        "currencies": {"USD": "1", "GBP": "2", "CAD": "3", "EUR": "4"},
    },
    "zendesk": {
        **_COMMON,
        "merged_tag": "mdm_merged",
    },
}

_CHOICES: dict[str, tuple[Any, ...]] = {
    "on_merge": ("deactivate", "delete"),
    "tiers_mode": ("graduated", "volume"),
}
# the values an object option's entries may take (item record types the connector writes)
_ENTRY_CHOICES: dict[str, tuple[str, ...]] = {
    "item_types": ("nonInventorySaleItem", "serviceSaleItem", "otherChargeSaleItem"),
}
_LONGEST_ENTRY = 200


class OptionError(ValueError):
    """An option a target cannot use; the message names it."""


def resolve_options(kind: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The kind's defaults overlaid with ``options``; unknown or ill-typed options are refused."""
    if kind not in OPTION_DEFAULTS:
        raise OptionError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    defaults = OPTION_DEFAULTS[kind]
    resolved = copy.deepcopy(defaults)
    for name, value in (options or {}).items():
        if name not in defaults:
            raise OptionError(f"options.{name}: not an option of {kind} targets")
        default = defaults[name]
        if name in _CHOICES and value not in _CHOICES[name]:
            raise OptionError(f"options.{name}: one of {', '.join(_CHOICES[name])}")
        if isinstance(default, dict):
            resolved[name] = {**default, **_entries(name, value)}
            continue
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


def _entries(name: str, value: Any) -> dict[str, str]:
    """An object option's entries, checked: non-empty strings, from its choices if it has any."""
    if not isinstance(value, Mapping):
        raise OptionError(f"options.{name}: an object of strings")
    choices = _ENTRY_CHOICES.get(name)
    for key, item in value.items():
        if not (isinstance(key, str) and key and len(key) <= _LONGEST_ENTRY):
            raise OptionError(f"options.{name}: keys are non-empty strings")
        if not (isinstance(item, str) and item and len(item) <= _LONGEST_ENTRY):
            raise OptionError(f"options.{name}.{key}: a non-empty string")
        if choices is not None and item not in choices:
            raise OptionError(f"options.{name}.{key}: one of {', '.join(choices)}")
    return dict(value)
