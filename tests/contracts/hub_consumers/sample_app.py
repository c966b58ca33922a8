"""The sample application: a customer-360 page that reads the hub and follows its events.

It is the kind of consumer ``contracts/README.md`` is written for: it finds a customer by
the id its CRM gave it (REST xref), reads the golden record (REST) and the 360 view with
every linked source (GraphQL), asks the registry which attributes customers have, and
keeps a local copy current from the golden events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["CUSTOMER_360", "Customer", "CustomerCache", "HubReader"]

CUSTOMER_360 = (
    "query Customer360($source: String!, $sourceId: String!) { "
    "customerByXref(source: $source, sourceId: $sourceId) { "
    "id version status attributes { name all } xrefs { source sourceId } } }"
)


@dataclass(frozen=True)
class Customer:
    id: str
    version: int
    name: str
    attributes: Mapping[str, Any]
    sources: tuple[str, ...] = ()


class HubReader:
    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def golden_id_for(self, source: str, source_id: str) -> str | None:
        r = self.http.get(f"/api/v1/xref/{source}/customer/{source_id}")
        if r.status_code == 404:
            return None
        r.raise_for_status()
        return str(r.json()["golden_id"])

    def customer(self, golden_id: str) -> Customer | None:
        r = self.http.get(f"/api/v1/golden/customer/{golden_id}")
        if r.status_code == 404:
            return None
        r.raise_for_status()
        body = r.json()
        sources = tuple(x["source"] for x in body["xrefs"])
        name = body["attributes"]["name"]
        return Customer(body["id"], body["version"], name, body["attributes"], sources)

    def customer_360(self, source: str, source_id: str) -> Customer:
        variables = {"source": source, "sourceId": source_id}
        r = self.http.post("/graphql", json={"query": CUSTOMER_360, "variables": variables})
        r.raise_for_status()
        node = r.json()["data"]["customerByXref"]
        sources = tuple(x["source"] for x in node["xrefs"])
        attributes = node["attributes"]
        return Customer(node["id"], node["version"], attributes["name"], attributes["all"], sources)

    def customer_fields(self) -> tuple[int, list[str]]:
        """The newest registered customer schema's version and its attribute names (the
        page shows every attribute the hub may send, including ones added later)."""
        r = self.http.get("/api/v1/schemas/customer")
        r.raise_for_status()
        body = r.json()
        return int(body["latest"]), sorted(body["schema"]["properties"])


@dataclass
class CustomerCache:
    """The local copy the page renders from, kept current by golden events."""

    customers: dict[str, Customer] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def apply(self, envelope: Mapping[str, Any]) -> None:
        data = envelope["data"]
        if data["status"] == "merged":
            self.customers.pop(data["golden_id"], None)
            self.aliases[data["golden_id"]] = data["merged_into"]
            return
        sources = tuple(x["source"] for x in data["xrefs"])
        attributes = data["attributes"]
        self.customers[envelope["subject"]] = Customer(
            envelope["subject"], data["version"], attributes["name"], attributes, sources
        )
