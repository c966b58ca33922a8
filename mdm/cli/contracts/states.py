"""Provider states: what a consumer's pact may ask the hub to have before an interaction.

Each state is set up through the hub's own public API (``PUT`` of source records,
``POST .../merge``), so the golden records, versions and outbox events it leaves are the
ones production would write. A state answers the values its interaction may inject
(``${golden_id}``) and remembers the golden ids it touched, so the message producer can
hand over the real event those writes caused. ``contracts/README.md`` documents every
state and its params; :data:`STATES` is the list the verifier accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["STATES", "HubSession", "StateError"]

State = Callable[["HubSession", dict[str, Any]], dict[str, Any]]


class StateError(Exception):
    """A provider state could not be set up; the report shows why."""


@dataclass
class HubSession:
    """The hub under verification as the states and the producer see it.

    ``reset`` empties the hub before each state (a scratch hub); without it (a hub at
    ``--provider-url``) states write over whatever is there.
    """

    client: httpx.Client
    reset: Callable[[], None] | None = None
    mark: int = 0
    subjects: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    fresh: bool = False

    def interaction_done(self) -> None:
        """A teardown: the next setup belongs to the next interaction."""
        self.fresh = False

    def begin(self) -> None:
        """Before an interaction's first state: start from nothing (or from what is there)
        and note the event feed's position, so the producer looks only at what the states
        caused. Further states of the same interaction add to it."""
        if self.fresh:
            return
        self.fresh = True
        if self.reset is not None:
            self.reset()
            self.mark = 0
        self.subjects = []
        while True:
            page = self.feed(self.mark)
            if not page["events"]:
                return
            self.mark = page["last"]

    def feed(self, after: int) -> dict[str, Any]:
        r = self.client.get("/api/v1/events", params={"after": after, "limit": 1000})
        r.raise_for_status()
        feed: dict[str, Any] = r.json()
        return feed

    def _source(self, name: str) -> None:
        if name in self.sources:
            return
        r = self.client.post("/api/v1/sources", json={"name": name})
        if r.status_code not in (201, 409):
            raise StateError(f"source '{name}' could not be registered: {_why(r)}")
        self.sources.add(name)

    def put(
        self,
        entity_type: str,
        source: str,
        source_id: str,
        record: Mapping[str, Any],
        *,
        subject: bool = True,
    ) -> str:
        """Ingest one source record; its golden id (``subject``: one the interaction is
        about, whose events the producer may hand over)."""
        self._source(source)
        r = self.client.put(f"/api/v1/sources/{source}/{entity_type}/{source_id}", json=record)
        if r.status_code != 200:
            raise StateError(f"the hub refused {source}/{entity_type}/{source_id}: {_why(r)}")
        golden_id = str(r.json()["golden_id"])
        if subject and golden_id not in self.subjects:
            self.subjects.append(golden_id)
        return golden_id

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        r = self.client.post(path, json=body)
        if r.status_code != 200:
            raise StateError(f"POST {path} failed: {_why(r)}")
        out: dict[str, Any] = r.json()
        return out


def _why(r: httpx.Response) -> str:
    try:
        error = r.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"{r.status_code} {r.text[:200]}"
    details = "; ".join(f"{e['pointer']} {e['message']}" for e in error.get("errors", [])[:3])
    return f"{r.status_code} {error.get('message', '')}" + (f" ({details})" if details else "")


def _split(
    params: Mapping[str, Any], *, source: str, source_id: str, kind: str | None
) -> tuple[str, str, dict[str, Any]]:
    """``(source, source_id, record)`` from a state's params: every other param is a
    canonical attribute of the record."""
    record = dict(params)
    src = str(record.pop("source", source))
    sid = str(record.pop("source_id", source_id))
    for not_an_attribute in ("also", "previous"):
        record.pop(not_an_attribute, None)
    if kind is not None:
        record.setdefault("kind", kind)
    return src, sid, record


def _parent(session: HubSession, source: str, source_id: str, record: dict[str, Any]) -> None:
    """A ``parent`` given as an object is a record of the same source made first; the
    customer then names it by its source id, as sources do."""
    parent = record.get("parent")
    if not isinstance(parent, Mapping):
        return
    p_source, p_id, p_record = _split(
        parent, source=source, source_id=f"{source_id}-parent", kind="organization"
    )
    if p_source != source:
        raise StateError("a parent is a record of the same source as its child")
    session.put("customer", p_source, p_id, p_record, subject=False)
    record["parent"] = p_id


def _customer(session: HubSession, params: dict[str, Any]) -> dict[str, Any]:
    source, source_id, record = _split(params, source="crm", source_id="C-1", kind="organization")
    _parent(session, source, source_id, record)
    golden_id = session.put("customer", source, source_id, record)
    for other in params.get("also") or []:
        if not isinstance(other, Mapping):
            raise StateError("'also' lists records: objects with source, source_id, attributes")
        o_source, o_id, o_record = _split(other, source="erp", source_id="E-1", kind=None)
        o_record.setdefault("kind", record["kind"])
        linked = session.put("customer", o_source, o_id, o_record)
        if linked != golden_id:
            raise StateError(
                f"{o_source}/{o_id} did not link to the golden customer of {source}/{source_id} "
                "(the matcher kept them apart)"
            )
    return {"golden_id": golden_id, "source": source, "source_id": source_id}


def _updated(session: HubSession, params: dict[str, Any]) -> dict[str, Any]:
    previous = params.get("previous") or {}
    if not isinstance(previous, Mapping) or not previous:
        raise StateError("'previous' names the attribute values the customer had before")
    source, source_id, record = _split(params, source="crm", source_id="C-1", kind="organization")
    _parent(session, source, source_id, record)
    session.put("customer", source, source_id, {**record, **previous})
    return _customer(session, {k: v for k, v in params.items() if k != "previous"})


def _merged(session: HubSession, params: dict[str, Any]) -> dict[str, Any]:
    ids = []
    for role, default_source in (("survivor", "crm"), ("merged", "billing")):
        part = params.get(role)
        if not isinstance(part, Mapping):
            raise StateError(f"'{role}' is a record: source, source_id and attributes")
        source, source_id, record = _split(
            part, source=default_source, source_id=f"{role[0].upper()}-1", kind="organization"
        )
        ids.append(session.put("customer", source, source_id, record))
    if ids[0] == ids[1]:
        raise StateError("the two records matched on ingest; give them different names")
    body = {"survivor": ids[0], "merged": [ids[1]], "reason": "provider state"}
    session.post("/api/v1/golden/customer/merge", body)
    return {"golden_id": ids[0], "merged_id": ids[1]}


def _product(session: HubSession, params: dict[str, Any]) -> dict[str, Any]:
    source, source_id, record = _split(params, source="erp", source_id="P-1", kind=None)
    golden_id = session.put("product", source, source_id, record)
    return {"golden_id": golden_id, "source": source, "source_id": source_id}


def _nothing(_session: HubSession, _params: dict[str, Any]) -> dict[str, Any]:
    return {}


STATES: Mapping[str, State] = {
    "a golden customer exists": _customer,
    "a golden customer was updated": _updated,
    "two golden customers were merged": _merged,
    "a golden product exists": _product,
    "no golden customer exists": _nothing,
}
