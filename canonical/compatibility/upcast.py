"""Upcast on read: a stored payload as the newest schema version sees it.

Stored payloads keep the version they were written with. Reading one with the newest
schema follows Avro's rule for a reader that knows more than the writer: a property the
writer's schema did not declare, and that the newest schema declares with a ``default``,
reads as that default. Nothing else changes: a property the writer knew but left out
stays absent (leaving it out meant something), values are never converted, and nothing
is dropped (the registry's compatibility mode is what keeps old payloads valid). So for
additive changes without defaults upcasting is the identity.

Only ``properties`` (through local ``$ref``) and array ``items`` are followed; defaults
declared inside ``allOf``/``if``/``then`` are not applied.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from canonical.compatibility._keywords import resolve_pointer

__all__ = ["upcast", "upcast_between"]

_MAX_REF_HOPS = 32


def upcast(
    payload: Mapping[str, Any],
    *,
    version: int,
    chain: Sequence[Mapping[str, Any]],
    first_version: int = 1,
) -> dict[str, Any]:
    """``payload``, written with version ``version`` of a subject whose registered schemas
    are ``chain`` (oldest first, ``chain[0]`` being ``first_version``), as the last one
    reads it. The input is never modified."""
    index = version - first_version
    if not 0 <= index < len(chain):
        last = first_version + len(chain) - 1
        raise ValueError(f"version {version} is not in the chain {first_version}..{last}")
    return upcast_between(payload, writer=chain[index], reader=chain[-1])


def upcast_between(
    payload: Mapping[str, Any], *, writer: Mapping[str, Any], reader: Mapping[str, Any]
) -> dict[str, Any]:
    """``payload``, written with ``writer``, as ``reader`` sees it."""
    if not isinstance(payload, Mapping):
        raise TypeError("a payload is a JSON object")
    result = _Upcaster(writer, reader).value(payload, writer, reader)
    assert isinstance(result, dict)
    return result


class _Upcaster:
    def __init__(self, writer_root: Mapping[str, Any], reader_root: Mapping[str, Any]) -> None:
        self.writer_root = writer_root
        self.reader_root = reader_root

    def value(self, value: Any, writer: Any, reader: Any) -> Any:
        writer = _deref(self.writer_root, writer)
        reader = _deref(self.reader_root, reader)
        if not isinstance(reader, Mapping):
            return value
        known = writer if isinstance(writer, Mapping) else {}
        if isinstance(value, Mapping):
            return self._object(value, known, reader)
        if isinstance(value, list) and "items" in reader:
            return [self.value(v, known.get("items", True), reader["items"]) for v in value]
        return value

    def _object(
        self, value: Mapping[str, Any], writer: Mapping[str, Any], reader: Mapping[str, Any]
    ) -> dict[str, Any]:
        out = dict(value)
        declared = writer.get("properties", {})
        for name, schema in reader.get("properties", {}).items():
            if name in out:
                out[name] = self.value(out[name], declared.get(name, True), schema)
            elif name not in declared:
                found, default = _default(self.reader_root, schema)
                if found:
                    out[name] = copy.deepcopy(default)
        return out


def _deref(root: Mapping[str, Any], schema: Any) -> Any:
    for _ in range(_MAX_REF_HOPS):
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return schema
        try:
            schema = resolve_pointer(root, ref[1:])
        except (KeyError, IndexError, ValueError):
            return {}
    return schema


def _default(root: Mapping[str, Any], schema: Any) -> tuple[bool, Any]:
    """The declared default, looked for beside a ``$ref`` first, then at its target."""
    if isinstance(schema, Mapping) and "default" in schema:
        return True, schema["default"]
    target = _deref(root, schema)
    if isinstance(target, Mapping) and "default" in target:
        return True, target["default"]
    return False, None
