"""Survivorship applied to one golden record: its members as survivorship reads them
(:func:`member_of`), and what recomputing it gives (:func:`survived`). Nothing here reads
or writes the database; :class:`~mdm.domain.golden_book.GoldenBook` calls it for every
golden change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from canonical.survivorship import Member, rules_for, survive
from canonical.survivorship.asserted import keep_asserted
from canonical.transactional.derived import carry
from mdm.domain.golden_state import GoldenState
from mdm.domain.record_key import RecordKey
from mdm.domain.schemas import Upcasters

__all__ = ["REFERENCES", "Survived", "member_of", "ref_key_of", "survived"]

# Attributes that hold another record's id *in the same source*; survivorship
# sees them translated to the referenced golden id.
REFERENCES: dict[str, dict[str, str]] = {
    "customer": {"parent": "customer"},
    "price": {"product": "product"},
}


def ref_key_of(entity_type: str, source: str, payload: Mapping[str, Any]) -> str | None:
    """The stored form (:attr:`RecordKey.text`) of the record ``payload`` refers to."""
    for attr, target in REFERENCES.get(entity_type, {}).items():
        value = payload.get(attr)
        if isinstance(value, str) and value:
            return RecordKey(source, target, value).text
    return None


def member_of(
    entity_type: str,
    rec: Mapping[str, Any],
    upcasters: Upcasters,
    xref: Mapping[RecordKey, str],
) -> Member:
    """Source record ``rec`` as survivorship reads it: its payload as the newest schema
    sees it, with references to records of its source translated to their golden ids
    (a reference not resolved yet is left out)."""
    payload = upcasters.read(entity_type, rec["payload"], rec.get("schema_version"))
    refs = REFERENCES.get(entity_type)
    if refs:
        payload = dict(payload)
        for attr, target in refs.items():
            value = payload.get(attr)
            if isinstance(value, str):
                resolved = xref.get(RecordKey(rec["source"], target, value))
                if resolved is None:
                    payload.pop(attr)
                else:
                    payload[attr] = resolved
    at = rec["source_updated_at"] or rec["received_at"]
    return Member(rec["source"], rec["source_id"], rec["version"], payload, at)


@dataclass(frozen=True, slots=True)
class Survived:
    """A golden record's attributes and lineage recomputed, and the names that changed."""

    attributes: dict[str, Any]
    lineage: dict[str, Any]
    changed: list[str]


def survived(g: GoldenState, members: list[Member]) -> Survived:
    """Survivorship over ``members``, carrying ``g``'s derived and asserted updates
    (values no source holds: transactional rollups, a steward's hierarchy decision)."""
    attributes, lineage = survive(rules_for(g.entity_type), members)
    carry(
        g.entity_type,
        previous=g.attributes,
        previous_lineage=g.lineage,
        updates=g.derived,
        attributes=attributes,
        lineage=lineage,
    )
    keep_asserted(
        previous=g.attributes,
        previous_lineage=g.lineage,
        updates=g.asserted,
        attributes=attributes,
        lineage=lineage,
    )
    changed = sorted(
        k for k in set(attributes) | set(g.attributes) if attributes.get(k) != g.attributes.get(k)
    )
    return Survived(attributes, lineage, changed)
