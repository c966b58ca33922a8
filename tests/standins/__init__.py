"""HTTP stand-ins for Salesforce, Stripe, NetSuite and Zendesk, written from their public docs.

Each is an in-memory ASGI app speaking its API's real paths, auth, bodies, status codes and
error JSON, keeping records as the API does (by id, the external id being a field, so a
duplicate would show in ``counts()``), with fault injection (tests.standins.common).

- in a test: the ``standins`` fixture (tests.standins.fixtures) serves one over real HTTP;
- as a process: ``python -m tests.standins --kind salesforce --port 8081 [--instant]``.
"""

from __future__ import annotations

from typing import Any

from tests.standins.common import Fault, StandIn
from tests.standins.netsuite import NetSuiteStandIn
from tests.standins.salesforce import SalesforceStandIn
from tests.standins.server import LiveServer
from tests.standins.stripe import StripeStandIn
from tests.standins.zendesk import ZendeskStandIn

__all__ = [
    "STANDINS",
    "Fault",
    "LiveServer",
    "NetSuiteStandIn",
    "SalesforceStandIn",
    "StandIn",
    "StripeStandIn",
    "ZendeskStandIn",
    "make_standin",
]

STANDINS: dict[str, type[StandIn]] = {
    "salesforce": SalesforceStandIn,
    "stripe": StripeStandIn,
    "netsuite": NetSuiteStandIn,
    "zendesk": ZendeskStandIn,
}


def make_standin(kind: str, **options: Any) -> StandIn:
    return STANDINS[kind](**options)
