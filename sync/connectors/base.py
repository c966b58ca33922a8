"""The one small interface between the dispatcher and the systems it delivers to.

The dispatcher hands a connector the latest state of some golden records (``OutboundRecord``)
and gets one ``PushResult`` per record back, in the same order. Whatever went wrong is a
``DeliveryError`` with a stable ``code``, saying whether trying again can help
(``retryable``), when (``retry_after``, seconds) and whether the problem is the record's or
the whole target's (``scope``: a target-wide error such as Zendesk's 429 or NetSuite's
concurrency limit pauses every delivery to that target). Connectors never sleep, never retry
on their own and keep no state between calls beyond their HTTP client: backoff, rate limits,
ordering and dead letters are the dispatcher's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from contracts.integration_events import TOPICS
from contracts.targets import KINDS, OPTION_DEFAULTS, validate_target

__all__ = [
    "Connector",
    "DeliveryError",
    "ErrorCode",
    "ErrorScope",
    "OutboundRecord",
    "PermanentError",
    "PushResult",
    "RetryableError",
    "TargetConfig",
]

ErrorScope = Literal["record", "target"]
# what the connectors deliver (products and prices: Salesforce, Stripe and NetSuite), and the
# integration-event topics a target may subscribe to instead or as well
# (``customer.payment_failed``: the customer at the version its payment failed)
_CATALOG = frozenset({"product", "price"})
_CATALOG_KINDS = frozenset({"salesforce", "stripe", "netsuite"})
_ENTITY_TYPES = frozenset({"customer", *_CATALOG, *TOPICS.values()})
# options that become a segment of the target's URL paths (Salesforce's
# /sobjects/{sobject}/{external_id_field}/..., NetSuite's /record/v1/{record_type}/...)
_PATH_OPTIONS = frozenset({"api_version", "sobject", "external_id_field", "record_type"})
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")
_MAX_PAUSE_S = 86_400.0


class ErrorCode:
    """The stable codes of DeliveryError; the target's own code rides in ``target_code``."""

    CONNECT_FAILED = "connect_failed"  # nothing reached the target: safe to send again
    NO_ANSWER = "no_answer"  # sent, but the answer was lost or cut: the change may be applied
    TIMEOUT = "timeout"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"
    RATE_LIMITED = "rate_limited"
    CONCURRENCY_LIMIT = "concurrency_limit"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    LOCKED = "locked"
    PARENT_MISSING = "parent_missing"
    DUPLICATE_VALUE = "duplicate_value"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    UNEXPECTED = "unexpected"
    # the target's address is one the hub may not send to (sync.connectors.egress)
    ADDRESS_REFUSED = "address_refused"
    # not sent: the target asked for a pause that has not ended (sync.connectors.http.paused_by)
    HELD = "held"


class DeliveryError(Exception):
    """Why a record (or a whole call) was not acknowledged.

    ``depends_on`` names a golden id the target needs first (a parent it does not know yet),
    so the dispatcher can deliver that one before retrying this one.
    """

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        scope: ErrorScope = "record",
        status: int | None = None,
        target_code: str | None = None,
        depends_on: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.scope: ErrorScope = scope
        self.status = status
        self.target_code = target_code
        self.depends_on = depends_on

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form for a delivery's ``last_error``."""
        return {
            "code": self.code,
            "message": self.message,
            "retryable": self.retryable,
            "retry_after": self.retry_after,
            "scope": self.scope,
            "status": self.status,
            "target_code": self.target_code,
            "depends_on": self.depends_on,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, scope={self.scope!r})"


class RetryableError(DeliveryError):
    """Sending the same record again later can succeed."""

    retryable = True


class PermanentError(DeliveryError):
    """Sending the same record again cannot succeed until someone changes data or settings."""

    retryable = False


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """One golden record's latest state on its way to one target.

    ``delivery_id`` is stable for the (target, golden record) pair: the same across retries
    and across coalesced versions. ``attempt`` counts every try of that delivery, replays
    included (it is what tells Stripe's connector that an earlier try may have created the
    customer). ``target_id`` is what the target called the record last (the crosswalk), also
    when the record was deleted there since.
    """

    golden_id: str
    entity_type: str
    version: int
    status: Literal["active", "merged"]
    merged_into: str | None
    attributes: Mapping[str, Any]
    target_id: str | None
    delivery_id: str
    attempt: int = 1
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class PushResult:
    """The outcome for one record: acknowledged (``error`` None) or not.

    ``target_id`` is the target's id for the record, for the crosswalk. ``deleted`` says the
    record no longer exists at the target (``on_merge: delete``); keep ``target_id`` with the
    delivery anyway, so a later unmerge can bring the record back under a fresh identity.
    """

    golden_id: str
    target_id: str | None = None
    error: DeliveryError | None = None
    deleted: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@runtime_checkable
