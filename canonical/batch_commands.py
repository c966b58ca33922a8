"""Commands of the batch engine's work on a whole entity type: the initial load and the
rematch, and where their batch matching step runs (:class:`BatchEngine`). Re-exported by
:mod:`canonical.commands`, where every other command is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ApplyRematch", "BatchEngine", "InitialLoad"]


@dataclass(frozen=True, slots=True)
class BatchEngine:
    """Where the batch matching step of an initial load or a rematch runs: ``local`` (this
    process) or ``spark`` (on ``master``, or on the Spark Connect server ``remote``, with
    ``partitions`` shuffle partitions and its intermediate tables under ``work_dir``)."""

    name: str = "local"
    master: str = "local[*]"
    remote: str | None = None
    partitions: int = 8
    work_dir: str | None = None


@dataclass(frozen=True, slots=True)
class InitialLoad:
    """The first load of an entity type from every source's file at once, clustered by
    the batch engine, written in one transaction (refused when records of the type exist).
    ``files``: one ``(source, path)`` per CSV or JSON Lines file, each read in its turn.
    With ``train``, the settings are estimated on these records first (as ``mdm dedupe``
    does) and stored as the entity type's newest version."""

    entity_type: str
    files: tuple[tuple[str, str], ...]
    actor: str
    correlation_id: str
    train: bool = True
    engine: BatchEngine = BatchEngine()


@dataclass(frozen=True, slots=True)
class ApplyRematch:
    """Rematch an entity type under proposed ``settings`` (a document) or ``version``
    (neither: those in use) and carry it out, every steward decision kept."""

    entity_type: str
    actor: str
    reason: str | None = None
    settings: Mapping[str, Any] | None = None
    version: str | None = None
    correlation_id: str | None = None
    engine: BatchEngine = BatchEngine()
