"""What applying a rematch would write, worked out before anything is written.

Only golden records whose membership changes take part, in groups that change together
(golden records sharing a new cluster, transitively). In each group every new cluster
becomes one golden record: the existing one that holds most of the cluster's records,
largest clusters choosing first, ties to the smaller id; a cluster whose golden records
were all chosen by larger clusters gets a new one. A golden record no cluster chose is
merged into the one that took most of its records, so its id keeps resolving; every
other record that changes golden record moves (a split, when the one it leaves stays).

A group touching a steward merge that could not be kept (it would join a not-a-match
pair, :attr:`matching.decided.Kept.refused`) is left out whole: the hub keeps what it
has there, and the plan says how many were left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mdm.domain.rematch import Rematch

__all__ = ["Plan", "Target", "plan"]


@dataclass(frozen=True, slots=True)
class Target:
    """One new cluster: the golden record it becomes (None: a new one) and its records."""

    golden_id: str | None
    records: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """``members``: each golden record taking part with its records now (checked again
    before writing: a record that moved since means the plan is stale); ``merged_into``:
    golden records merged away -> the golden record taking most of their records;
    ``opened``: review pairs to ask a steward about, as ``(record, other record, score)``;
    ``closed``: open tasks the rematch answers, ``(task id, why)``; ``left_out``: groups
    left out because they touch a steward merge that could not be kept."""

    entity_type: str
    settings_version: str
    targets: tuple[Target, ...]
    members: Mapping[str, tuple[str, ...]]
    merged_into: Mapping[str, str]
    opened: tuple[tuple[str, str, float], ...] = ()
    closed: tuple[tuple[str, str], ...] = ()
    left_out: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)


def plan(found: Rematch) -> Plan:
    """The plan of applying ``found`` (module docstring)."""
    hub, questions = found.hub, found.decisions.questions
    labels = found.kept.labels
    refused = _refused_goldens(found)
    by_golden = hub.by_golden
    targets: list[Target] = []
    members: dict[str, tuple[str, ...]] = {}
    merged_into: dict[str, str] = {}
    left_out = 0
    for goldens in _groups(found):
        if goldens & refused:
            left_out += 1
            continue
        rows = np.concatenate([by_golden.rows(g) for g in sorted(goldens)])
        for g in sorted(goldens):
            members[hub.golden_id(g)] = tuple(sorted(hub.record_id(r) for r in by_golden.rows(g)))
        chosen, into = _choose(hub.golden[rows], labels[rows])
        for label, golden in chosen:
            records = rows[labels[rows] == label]
            gid = None if golden is None else hub.golden_id(golden)
            targets.append(Target(gid, tuple(sorted(hub.record_id(r) for r in records))))
        merged_into.update((hub.golden_id(g), hub.golden_id(s)) for g, s in into.items())
    return Plan(
        hub.entity_type,
        found.settings.version,
        tuple(targets),
        members,
        merged_into,
        _opened(found),
        tuple((str(questions[i].info["task_id"]), why) for i, why in found.reviews.closed),
        left_out,
    )


def _refused_goldens(found: Rematch) -> set[int]:
    out: set[int] = set()
    for index in found.kept.refused:
        a, b = found.decisions.together[index].sides
        out.update(found.hub.golden[np.concatenate([a, b])].tolist())
    return out


def _groups(found: Rematch) -> list[set[int]]:
    """Golden records (codes) whose membership changes, grouped by shared new clusters."""
    hub, labels = found.hub, found.kept.labels
    rows = np.flatnonzero(np.isin(hub.golden, found.changes.changed))
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    if not len(rows):
        return []
    pairs = np.unique(hub.golden[rows] * len(labels) + labels[rows])
    for g, c in zip((pairs // len(labels)).tolist(), (pairs % len(labels)).tolist(), strict=True):
        a, b = find(("g", g)), find(("c", c))
        if a != b:
            parent[b] = a
    groups: dict[tuple[str, int], set[int]] = {}
    for node in list(parent):
        if node[0] == "g":
            groups.setdefault(find(node), set()).add(node[1])
    return sorted(groups.values(), key=min)


def _choose(
    goldens: np.ndarray, labels: np.ndarray
) -> tuple[list[tuple[int, int | None]], dict[int, int]]:
    """(cluster label, golden code or None) for every cluster of one group, and the golden
    records no cluster chose -> the chosen golden record that takes most of their rows."""
    clusters, sizes = np.unique(labels, return_counts=True)
    taken: dict[int, int] = {}  # golden code -> cluster label
    chosen: list[tuple[int, int | None]] = []
    for label in clusters[np.lexsort((clusters, -sizes))].tolist():
        held, counts = np.unique(goldens[labels == label], return_counts=True)
        order = np.lexsort((held, -counts))
        pick = next((int(held[i]) for i in order if int(held[i]) not in taken), None)
        if pick is not None:
            taken[pick] = label
        chosen.append((label, pick))
    target_of = {label: golden for label, golden in chosen}
    into: dict[int, int] = {}
    for golden in np.unique(goldens).tolist():
        if golden in taken:
            continue
        where, counts = np.unique(labels[goldens == golden], return_counts=True)
        best = where[np.lexsort((where, -counts))][0]
        survivor = target_of[int(best)]
        assert survivor is not None  # a cluster with rows of an unchosen golden chose one
        into[golden] = survivor
    return chosen, into


def _opened(found: Rematch) -> tuple[tuple[str, str, float], ...]:
    hub = found.hub
    return tuple((hub.record_id(a), hub.record_id(b), p) for a, b, p in found.reviews.opened)
