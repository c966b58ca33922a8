"""A source record's identity across systems: source, entity type and the source's own id."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["RecordKey"]


class RecordKey(NamedTuple):
    """Which source record: ``crm``'s ``customer`` ``C-42``. A tuple, so it hashes and sorts
    as one and the records repository's ``by_keys`` takes it as is; :attr:`text` is the form
    stored in ``source_record.ref_key`` and used for advisory locks."""

    source: str
    entity_type: str
    source_id: str

    @property
    def text(self) -> str:
        return f"{self.source}|{self.entity_type}|{self.source_id}"

    @classmethod
    def parse(cls, text: str) -> RecordKey:
        """The key a stored :attr:`text` names (a source id may itself hold ``|``)."""
        source, entity_type, source_id = text.split("|", 2)
        return cls(source, entity_type, source_id)
