"""Golden attributes derived from transactional events, carried through survivorship.

Most golden attributes survive from source records; a few say what the customer's
transactions show (``payment_status``: ``past_due`` while the newest payment failed,
``current`` after it recovered; see :func:`canonical.transactional.facts.payment_status_after`).
No source record carries them (the canonical customer schema has no such field), so
survivorship alone would drop them on every recompute. :func:`carry` puts them back:
a new value where the event side set one for this recompute, else the value the
golden record had. Being golden attributes, they reach every target through the
normal deliveries (the default CRM and support mappings send ``payment_status``) and
are in every golden event, version and ``asOf`` read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical.survivorship.lineage import LineageEntry

__all__ = ["DERIVED_ATTRIBUTES", "Derived", "carry", "derived_lineage"]

DERIVED_ATTRIBUTES: dict[str, tuple[str, ...]] = {"customer": ("payment_status",)}

# attribute -> (value, lineage entry); a value of None removes the attribute
Derived = Mapping[str, tuple[Any, LineageEntry | None]]


def derived_lineage(*, source: str, event_id: str, at: str, rule: str) -> LineageEntry:
    """A lineage entry for a derived attribute: the event that decided it."""
    return {
        "source": source,
        "source_id": event_id,
        "source_version": 1,
        "rule": rule,
        "at": at,
        "candidates": 1,
    }


def carry(
    entity_type: str,
    *,
    previous: Mapping[str, Any],
    previous_lineage: Mapping[str, LineageEntry],
    updates: Derived,
    attributes: dict[str, Any],
    lineage: dict[str, LineageEntry],
) -> None:
    """Add the derived attributes of ``entity_type`` to survivorship's ``attributes`` and
    ``lineage`` (in place): ``updates`` first, else what ``previous`` held."""
    for name in DERIVED_ATTRIBUTES.get(entity_type, ()):
        if name in updates:
            value, entry = updates[name]
        elif name in previous:
            value, entry = previous[name], previous_lineage.get(name)
        else:
            continue
        if value is None:
            continue
        attributes[name] = value
        if entry is not None:
            lineage[name] = LineageEntry(**entry)
