"""Repositories: every SQL statement of the write side, one class per aggregate or table
family. They work on the unit of work's connection and never commit."""

from __future__ import annotations

from mdm.db.repositories.admin import (
    ApiKeys,
    MatchSettingsStore,
    Quarantine,
    RequestLog,
    Sources,
)
from mdm.db.repositories.base import Repository, chunks, in_list, lock_id
from mdm.db.repositories.golden import GoldenRecords
from mdm.db.repositories.keyindex import KeyIndex, Locks
from mdm.db.repositories.outbox import Outbox
from mdm.db.repositories.records import SourceRecords
from mdm.db.repositories.registry import SchemaRegistry
from mdm.db.repositories.stewardship import (
    AuditLog,
    AuditPage,
    AuditQuery,
    Labels,
    MatchDecisions,
    MergeEvents,
    NotAMatch,
    TaskQuery,
    Tasks,
)
from mdm.db.repositories.sync import Crosswalk, Deliveries, RelayPositions
from mdm.db.repositories.targets import Targets
from mdm.db.repositories.transactional import SourceWebhooks, TransactionalEvents

__all__ = [
    "ApiKeys",
    "AuditLog",
    "AuditPage",
    "AuditQuery",
    "Crosswalk",
    "Deliveries",
    "GoldenRecords",
    "KeyIndex",
    "Labels",
    "Locks",
    "MatchDecisions",
    "MatchSettingsStore",
    "MergeEvents",
    "NotAMatch",
    "Outbox",
    "Quarantine",
    "RelayPositions",
    "Repository",
    "RequestLog",
    "SchemaRegistry",
    "SourceRecords",
    "SourceWebhooks",
    "Sources",
    "Targets",
    "TaskQuery",
    "Tasks",
    "TransactionalEvents",
    "chunks",
    "in_list",
    "lock_id",
]
