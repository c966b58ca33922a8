"""The sync side as a plugin of the hub (entry point ``mdm.plugins: sync``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from canonical.commands import PutSyncTarget, RemoveSyncTarget, ReplayDeliveries
from mdm.plugin_api import Handler, PluginDeps, Service
from sync import api, cli
from sync.handlers import put_target, remove_target, replay
from sync.inbound import InboundConsumer
from sync.worker import Dispatcher

__all__ = ["SyncPlugin", "plugin"]


class SyncPlugin:
    name = "sync"

    def handlers(self, deps: PluginDeps) -> Mapping[type, Handler]:
        return {
            PutSyncTarget: partial(put_target.handle, sealer=deps.sealer),
            RemoveSyncTarget: remove_target.handle,
            ReplayDeliveries: replay.handle,
        }

    def routers(self) -> Sequence[Any]:
        return [api.router]

    def register_cli(self, app: Any) -> None:
        cli.register(app)

    def services(self, container: Any) -> Sequence[Service]:
        """The embedded hub runs the dispatcher in-process (MDM_DISPATCHER=auto on SQLite),
        and with MDM_NATS_URL set the consumer of sources' events on the stream too."""
        if not container.settings.inline_dispatcher:
            return []
        inbound = [InboundConsumer(container)] if container.settings.nats_url else []
        return [Dispatcher(container), *inbound]


plugin = SyncPlugin()
