"""The registry's question: may ``proposed`` follow these versions under this mode?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from canonical.compatibility.changes import Incompatibility
from canonical.compatibility.diff import diff
from canonical.compatibility.modes import Direction, Mode

__all__ = ["check", "is_compatible"]


def check(
    previous: Sequence[Mapping[str, Any]],
    proposed: Mapping[str, Any],
    mode: Mode | str,
    *,
    versions: Sequence[int] | None = None,
) -> list[Incompatibility]:
    """Every change ``mode`` refuses, oldest version compared first; empty when allowed.

    ``previous`` holds the registered versions, oldest first; non-transitive modes compare
    with the last one only. ``versions`` labels them (default 1, 2, ...) so each refusal
    can say which version it breaks. With no previous version everything is allowed.
    """
    mode = Mode.parse(mode) if isinstance(mode, str) else mode
    labels = list(versions) if versions is not None else list(range(1, len(previous) + 1))
    if len(labels) != len(previous):
        raise ValueError(f"{len(labels)} version labels for {len(previous)} previous schemas")
    wanted = mode.directions
    if not wanted or not previous:
        return []
    pairs = list(zip(labels, previous, strict=True))
    if not mode.transitive:
        pairs = pairs[-1:]
    found: list[Incompatibility] = []
    for label, earlier in pairs:
        for change in diff(earlier, proposed):
            broken = tuple(d for d in Direction if d in change.breaks and d in wanted)
            if broken:
                found.append(
                    Incompatibility(
                        rule=change.rule,
                        pointer=change.pointer,
                        message=change.message,
                        breaks=broken,
                        against_version=label,
                        location=change.location,
                    )
                )
    return found


def is_compatible(
    previous: Sequence[Mapping[str, Any]], proposed: Mapping[str, Any], mode: Mode | str
) -> bool:
    return not check(previous, proposed, mode)
