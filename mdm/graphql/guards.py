"""Static guards run before execution: query depth and estimated cost.

Depth counts nested selection sets of the operation (fragments expanded,
introspection fields not counted, so GraphiQL's schema query passes).

Cost estimates how many objects the query can resolve: every field with a
selection set costs the product of the list sizes above it times its own size.
A list's size is its ``first`` argument (a literal or a variable) or, for lists
without one, a fixed estimate (:data:`LIST_SIZES`). The estimate is an upper
bound in the common case and cheap to compute; it is not a measurement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)

from mdm.graphql.errors import coded

__all__ = ["LIST_SIZES", "MAX_COST", "MAX_DEPTH", "check_depth", "estimate_cost", "operation_of"]

MAX_DEPTH = 12
MAX_COST = 50_000

# field name -> (default size when no ``first`` is given, whether ``first`` applies)
LIST_SIZES: dict[str, tuple[int, bool]] = {
    "customers": (20, True),
    "products": (20, True),
    "stewardTasks": (20, True),
    "children": (100, True),
    "descendants": (1000, True),
    "history": (10, True),
    "ancestors": (10, False),
    "prices": (20, False),
    "lineage": (20, False),
    "xrefs": (5, False),
    "matchCandidates": (10, False),
    "matchDecisions": (10, False),
    "tiers": (10, False),
}


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ops[0] if len(ops) == 1 else None
    return next((o for o in ops if o.name is not None and o.name.value == name), None)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The fields of a selection set with fragments flattened (each fragment once per path)."""
    out: list[FieldNode] = []
    if selection_set is None:
        return out
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            out.extend(_fields(sel.selection_set, fragments, seen))
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            frag = fragments.get(name)
            if frag is not None and name not in seen:
                out.extend(_fields(frag.selection_set, fragments, seen | {name}))
    return out


def check_depth(document: DocumentNode, max_depth: int = MAX_DEPTH) -> list[GraphQLError]:
    fragments = _fragments(document)

    def depth(sel: SelectionSetNode | None) -> int:
        deepest = 0
        for f in _fields(sel, fragments):
            if f.name.value.startswith("__") or f.selection_set is None:
                continue
            deepest = max(deepest, 1 + depth(f.selection_set))
        return deepest

    errors = []
    for op in document.definitions:
        if isinstance(op, OperationDefinitionNode):
            found = depth(op.selection_set)
            if found > max_depth:
                errors.append(
                    coded(
                        f"the query is {found} levels deep; the limit is {max_depth}",
                        "QUERY_TOO_DEEP",
                        depth=found,
                        maxDepth=max_depth,
                    )
                )
    return errors


def _size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    spec = LIST_SIZES.get(field.name.value)
    if spec is None:
        return 1
    size, uses_first = spec
    if not uses_first:
        return size
    for arg in field.arguments:
        if arg.name.value != "first":
            continue
        if isinstance(arg.value, IntValueNode):
            return max(1, int(arg.value.value))
        if isinstance(arg.value, VariableNode):
            value = variables.get(arg.value.name.value)
            if isinstance(value, int):
                return max(1, value)
    return size


def estimate_cost(
    document: DocumentNode, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> int:
    fragments = _fragments(document)

    def cost(sel: SelectionSetNode | None, multiplier: int) -> int:
        total = 0
        for f in _fields(sel, fragments):
            if f.selection_set is None or f.name.value.startswith("__"):
                continue
            here = multiplier * _size(f, variables)
            total += here + cost(f.selection_set, here)
        return total

    return cost(operation.selection_set, 1)
