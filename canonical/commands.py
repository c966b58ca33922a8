"""Commands: what a caller asks the hub to do, imperative and immutable.

Entry points (REST, CLI, GraphQL, workers) build a command and hand it to the
message bus; exactly one handler carries it out in one unit of work. A command
holds plain values only (ids, names, canonical payloads) and who asked for it
(``actor``) with the request's correlation id, so every change it makes can be
traced back to the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from canonical.batch_commands import ApplyRematch, BatchEngine, InitialLoad
from canonical.errors import FieldError

__all__ = [
    "ApplyRematch",
    "AssignTask",
    "BatchEngine",
    "BulkApproveTasks",
    "Command",
    "CreateApiKey",
    "DecideTask",
    "DiscardQuarantined",
    "IngestItem",
    "IngestRecords",
    "InitialLoad",
    "MergeGoldenRecords",
    "PutSyncTarget",
    "PutWebhookSecret",
    "RecordEvents",
    "RecordKeyUse",
    "RegisterSchema",
    "RegisterSource",
    "RemoveSyncTarget",
    "ReplayDeliveries",
    "Restandardize",
    "ResubmitQuarantined",
    "RetrainMatcher",
    "RevokeApiKey",
    "RotateApiKey",
    "SetSchemaMode",
    "SplitSourceRecord",
    "TaskSelection",
    "TaskVerdict",
    "TrainMatcher",
    "UnmergeGoldenRecord",
    "UpdateSource",
]


@dataclass(frozen=True, slots=True)
class IngestItem:
    """One source record as it arrived: both fields unvalidated (``record`` should be a
    JSON object following the canonical schema; ingest reports what it is not)."""

    source_id: Any
    record: Any


@dataclass(frozen=True, slots=True)
class IngestRecords:
    source: str
    entity_type: str
    items: tuple[IngestItem, ...]
    correlation_id: str | None = None
    # resubmitting from quarantine keeps the failure out of quarantine a second time
    quarantine_invalid: bool = True


@dataclass(frozen=True, slots=True)
class RecordEvents:
    """Transactional events one source reports, each as it arrived (a JSON object that
    should follow its type's canonical schema; intake reports what it is not).

    ``origin`` says how they came (``api``, ``webhook``, ``stripe``, ``stream``, ``file``);
    ``object_type`` (a bulk file's ``--entity``) refuses events of any other object type.
    ``refused`` are payloads the entry point could not even read as events (a provider's
    event its mapping refused), with why: they are reported and quarantined alike.
    """

    source: str
    events: tuple[Any, ...]
    correlation_id: str | None = None
    origin: str = "api"
    object_type: str | None = None
    quarantine_invalid: bool = True
    refused: tuple[tuple[Any, tuple[FieldError, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class PutWebhookSecret:
    """Set the secret a source signs its webhooks with (``stripe`` or
    ``standard-webhooks``); it is stored encrypted, never shown again."""

    source: str
    scheme: str
    secret: str
    actor: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ResubmitQuarantined:
    quarantine_id: str
    record: Any = None  # a corrected record; None submits the kept payload again
    source_id: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class RegisterSource:
    name: str
    description: str = ""
    default_region: str | None = None  # ISO 3166 alpha-2
    validation: str = "lenient"  # lenient | strict


@dataclass(frozen=True, slots=True)
class Restandardize:
    """Standardize stored records again and re-key their golden records, one page at a
    time: golden records of ``entity_type`` after ``after`` (in id order) with a member
    from ``source`` (any source when None)."""

    entity_type: str
    source: str | None = None
    after: str = ""
    limit: int = 500


@dataclass(frozen=True, slots=True)
class UpdateSource:
    """Change a registered source's default region (None clears it) when ``change_region``,
    and its validation mode (``lenient`` or ``strict``) when ``validation`` is given; both
    are checked before either changes."""

    name: str
    default_region: str | None = None
    validation: str | None = None
    change_region: bool = True


@dataclass(frozen=True, slots=True)
class CreateApiKey:
    name: str
    roles: tuple[str, ...]
    secret: str | None = None  # a given secret (MDM_ADMIN_API_KEY); None makes one


@dataclass(frozen=True, slots=True)
class RevokeApiKey:
    key_id: str
    actor: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class RecordKeyUse:
    """The key was used (``last_used_at``; recorded at most about once a minute)."""

    key_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RotateApiKey:
    """A new key with the same name and roles; the old one stays valid ``grace_hours``."""

    key_id: str
    actor: str
    grace_hours: float = 24.0
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class DiscardQuarantined:
    quarantine_id: str
    reason: str
    actor: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class MergeGoldenRecords:
    entity_type: str
    survivor_id: str
    merged_ids: tuple[str, ...]
    actor: str
    reason: str | None
    correlation_id: str | None = None
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class UnmergeGoldenRecord:
    entity_type: str
    survivor_id: str
    merged_id: str
    actor: str
    reason: str | None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class SplitSourceRecord:
    entity_type: str
    golden_id: str
    source: str
    source_id: str
    actor: str
    reason: str | None
    correlation_id: str | None = None


TaskVerdict = Literal["approve", "reject", "defer", "resolve"]


@dataclass(frozen=True, slots=True)
class DecideTask:
    task_id: str
    verdict: TaskVerdict
    actor: str
    reason: str | None = None
    correlation_id: str | None = None
    parent: str | None = None  # approving a hierarchy proposal: which of the two is the parent


@dataclass(frozen=True, slots=True)
class AssignTask:
    task_id: str
    assignee: str | None
    actor: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class TaskSelection:
    """Which steward tasks: each field set narrows the selection."""

    entity_type: str | None = None
    status: str | None = "open"
    kind: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    source: str | None = None
    assignee: str | None = None
    older_than_hours: float | None = None


@dataclass(frozen=True, slots=True)
class BulkApproveTasks:
    selection: TaskSelection
    expected_count: int
    actor: str
    reason: str | None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class TrainMatcher:
    entity_type: str
    actor: str
    reason: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class RetrainMatcher:
    """Re-estimate an entity type's match settings from the hub's own records (u from
    random pairs, m and prior by EM), then refine them with the steward labels if there
    are enough of them.

    ``incoming`` are records about to be loaded (canonical payloads) from ``source``:
    training reads them beside the stored ones, so a load decides with settings that saw
    its data. With ``when_grown`` nothing is trained unless no trained version exists, the
    records have at least doubled since the newest one was trained, or ``source`` is one
    it never saw (and there are enough records).
    """

    entity_type: str
    actor: str
    reason: str | None = None
    correlation_id: str | None = None
    incoming: tuple[Any, ...] = ()
    when_grown: bool = False
    source: str | None = None


@dataclass(frozen=True, slots=True)
class RegisterSchema:
    """Register ``document`` as the next version of a schema subject (a canonical entity
    type or a golden event type), if its compatibility mode allows it."""

    subject: str
    document: Any
    actor: str
    reason: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class SetSchemaMode:
    """Set a subject's compatibility mode; ``None`` returns it to its kind's default."""

    subject: str
    mode: str | None
    actor: str
    reason: str | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class PutSyncTarget:
    """Create or replace a target's configuration (``body`` as the API takes it)."""

    name: str
    body: Mapping[str, Any]
    actor: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class RemoveSyncTarget:
    name: str
    actor: str
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReplayDeliveries:
    """Re-drive deliveries: by target and state, by ids, by golden record, or by the time
    they last changed; at least one selector is given."""

    actor: str
    target: str | None = None
    state: str | None = None
    delivery_ids: tuple[str, ...] | None = None
    golden_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    correlation_id: str | None = None


Command = (
    IngestRecords
    | RecordEvents
    | PutWebhookSecret
    | ResubmitQuarantined
    | RegisterSource
    | CreateApiKey
    | RevokeApiKey
    | RecordKeyUse
    | RotateApiKey
    | DiscardQuarantined
    | MergeGoldenRecords
    | UnmergeGoldenRecord
    | SplitSourceRecord
    | DecideTask
    | AssignTask
    | BulkApproveTasks
    | TrainMatcher
    | RetrainMatcher
    | RegisterSchema
    | SetSchemaMode
    | PutSyncTarget
    | RemoveSyncTarget
    | ReplayDeliveries
)
