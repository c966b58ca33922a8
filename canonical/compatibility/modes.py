"""Compatibility modes, the two promises they are made of, and a default per subject kind.

A schema change can break two different readers:

* **backward**: a reader on the *proposed* schema reads data written under an earlier
  one (stored records, a source that has not upgraded yet, an old event replayed);
* **forward**: a reader on an *earlier* schema reads data written under the proposed
  one (a consumer that has not upgraded yet).

``BACKWARD``, ``FORWARD`` and ``FULL`` keep those promises against the latest
registered version; their ``_TRANSITIVE`` forms against every registered version.
``NONE`` keeps none. These are the modes and meanings of Confluent Schema Registry.

Defaults, from who reads what:

* **entity** schemas (the canonical model) default to ``BACKWARD_TRANSITIVE``. Sources
  write records, the hub is their only reader, and it always reads with the newest
  schema: incoming records are validated against it, including those from a source still
  sending the previous shape, and every stored version of every record is kept forever and
  read again (survivorship recomputes, unmerges, history). So each new version must accept
  what *any* earlier version accepted. Forward compatibility buys nothing here: nobody
  reads canonical records with an old schema (consumers read golden records and events,
  which have subjects of their own), and asking for it would forbid adding an optional
  property to our closed models.
* **event** schemas (what the hub publishes) default to ``FORWARD_TRANSITIVE``. The hub
  writes, consumers read, and they upgrade when they choose, so a new version must be
  readable by consumers of *every* earlier one. Event schemas are open content models
  (consumers are tolerant readers and ignore properties they do not know), so adding a
  property passes while removing one, widening a type or adding an enum value does not.
  Full compatibility is not the default: with JSON Schema's content models it refuses
  every added optional property, open or closed (see the rule catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = ["DEFAULT_MODES", "Direction", "Mode", "SubjectKind", "default_mode"]


class Direction(StrEnum):
    """One promise a mode can keep."""

    BACKWARD = "backward"
    FORWARD = "forward"


class Mode(StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    FULL = "FULL"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @property
    def directions(self) -> frozenset[Direction]:
        base = self.value.removesuffix("_TRANSITIVE")
        if base == "NONE":
            return frozenset()
        if base == "FULL":
            return frozenset(Direction)
        return frozenset({Direction(base.lower())})

    @property
    def transitive(self) -> bool:
        """Checked against every earlier version, not only the latest."""
        return self.value.endswith("_TRANSITIVE")

    @classmethod
    def parse(cls, text: str) -> Mode:
        """``full-transitive``, ``Full_Transitive`` and ``FULL_TRANSITIVE`` all name one mode."""
        key = text.strip().upper().replace("-", "_")
        try:
            return cls(key)
        except ValueError:
            names = ", ".join(m.value for m in cls)
            message = f"unknown compatibility mode {text!r}; expected one of {names}"
            raise ValueError(message) from None


class SubjectKind(StrEnum):
    ENTITY = "entity"
    EVENT = "event"


DEFAULT_MODES: Mapping[SubjectKind, Mode] = MappingProxyType(
    {SubjectKind.ENTITY: Mode.BACKWARD_TRANSITIVE, SubjectKind.EVENT: Mode.FORWARD_TRANSITIVE}
)


def default_mode(kind: SubjectKind | str) -> Mode:
    """The mode a new subject of ``kind`` gets unless an admin sets another."""
    return DEFAULT_MODES[SubjectKind(kind)]
