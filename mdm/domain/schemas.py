"""The canonical schemas in force: the newest registered version, live in every process.

Each unit of work that validates or reads records asks the registry for the newest
version of the entity type and its fingerprint (:meth:`SchemaRegistry.head`, one
indexed row, once per transaction). Compiled schemas and upcast chains are kept per
process keyed by ``(entity type, version, fingerprint)``, so a version registered by any
process is used by every other one from its next transaction on, with no message
between them and nothing to invalidate: a key that is not the head is simply not asked
for again.

Stored payloads keep the label of the version they were validated with
(``customer/v1``); :class:`Upcaster` reads an older one as the newest version sees it
(:func:`canonical.compatibility.upcast`), which is the identity unless that version
declares defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from canonical.compatibility import upcast
from canonical.registry import has_defaults, label_version
from canonical.schemas import CanonicalSchema, compile_schema, schema_for
from mdm.db.uow import UnitOfWork

__all__ = ["Upcaster", "Upcasters", "current_schema", "upcaster"]

_Key = tuple[str, int, str]
_MAX_CACHED = 256
_compiled: dict[_Key, CanonicalSchema] = {}
_chains: dict[_Key, tuple[Mapping[str, Any], ...]] = {}


def _remember(cache: dict[_Key, Any], key: _Key, value: Any) -> None:
    if len(cache) >= _MAX_CACHED:
        cache.clear()
    cache[key] = value


def current_schema(uow: UnitOfWork, entity_type: str) -> CanonicalSchema:
    """The newest registered schema of ``entity_type``, compiled (raises
    UnknownEntityType for a type the hub does not know)."""
    shipped = schema_for(entity_type, 1)
    head = uow.registry.head(entity_type)
    if head is None:
        return shipped
    key = (entity_type, *head)
    found = _compiled.get(key)
    if found is None:
        row = uow.registry.version(entity_type, head[0])
        assert row is not None
        found = compile_schema(entity_type, head[0], row["document"])
        _remember(_compiled, key, found)
    return found


class Upcaster:
    """Reads one entity type's stored payloads as its newest version sees them."""

    def __init__(self, latest: int, chain: tuple[Mapping[str, Any], ...] | None) -> None:
        self.latest = latest
        self._chain = chain

    def read(self, payload: Mapping[str, Any], label: str | None) -> Mapping[str, Any]:
        """``payload`` (validated with the version ``label`` names) upcast; unchanged when
        it is of the newest version, or when upcasting would change nothing."""
        if self._chain is None or not label:
            return payload
        version = label_version(label)
        if version >= self.latest or version > len(self._chain):
            return payload
        return upcast(payload, version=version, chain=self._chain)


def upcaster(uow: UnitOfWork, entity_type: str) -> Upcaster:
    schema = current_schema(uow, entity_type)
    if schema.version == 1 or not has_defaults(schema.document):
        return Upcaster(schema.version, None)
    head = uow.registry.head(entity_type)
    assert head is not None
    key = (entity_type, *head)
    chain = _chains.get(key)
    if chain is None:
        chain = tuple(doc for _, _, doc in uow.registry.documents(entity_type))
        _remember(_chains, key, chain)
    return Upcaster(schema.version, chain)


class Upcasters:
    """One :class:`Upcaster` per entity type, made on first use in a unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._by_type: dict[str, Upcaster] = {}

    def read(self, entity_type: str, payload: Mapping[str, Any], label: str | None) -> Any:
        found = self._by_type.get(entity_type)
        if found is None:
            found = self._by_type[entity_type] = upcaster(self._uow, entity_type)
        return found.read(payload, label)
