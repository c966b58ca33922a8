"""Account hierarchies: ancestors up to the ultimate parent, and descendant trees.

The hierarchy lives in the golden customers' ``parent`` attribute (a golden
id, resolved from each source's parent reference through the xrefs), so it
follows merges and unmerges without being stored twice. Read through
:class:`~mdm.db.read.ReadModel`, as GraphQL reads parents and children.
"""

from __future__ import annotations

from typing import Any

from canonical.errors import NotFound
from canonical.states import GoldenStatus
from mdm.db.read import Row
from mdm.db.uow import UnitOfWork

__all__ = ["get_hierarchy"]

MAX_DEPTH = 100


def _name(attrs: dict[str, Any]) -> str:
    if attrs.get("name"):
        return str(attrs["name"])
    return " ".join(str(attrs[k]) for k in ("first_name", "last_name") if attrs.get(k))


def _golden(uow: UnitOfWork, golden_id: str) -> Row | None:
    return uow.reads.golden_rows([golden_id]).get(golden_id)


def get_hierarchy(uow: UnitOfWork, *, golden_id: str, max_depth: int = 10) -> dict[str, Any]:
    """The record's ancestors (nearest first), its ultimate parent, and its descendants
    down to ``max_depth`` levels as a nested tree."""
    row = _golden(uow, golden_id)
    if row is None or row["entity_type"] != "customer":
        raise NotFound(f"no customer golden record '{golden_id}'")
    if row["status"] == GoldenStatus.MERGED and row["merged_into"]:
        return get_hierarchy(uow, golden_id=row["merged_into"], max_depth=max_depth)
    ancestors: list[dict[str, Any]] = []
    seen = {golden_id}
    parent = row["attributes"].get("parent")
    while isinstance(parent, str) and parent not in seen and len(ancestors) < MAX_DEPTH:
        seen.add(parent)
        prow = _golden(uow, parent)
        if prow is None:
            break
        ancestors.append({"id": prow["id"], "name": _name(prow["attributes"])})
        parent = prow["attributes"].get("parent")
    nodes: dict[str, dict[str, Any]] = {
        golden_id: {"id": golden_id, "name": _name(row["attributes"]), "children": []}
    }
    frontier, depth, total = [golden_id], 0, 0
    while frontier and depth < max_depth:
        kids = uow.reads.child_rows(frontier)
        frontier = []
        for kid in sorted(kids, key=lambda k: _name(k["attributes"])):
            if kid["id"] in nodes:
                continue
            node = {"id": kid["id"], "name": _name(kid["attributes"]), "children": []}
            nodes[kid["id"]] = node
            nodes[kid["parent"]]["children"].append(node)
            frontier.append(kid["id"])
            total += 1
        depth += 1
    return {
        "id": golden_id,
        "ancestors": ancestors,
        "ultimate_parent": ancestors[-1] if ancestors else None,
        "tree": nodes[golden_id],
        "descendant_count": total,
    }
