"""JSON-Patch-like edits of the real canonical schemas, for compatibility tests."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

Op = tuple[str, str] | tuple[str, str, Any]


def canonical(entity: str) -> dict[str, Any]:
    """The shipped v1 document the cases edit. The customer's person rule is given its
    plain ``then: {required: [last_name]}`` shape, which the if/then cases are written
    against (the shipped rule is an ``anyOf`` of identifying properties)."""
    text = resources.files("canonical").joinpath(f"schemas/{entity}.v1.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    if entity == "customer":
        doc["allOf"][1]["then"] = {"required": ["last_name"]}
    return doc


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    *path, last = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    node = doc
    for token in path:
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node, last


def edited(doc: dict[str, Any], ops: Sequence[Op]) -> dict[str, Any]:
    """A copy of ``doc`` with ``ops`` applied: ("add"|"replace", pointer, value) or
    ("remove", pointer); ``-`` appends to an array, as in JSON Patch."""
    out = copy.deepcopy(doc)
    for op in ops:
        parent, last = _parent(out, op[1])
        if op[0] == "remove":
            if isinstance(parent, list):
                del parent[int(last)]
            else:
                del parent[last]
        elif isinstance(parent, list):
            value = copy.deepcopy(op[2])  # type: ignore[misc]
            if last == "-":
                parent.append(value)
            elif op[0] == "add":
                parent.insert(int(last), value)
            else:
                parent[int(last)] = value
        else:
            parent[last] = copy.deepcopy(op[2])  # type: ignore[misc]
    return out
