"""Connectors: the part of outbound sync that talks to Salesforce, Stripe, NetSuite and Zendesk.

The dispatcher builds one connector per target with ``build_connector`` and calls only the
``Connector`` protocol (sync.connectors.base). Connectors never import each other.
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
