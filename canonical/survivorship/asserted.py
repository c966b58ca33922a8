"""Values a steward asserted: they win over survivorship until a steward changes them.

A steward who approves a proposed hierarchy link says which organisation is the parent;
no source record says so, and survivorship alone would drop it on the next recompute.
:func:`keep_asserted` puts it back, as :func:`canonical.transactional.derived.carry` does
for derived attributes: the lineage entry names the steward rule, the task and the actor,
and, where the sources' choice differs, what survivorship would have chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical.survivorship.lineage import LineageEntry

__all__ = ["STEWARD_RULE", "Asserted", "asserted_lineage", "keep_asserted"]

STEWARD_RULE = "steward"

# attribute -> (value, lineage entry); a value of None withdraws the assertion
Asserted = Mapping[str, tuple[Any, LineageEntry]]


def asserted_lineage(*, task_id: str, actor: str, at: str) -> LineageEntry:
    """A lineage entry for a value a steward asserted in deciding ``task_id``."""
    return {
        "source": STEWARD_RULE,
        "source_id": task_id,
        "source_version": 1,
        "rule": STEWARD_RULE,
        "at": at,
        "candidates": 1,
        "actor": actor,
    }


def keep_asserted(
    *,
    previous: Mapping[str, Any],
    previous_lineage: Mapping[str, LineageEntry],
    updates: Asserted,
    attributes: dict[str, Any],
    lineage: dict[str, LineageEntry],
) -> None:
    """Put asserted values over survivorship's ``attributes`` and ``lineage`` (in place):
    ``updates`` first, else what ``previous`` held under the steward rule."""
    held = {
        name
        for name, entry in previous_lineage.items()
        if isinstance(entry, Mapping) and entry.get("rule") == STEWARD_RULE
    }
    for name in sorted(held | set(updates)):
        if name in updates:
            value, entry = updates[name]
        else:
            value, entry = previous.get(name), previous_lineage[name]
        if value is None:
            continue  # withdrawn: survivorship's choice stands
        chosen, own = lineage.get(name), LineageEntry(**entry)
        own.pop("survivorship", None)
        if chosen is not None and attributes.get(name) != value:
            own["survivorship"] = {
                "source": chosen.get("source"),
                "source_id": chosen.get("source_id"),
                "value": attributes[name],
            }
        attributes[name], lineage[name] = value, own