class Connector(Protocol):
    kind: str
    max_batch: int

    def push(self, records: Sequence[OutboundRecord]) -> list[PushResult]:
        """One result per record, in order; raises DeliveryError when the whole call failed."""
        ...

    def recover_target_id(self, golden_id: str) -> str | None:
        """Ask the target for its id of ``golden_id`` (a lost crosswalk entry); None if absent."""
        ...

    def close(self) -> None: ...


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _check_option_types(kind: str, options: Mapping[str, Any]) -> None:
    """What ``contracts.targets.resolve_options`` (names, types, signs) leaves open and the
    dispatcher cannot use: a fraction where it counts threads or records (``concurrency``
    0.5 made a pool of no threads, and planning failed for every target after it), an
    endless pause, an option that would change the shape of the target's URLs."""
    for name, value in options.items():
        default = OPTION_DEFAULTS[kind].get(name)
        if isinstance(default, bool):
            continue
        if isinstance(default, int) and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"options.{name}: a positive integer")
        if isinstance(default, float) and not (math.isfinite(value) and value <= _MAX_PAUSE_S):
            raise ValueError(f"options.{name}: seconds, at most {_MAX_PAUSE_S:.0f}")
        if name in _PATH_OPTIONS and not _PATH_SEGMENT.match(str(value)):
            raise ValueError(f"options.{name}: letters, digits, '_', '.' and '-' only")


@dataclass(frozen=True)
class TargetConfig:
    """A target as configuration: which system, where, with which credentials and mapping.

    ``credentials`` holds ``token`` and any extra keys a kind needs (Zendesk's ``email``).
    ``source`` is the hub source the target's own records come back as (``crm``).
    ``mapping`` overrides the kind's default field mapping per field; ``options`` the kind's
    knobs (contracts.targets.options). Both are checked on construction: a ValueError names
    the offending field.
    """

    name: str
    kind: str
    base_url: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    entity_types: tuple[str, ...] = ("customer",)
    rate_limit_per_s: float | None = None
    mapping: Mapping[str, Any] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError("base_url: an http:// or https:// URL")
        if not self.credentials.get("token"):
            raise ValueError("credentials.token: required")
        if not self.entity_types or set(self.entity_types) - _ENTITY_TYPES:
            raise ValueError(
                f"entity_types: the connectors deliver {', '.join(sorted(_ENTITY_TYPES))}"
            )
        if _CATALOG & set(self.entity_types) and self.kind not in _CATALOG_KINDS:
            raise ValueError(f"entity_types: {self.kind} targets take no products or prices")
        if "price" in self.entity_types and "product" not in self.entity_types:
            raise ValueError("entity_types: price needs product (a price follows its product)")
        if self.rate_limit_per_s is not None and self.rate_limit_per_s <= 0:
            raise ValueError("rate_limit_per_s: a positive number")
        resolved = validate_target(self.kind, mapping=self.mapping, options=self.options)
        _check_option_types(self.kind, resolved)
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        object.__setattr__(self, "credentials", _frozen(self.credentials))
        object.__setattr__(self, "entity_types", tuple(self.entity_types))
        object.__setattr__(self, "mapping", None if self.mapping is None else _frozen(self.mapping))
        object.__setattr__(self, "options", _frozen(resolved))

    @classmethod
    def from_dict(cls, name: str, body: Mapping[str, Any]) -> TargetConfig:
        """Build from the ``PUT /api/v1/sync/targets/{name}`` body shape."""
        return cls(
            name=name,
            kind=body.get("kind", ""),
            base_url=body.get("base_url", ""),
            credentials=body.get("credentials") or {},
            source=body.get("source"),
            entity_types=tuple(body.get("entity_types") or ("customer",)),
            rate_limit_per_s=body.get("rate_limit_per_s"),
            mapping=body.get("mapping"),
            options=body.get("options") or {},
        )
