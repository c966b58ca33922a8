"""Connectors: the part of outbound sync that talks to Salesforce, Stripe, NetSuite and Zendesk.

The dispatcher builds one connector per target with ``build_connector`` and calls only the
``Connector`` protocol (sync.connectors.base). Connectors never import each other.

How the dispatcher uses one:

- Claim up to ``max_batch`` deliveries of one target (Salesforce 200, the others 1; ``push``
  also takes more and splits them), parents before children, each golden record once, and
  call ``push``. It answers one PushResult per record in order, or raises a DeliveryError that
  applies to every record of the call.
- A result without ``error`` is acknowledged: store the version as delivered and
  ``target_id`` in the crosswalk (the target's id for the record; it can change when a record
  is re-created after a delete). ``deleted`` means the record is gone at the target: keep
  ``target_id`` with the delivery anyway and pass it back as ``OutboundRecord.target_id``.
- An error with ``scope == "target"`` (rate limits, NetSuite's concurrency limit, a refused
  token, 503) pauses the whole target for ``retry_after`` seconds (or the dispatcher's backoff
  when None). ``scope == "record"`` concerns that record only. ``retryable`` False means
  dead-letter now; otherwise back off (at least ``retry_after``) and retry. ``depends_on``
  names a golden id the target needs first (a parent): deliver it, then retry.
- Keep ``delivery_id`` stable per (target, golden record) and count ``attempt`` across every
  try, replays included: Stripe's idempotency key is ``mdm-{delivery_id}-create``, and from the
  second attempt on the connector looks the customer up before creating one.
- ``recover_target_id`` asks the target for its id of a golden record (a lost crosswalk entry).
- ``DeliveryError.as_dict()`` is the JSON for a delivery's ``last_error``.
"""

from __future__ import annotations

import httpx

from sync.connectors.base import (
    Connector,
    DeliveryError,
    ErrorCode,
    ErrorScope,
    OutboundRecord,
    PermanentError,
    PushResult,
    RetryableError,
    TargetConfig,
)
from sync.connectors.netsuite import NetSuiteConnector
from sync.connectors.salesforce import SalesforceConnector
from sync.connectors.stripe import StripeConnector
from sync.connectors.zendesk import ZendeskConnector

__all__ = [
    "CONNECTORS",
    "Connector",
    "DeliveryError",
    "ErrorCode",
    "ErrorScope",
    "OutboundRecord",
    "PermanentError",
    "PushResult",
    "RetryableError",
    "TargetConfig",
    "build_connector",
]

CONNECTORS: dict[
    str,
    type[SalesforceConnector]
    | type[StripeConnector]
    | type[NetSuiteConnector]
    | type[ZendeskConnector],
] = {
    "salesforce": SalesforceConnector,
    "stripe": StripeConnector,
    "netsuite": NetSuiteConnector,
    "zendesk": ZendeskConnector,
}


def build_connector(
    config: TargetConfig,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
) -> Connector:
    """The connector for ``config.kind``; ``transport`` replaces the network (httpx style)."""
    connector: Connector = CONNECTORS[config.kind](config, transport=transport, timeout=timeout)
    return connector
