"""The consumer pacts of the hub, read from V4 pact files before anything is started.

A pact directory may hold pacts of other providers too (``contracts/pacts/`` keeps our
connectors' pacts against Salesforce and the others): only files whose provider is
:data:`PROVIDER` are the hub's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PROVIDER", "Interaction", "PactFile", "load_pacts", "unknown_states"]

PROVIDER = "golden-record-hub"


@dataclass(frozen=True)
class Interaction:
    consumer: str
    description: str
    kind: str  # "Synchronous/HTTP" | "Asynchronous/Messages" | ...
    states: tuple[tuple[str, Mapping[str, Any]], ...]

    @property
    def is_message(self) -> bool:
        return self.kind.startswith("Asynchronous")


@dataclass(frozen=True)
class PactFile:
    path: Path
    consumer: str
    interactions: tuple[Interaction, ...] = field(default=())


def _interactions(consumer: str, document: Mapping[str, Any]) -> tuple[Interaction, ...]:
    found: list[Interaction] = []
    for item in document.get("interactions", []):
        states = tuple(
            (str(s.get("name", "")), dict(s.get("params") or {}))
            for s in item.get("providerStates", [])
        )
        kind = str(item.get("type", "Synchronous/HTTP"))
        found.append(Interaction(consumer, str(item.get("description", "")), kind, states))
    return tuple(found)


def load_pacts(directory: Path, *, provider: str = PROVIDER) -> list[PactFile]:
    """Every pact file in ``directory`` (not recursive) whose provider is ``provider``,
    sorted by consumer. Raises ValueError naming a file that is not a pact."""
    pacts: list[PactFile] = []
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            consumer = document["consumer"]["name"]
            if document["provider"]["name"] != provider:
                continue
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path} is not a pact file: {exc}") from None
        pacts.append(PactFile(path, consumer, _interactions(consumer, document)))
    return sorted(pacts, key=lambda p: p.consumer)


def unknown_states(pacts: Iterable[PactFile], known: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(consumer, interaction, state)`` for every provider state the hub does not offer."""
    offered = set(known)
    return [
        (i.consumer, i.description, name)
        for pact in pacts
        for i in pact.interactions
        for name, _ in i.states
        if name not in offered
    ]
