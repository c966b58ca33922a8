"""Extensions of the hub, found by entry point (group ``mdm.plugins``) and never imported.

The service (``mdm``) must not import the sync side, yet ``mdm serve`` runs the
embedded dispatcher and the ``mdm`` command has ``worker`` and ``targets``. So the
sync package registers one plugin object in ``pyproject.toml``; the composition
root adds its command handlers to the bus, the app factory mounts its routers,
the CLI lets it add commands, and ``mdm serve`` starts its background services on
the embedded default. Nothing happens by import side effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Protocol

from matching.port import Matcher
from mdm.bus import Handler
from mdm.domain.secrets import Sealer
from mdm.settings import Settings

__all__ = ["GROUP", "Plugin", "PluginDeps", "Service", "plugins"]

GROUP = "mdm.plugins"


@dataclass(frozen=True)
class PluginDeps:
    """What a plugin's handlers may be given."""

    settings: Settings
    matcher: Matcher
    sealer: Sealer


class Service(Protocol):
    """A background service ``mdm serve`` runs beside the API (a dispatcher thread)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class Plugin(Protocol):
    name: str

    def handlers(self, deps: PluginDeps) -> Mapping[type, Handler]: ...

    def routers(self) -> Sequence[Any]: ...

    def register_cli(self, app: Any) -> None: ...

    def services(self, container: Any) -> Sequence[Service]: ...


@cache
def plugins() -> tuple[Plugin, ...]:
    """Every installed plugin, in name order."""
    found = sorted(entry_points(group=GROUP), key=lambda ep: ep.name)
    return tuple(ep.load() for ep in found)
