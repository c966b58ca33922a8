"""Keyword vocabulary and small pure helpers the diff rules share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema_rs

from canonical.schemas import unescape_token

__all__ = [
    "ANNOTATIONS",
    "HANDLED",
    "UNSUPPORTED",
    "accepts",
    "canonical_json",
    "covers",
    "escape",
    "finite_values",
    "is_annotation",
    "resolve_pointer",
    "snake",
    "types_of",
]

ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "$comment",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$id",
        "$anchor",
        "$defs",
        "definitions",
        "$vocabulary",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)
"""Keywords that never change which values are valid ($defs is walked through $ref)."""

HANDLED = frozenset(
    {
        "$schema",
        "$ref",
        "default",
        "type",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "items",
        "prefixItems",
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "minProperties",
        "maxProperties",
        "dependentRequired",
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "then",
        "else",
    }
)

UNSUPPORTED = frozenset(
    {
        "not",
        "contains",
        "minContains",
        "maxContains",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependentSchemas",
        "propertyNames",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
    }
)
"""2020-12 keywords the checker does not reason about: any change to them is breaking."""


def is_annotation(keyword: str) -> bool:
    """Annotations and vendor extensions (``x-...``) never affect validity."""
    return keyword in ANNOTATIONS or keyword.startswith("x-")


def escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def snake(keyword: str) -> str:
    """``maxLength`` -> ``max_length``."""
    return "".join("_" + c.lower() if c.isupper() else c for c in keyword)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def resolve_pointer(root: Any, pointer: str) -> Any:
    """The value at a JSON pointer (``/$defs/address``); raises KeyError when absent."""
    node = root
    for raw in pointer.split("/")[1:] if pointer else []:
        token = unescape_token(raw)
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, Mapping) and token in node:
            node = node[token]
        else:
            raise KeyError(pointer)
    return node


def types_of(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema's ``type`` allows; None when it does not restrict them."""
    value = schema.get("type")
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    return frozenset(str(n) for n in names)


def covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Every type in ``narrow`` is accepted by ``wide`` (``number`` accepts integers)."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def finite_values(schema: Mapping[str, Any]) -> tuple[str, list[Any]] | None:
    """``("const", [v])`` or ``("enum", values)`` when the schema lists its values."""
    if "const" in schema:
        return "const", [schema["const"]]
    if isinstance(schema.get("enum"), list):
        return "enum", list(schema["enum"])
    return None


def accepts(root: Mapping[str, Any], schema: Any, value: Any) -> bool | None:
    """Whether ``schema`` (a part of ``root``) accepts ``value``, formats asserted as the hub
    does; None when the part cannot be compiled on its own (then callers stay conservative)."""
    if isinstance(schema, bool):
        return schema
    document = dict(schema)
    for holder in ("$defs", "definitions"):
        if holder in root and holder not in document:
            document[holder] = root[holder]
    try:
        return bool(jsonschema_rs.validator_for(document, validate_formats=True).is_valid(value))
    except Exception:  # a part that refers outside itself, or an invalid schema
        return None
