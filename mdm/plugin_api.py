"""What a plugin of the hub may import from ``mdm``, and nothing else.

A plugin (the ``sync`` package is one, registered under the ``mdm.plugins`` entry point
group, see :mod:`mdm.plugins`) imports this module and no other module of ``mdm``;
import-linter checks it (``make lint``). Everything here is a re-export: the names keep
their home modules, which remain free to move or change behind this one. A plugin that
needs something more adds it here, in one of the groups below, with a line on why.

**Registering.** ``Plugin`` is the protocol the plugin object keeps; ``PluginDeps`` is what
its ``handlers(deps)`` is given; a ``Handler`` is ``handle(command, uow)``; a ``Service`` is
a background thread ``mdm serve`` starts and stops beside the API.

**Running.** ``Container`` is the composition root's result (settings, engine, bus);
``bootstrap()`` builds one for a plugin's own command (``mdm worker``); ``get_settings()`` is
the one cached settings object, ``Settings`` its type.

**Transactions.** ``UnitOfWork`` is the one transaction around state, history and outbox
rows; a handler receives one and never commits. ``run_in_transaction(engine, work)`` runs
``work(uow)`` in a fresh unit of work, retried whole on transient conflicts; a plugin's own
loop (a dispatcher, a relay) uses it where the bus is not involved.

**Time and secrets.** ``Clock`` is the hub's one clock (``now()``, aware UTC, and
``monotonic()``); a plugin reads the one it is given (``uow.clock``, ``container.clock``) and
falls back to ``SYSTEM``, never to a module-level call, so a test can replace it. ``Sealer``
seals and opens JSON secrets such as a target's credentials.

**Domain services a plugin may call inside a unit of work.** ``new_task(...)`` builds a
steward task the way every use case does, ``OPEN_TASK_STATUSES`` are the statuses of a task
still waiting for a steward; ``current_schema(uow, entity_type)`` is the registry's live
schema of an entity type; ``link_crosswalk(uow, source, ids, correlation_id=...)``, after a
target answered with its ids for golden records, links the source's parked inbound events
of those ids to the survivors;
``DELIVERY_STATES`` are the states of an outbound delivery row.

**Metrics.** ``observe_delivery`` and ``observe_dead_letter`` count settled deliveries.

**HTTP routes.** A plugin's router follows the hub's route rules: ``AdminPrincipal`` and
``StewardPrincipal`` authorize, ``ContainerDep`` and ``CorrelationId`` are the request's
container and correlation id, ``dispatch(container, command)`` and ``query(container,
read)`` run bus work on a worker thread, ``read_json`` reads a body the route declares with
``json_body``, ``refusals(...)`` declares its refusals, ``ApiError`` refuses, and
``JsonResponse`` answers.
"""

from __future__ import annotations

from mdm.bootstrap import Container, bootstrap
from mdm.bus import Handler
from mdm.clock import SYSTEM, Clock
from mdm.db.repositories.sync import DELIVERY_STATES
from mdm.db.uow import UnitOfWork, run_in_transaction
from mdm.domain.schemas import current_schema
from mdm.domain.secrets import Sealer
from mdm.domain.tasks import OPEN as OPEN_TASK_STATUSES
from mdm.domain.tasks import new_task
from mdm.domain.transactional.linking import link_crosswalk
from mdm.http.auth import AdminPrincipal, StewardPrincipal
from mdm.http.body import read_json
from mdm.http.deps import ContainerDep, CorrelationId, dispatch, query
from mdm.http.errors import ApiError
from mdm.http.openapi import json_body
from mdm.http.refusals import refusals
from mdm.http.responses import JsonResponse
from mdm.http.times import IsoTime
from mdm.metrics import observe_dead_letter, observe_delivery
from mdm.plugins import Plugin, PluginDeps, Service
from mdm.settings import Settings, get_settings

__all__ = [
    "DELIVERY_STATES",
    "OPEN_TASK_STATUSES",
    "SYSTEM",
    "AdminPrincipal",
    "ApiError",
    "Clock",
    "Container",
    "ContainerDep",
    "CorrelationId",
    "Handler",
    "IsoTime",
    "JsonResponse",
    "Plugin",
    "PluginDeps",
    "Sealer",
    "Service",
    "Settings",
    "StewardPrincipal",
    "UnitOfWork",
    "bootstrap",
    "current_schema",
    "dispatch",
    "get_settings",
    "json_body",
    "link_crosswalk",
    "new_task",
    "observe_dead_letter",
    "observe_delivery",
    "query",
    "read_json",
    "refusals",
    "run_in_transaction",
]
