"""A faster execution context for the common leaf field and list of objects.

Most fields of a golden-record query are plain scalars read straight from a
dict or an attribute with graphene's default resolver (``lineage { source
rule at }``). graphql-core builds a ``GraphQLResolveInfo``, coerces (absent)
arguments and walks ``complete_value`` for each of them; here such fields read
the value and serialize it directly. Anything else, and every null or failing
leaf, takes graphql-core's own path, so results and errors are identical.

The shortcut needs a table of those fields for one schema. graphql-core builds
its execution context from a class (``execution_context_class``), so each
:class:`~mdm.graphql.executor.Executor` asks :func:`execution_context_for` for a
class of its own that carries its schema's table: two schemas (two apps) in one
process never read each other's. The overridden methods are graphql-core 3.2's
(``pyproject.toml`` pins ``<3.3``).
"""

from __future__ import annotations

import functools
from typing import Any

from graphene.types.resolver import dict_or_attr_resolver
from graphql import (
    ExecutionContext,
    FieldNode,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path

__all__ = ["FastExecutionContext", "execution_context_for", "leaf_plans"]

LeafPlan = tuple[str, Any, GraphQLLeafType, bool]
Subfields = dict[str, list[FieldNode]]
SHARED_CACHE_SIZE = 65_536
_TEXT = ("String", "ID")


def leaf_plans(schema: GraphQLSchema) -> dict[tuple[str, str], LeafPlan]:
    """(type name, field name) -> (attribute name, default, leaf type, is text) for
    every argument-less leaf field resolved by graphene's default resolver."""
    plans: dict[tuple[str, str], LeafPlan] = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            resolve = field.resolve
            leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if (
                isinstance(resolve, functools.partial)
                and resolve.func is dict_or_attr_resolver
                and not field.args
                and is_leaf_type(leaf)
            ):
                attname, default = resolve.args
                plans[(type_.name, name)] = (attname, default, leaf, leaf.name in _TEXT)
    return plans


def execution_context_for(schema: GraphQLSchema) -> type[FastExecutionContext]:
    """A :class:`FastExecutionContext` subclass with the leaf plans of ``schema`` and
    its own subfield cache (a class, because graphql-core instantiates it per request)."""
    attrs = {
        "plans": leaf_plans(schema),
        "shared_subfields": {},
        "static_operations": {},
        "__doc__": f"FastExecutionContext for {schema!r}",
    }
    return type("SchemaExecutionContext", (FastExecutionContext,), attrs)


def _has_directives(roots: list[Any]) -> bool:
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node.directives:
            return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return False


def _bounded_put(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= SHARED_CACHE_SIZE:
        cache.clear()
    cache[key] = value


class FastExecutionContext(ExecutionContext):
    """``execute_fields`` with a shortcut for the fields in :func:`leaf_plans`.

    Synchronous only (the executor runs ``execute_sync``). This class has no
    plans, so it behaves as graphql-core's own; use the subclass that
    :func:`execution_context_for` makes for a schema.
    """

    plans: dict[tuple[str, str], LeafPlan] = {}
    # Subfields by (type, ids of field nodes), kept across requests, for documents
    # without directives: only @skip and @include make them depend on variables.
    # An entry holds its nodes, so no other node can take their ids while it lives;
    # the executor's parsed-document cache hands the same nodes to every request.
    shared_subfields: dict[tuple[Any, ...], tuple[list[FieldNode], Subfields]] | None = None
    static_operations: dict[int, tuple[OperationDefinitionNode, bool]]  # set with the above

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_nodes: list[FieldNode]
    ) -> Subfields:
        shared = self.shared_subfields
        if shared is None or not self._static():
            return super().collect_subfields(return_type, field_nodes)
        key = (return_type, *map(id, field_nodes))
        hit = shared.get(key)
        if hit is not None:
            return hit[1]
        found = super().collect_subfields(return_type, field_nodes)
        _bounded_put(shared, key, (field_nodes, found))
        return found

    def _static(self) -> bool:
        """Whether this document's selections are the same whatever the variables."""
        operation = self.operation
        hit = self.static_operations.get(id(operation))
        if hit is None:
            roots = [operation, *self.fragments.values()]
            hit = (operation, not _has_directives(roots))
            _bounded_put(self.static_operations, id(operation), hit)
        return hit[1]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[FieldNode]],
    ) -> Any:
        results: dict[str, Any] = {}
        plans = self.plans
        type_name = parent_type.name
        is_dict = isinstance(source_value, dict)
        for response_name, field_nodes in fields.items():
            plan = plans.get((type_name, field_nodes[0].name.value))
            if plan is not None:
                attname, default, leaf, is_text = plan
                if is_dict:
                    value = source_value.get(attname, default)
                else:
                    value = getattr(source_value, attname, default)
                if is_text and type(value) is str:
                    results[response_name] = value
                    continue
                if value is not None:
                    try:
                        out = leaf.serialize(value)
                    except Exception:
                        out = None
                    if out is not None and out is not Undefined:
                        results[response_name] = out
                        continue
            result = self.execute_field(
                parent_type, source_value, field_nodes, Path(path, response_name, type_name)
            )
            if result is not Undefined:
                results[response_name] = result
        return results

    def complete_list_value(
        self,
        return_type: GraphQLList[Any],
        field_nodes: list[FieldNode],
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        item_type = return_type.of_type
        if type(result) is list and isinstance(item_type, GraphQLNonNull):
            inner = item_type.of_type
            if (
                isinstance(inner, GraphQLObjectType)
                and inner.is_type_of is None
                and not any(item is None for item in result)
            ):
                fields = self.collect_subfields(inner, field_nodes)
                execute = self.execute_fields
                return [
                    execute(inner, item, path.add_key(index, None), fields)
                    for index, item in enumerate(result)
                ]
        return super().complete_list_value(return_type, field_nodes, info, path, result)
