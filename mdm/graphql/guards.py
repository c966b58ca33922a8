"""Static guards run before execution: query depth and estimated cost.

Depth counts nested selection sets of the operation (fragments expanded,
introspection fields not counted, so GraphiQL's schema query passes).

Cost estimates how many objects the query can resolve: every field with a
selection set costs the product of the list sizes above it times its own size.
A list's size is its ``first`` argument (a literal or a variable) or, for lists
without one, a fixed estimate (:data:`LIST_SIZES`). Introspection counts like any
other field, with the sizes of :data:`INTROSPECTION_SIZES`, and every alias counts
on its own: a query that asks for ``__schema`` a thousand times under a thousand
aliases costs a thousand schemas and is refused before it runs. Plain leaf fields
are free (each comes at most once per object), but an aliased leaf costs one per
object it is read on, since aliases repeat a leaf without bound. The estimate is an
upper bound in the common case and cheap to compute; it is not a measurement.

Both walks visit each fragment once (its result is remembered), so a small document
whose fragments spread each other twice per level, which expands to millions of
fields, is measured in microseconds rather than expanded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
)

from mdm.db.storable import bad_text, unstorable
from mdm.graphql.errors import coded

__all__ = [
    "INTROSPECTION_SIZES",
    "LIST_SIZES",
    "MAX_COST",
    "MAX_DEPTH",
    "check_depth",
    "estimate_cost",
    "operation_of",
    "unstorable_arguments",
]

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

# The list fields of the introspection types, sized above this schema's averages (40
# types, 6 fields a type): GraphiQL's full schema query costs about 21,000, so it
# passes while a request that asks for the schema three times does not.
INTROSPECTION_SIZES: dict[str, int] = {
    "types": 50,
    "fields": 8,
    "inputFields": 8,
    "args": 2,
    "enumValues": 8,
    "interfaces": 2,
    "possibleTypes": 4,
    "directives": 8,
}
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return ops[0] if len(ops) == 1 else None
    return next((o for o in ops if o.name is not None and o.name.value == name), None)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def check_depth(document: DocumentNode, max_depth: int = MAX_DEPTH) -> list[GraphQLError]:
    fragments = _fragments(document)
    known: dict[str, int] = {}

    def depth(sel: SelectionSetNode | None) -> int:
        deepest = 0
        for node in sel.selections if sel is not None else ():
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__") or node.selection_set is None:
                    continue
                deepest = max(deepest, 1 + depth(node.selection_set))
            elif isinstance(node, InlineFragmentNode):
                deepest = max(deepest, depth(node.selection_set))
            elif isinstance(node, FragmentSpreadNode):
                deepest = max(deepest, _once(node.name.value, known, fragments, depth))
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


def _once(
    name: str,
    known: dict[str, int],
    fragments: Mapping[str, FragmentDefinitionNode],
    measure: Callable[[SelectionSetNode], int],
) -> int:
    """``measure`` of a fragment's selection set, computed once per fragment; a fragment
    met again while it is being measured (a cycle, which validation refuses) adds 0."""
    if name not in known:
        frag = fragments.get(name)
        known[name] = 0
        if frag is not None:
            known[name] = measure(frag.selection_set)
    return known[name]


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
    known: dict[str, int] = {}
    known_introspecting: dict[str, int] = {}

    def unit(sel: SelectionSetNode, introspecting: bool) -> int:
        """The cost of ``sel`` under a single parent object (cost is linear in the
        number of parents, so a fragment's unit cost serves every place it is spread)."""
        total = 0
        for node in sel.selections:
            if isinstance(node, FieldNode):
                if node.selection_set is None:
                    # a plain leaf comes at most once per object (the schema bounds it);
                    # aliases repeat it without bound, so each aliased one counts
                    total += node.alias is not None
                    continue
                name = node.name.value
                inside = introspecting or name in _INTROSPECTION_ROOTS
                size = INTROSPECTION_SIZES.get(name, 1) if inside else _size(node, variables)
                total += size + size * unit(node.selection_set, inside)
            elif isinstance(node, InlineFragmentNode):
                total += unit(node.selection_set, introspecting)
            elif isinstance(node, FragmentSpreadNode):
                memo = known_introspecting if introspecting else known
                total += _once(node.name.value, memo, fragments, lambda s: unit(s, introspecting))
        return total

    return unit(operation.selection_set, False)


def unstorable_arguments(
    document: DocumentNode, variables: Mapping[str, Any]
) -> list[GraphQLError]:
    """``BAD_USER_INPUT`` for every argument literal or variable holding text no query
    can carry to the database (a NUL, a lone surrogate; ``mdm.db.storable``), named by
    ``argument`` or ``variable``: on PostgreSQL such a value fails the query itself."""
    errors = [
        coded(
            f"variable '${name}' at {problem['pointer']}: {problem['message']}",
            "BAD_USER_INPUT",
            variable=name,
            pointer=problem["pointer"],
        )
        for name, value in variables.items()
        for problem in unstorable(value)
    ]
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            for arg in node.arguments:
                if _bad_literal(arg.value):
                    errors.append(
                        coded(
                            f"argument '{arg.name.value}' of '{node.name.value}' holds a NUL "
                            "character or a lone surrogate, which no query can carry",
                            "BAD_USER_INPUT",
                            argument=arg.name.value,
                        )
                    )
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return errors


def _bad_literal(value: ValueNode) -> bool:
    if isinstance(value, StringValueNode):
        return bad_text(value.value) is not None
    if isinstance(value, ListValueNode):
        return any(_bad_literal(v) for v in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_bad_literal(f.value) for f in value.fields)
    return False
