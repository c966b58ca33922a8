"""The versioned canonical model: JSON Schema 2020-12 documents, compiled once each.

The files in ``canonical/schemas/`` are the shipped versions (``customer.v1.json``, ...);
version 1 of each is seeded into the schema registry, and the hub validates with the
newest *registered* version (``mdm.domain.schemas``), which :func:`compile_schema`
compiles from the registry's document. :func:`schema_for` reads the shipped files.

Validation uses jsonschema-rs (a compiled Rust validator, about two orders of
magnitude faster than the pure-Python ``jsonschema`` on our records) with format
checks on. Every error is reported with the JSON pointer of the offending
place; a missing or unexpected property points at the property itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from canonical.errors import FieldError, UnknownEntityType

__all__ = [
    "ENTITY_TYPES",
    "CanonicalSchema",
    "compile_schema",
    "pointer_tokens",
    "schema_for",
    "shipped_versions",
    "unescape_token",
    "validate",
]

ENTITY_TYPES: tuple[str, ...] = ("customer", "product", "price")
_FILE = re.compile(r"^(?P<entity>[a-z_]+)\.v(?P<version>[1-9][0-9]*)\.json$")


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """One JSON Pointer reference token as the key it names (RFC 6901: ``~1`` is ``/``)."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_tokens(pointer: str) -> list[str]:
    """The keys a JSON Pointer names, outermost first (``""`` names the whole document)."""
    return [unescape_token(t) for t in pointer.split("/")[1:]]


def _pointer(path: Any) -> str:
    return "".join("/" + _escape(part) for part in path)


@dataclass(frozen=True)
class CanonicalSchema:
    entity_type: str
    version: int
    document: Mapping[str, Any]
    validator: Any

    @property
    def id(self) -> str:
        return f"{self.entity_type}/v{self.version}"

    def _one_of_required(self, path: list[Any]) -> list[str]:
        """The properties an ``anyOf`` of single ``required`` branches asks one of."""
        node: Any = self.document
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return []
        if not isinstance(node, list):
            return []
        names: list[str] = []
        for branch in node:
            required = branch.get("required") if isinstance(branch, dict) else None
            if not isinstance(required, list) or len(required) != 1:
                return []
            names.append(str(required[0]))
        return names

    def errors(self, record: Any) -> list[FieldError]:
        """Every breach of this schema in ``record``; empty when valid."""
        if self.validator.is_valid(record):
            return []
        found: list[FieldError] = []
        for err in self.validator.iter_errors(record):
            kind = err.kind
            base = _pointer(err.instance_path)
            name = type(kind).__name__
            if name == "AdditionalProperties":
                for prop in kind.unexpected:
                    found.append(
                        FieldError(
                            f"{base}/{_escape(prop)}",
                            f"unknown field '{prop}'; put source-specific fields "
                            "under 'extensions'",
                            "unknown_field",
                        )
                    )
                continue
            if name == "Required":
                prop = kind.property
                found.append(
                    FieldError(f"{base}/{_escape(prop)}", f"'{prop}' is required", "required")
                )
                continue
            if name == "AnyOf" and isinstance(err.instance, str):
                # a string refused by every accepted form (a phone as people write it)
                message = f"{err.instance!r} matches none of the accepted forms"
                found.append(FieldError(base or "/", message, "pattern"))
                continue
            needed = self._one_of_required(list(err.schema_path)) if name == "AnyOf" else None
            if needed:
                message = f"needs at least one of {', '.join(repr(n) for n in needed)}"
                found.append(FieldError(f"{base}/{_escape(needed[0])}", message, "required"))
                continue
            code = {
                "Format": "format",
                "Pattern": "pattern",
                "Type": "type",
                "Enum": "enum",
                "MaxLength": "too_long",
                "MinLength": "too_short",
                "AnyOf": "required",
            }.get(name, name.lower())
            found.append(FieldError(base or "/", err.message, code))
        found.sort(key=lambda e: (e.pointer, e.code))
        return found


def _known(entity_type: str) -> None:
    if entity_type not in ENTITY_TYPES:
        raise UnknownEntityType(
            f"unknown entity type '{entity_type}'; expected one of {', '.join(ENTITY_TYPES)}"
        )


@cache
def shipped_versions(entity_type: str) -> tuple[int, ...]:
    """The versions of ``entity_type`` shipped as files, oldest first."""
    _known(entity_type)
    folder = resources.files("canonical").joinpath("schemas")
    found = (_FILE.match(entry.name) for entry in folder.iterdir())
    return tuple(
        sorted(int(m["version"]) for m in found if m is not None and m["entity"] == entity_type)
    )


def compile_schema(entity_type: str, version: int, document: Mapping[str, Any]) -> CanonicalSchema:
    """``document`` compiled as version ``version`` of ``entity_type`` (formats asserted)."""
    validator = jsonschema_rs.validator_for(dict(document), validate_formats=True)
    return CanonicalSchema(entity_type, version, document, validator)


@cache
def schema_for(entity_type: str, version: int | None = None) -> CanonicalSchema:
    """The compiled shipped schema of ``entity_type`` at ``version`` (newest file when None).

    The hub validates with the newest registered version instead (a registered version
    need not be shipped); this is the file an empty registry is seeded from.
    """
    _known(entity_type)
    ver = version or shipped_versions(entity_type)[-1]
    text = resources.files("canonical").joinpath(f"schemas/{entity_type}.v{ver}.json").read_text()
    return compile_schema(entity_type, ver, json.loads(text))


def validate(entity_type: str, record: Any) -> tuple[CanonicalSchema, list[FieldError]]:
    """Validate against the newest shipped schema; returns the schema used and the errors."""
    schema = schema_for(entity_type)
    return schema, schema.errors(record)
