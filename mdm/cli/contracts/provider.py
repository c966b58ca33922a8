"""What the verifier talks to besides the hub: the provider-state endpoint and the message
producer.

The state endpoint is a small app of its own, mounted only in the verification run and
never in the hub's app. It always answers 200: a failing state is kept in
:class:`Problems` and shown in the report (an error status would make the verifier retry
for about a minute per interaction and then say only that a state failed).

The producer hands the verifier, for an interaction named ``an <event type> event``, the
newest outbox event of that type about a golden record the interaction's states wrote,
as the hub's own event feed serves it (the outbox written in the state's transaction).
It also validates the event against the newest registered revision of its schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
from fastapi import FastAPI, Request

from mdm.cli.contracts.states import STATES, HubSession

__all__ = ["EVENT_INTERACTION", "Problems", "produce", "state_app"]

EVENT_INTERACTION = re.compile(r"^an? (?P<type>[a-z0-9_-]+(?:\.[a-z0-9_-]+)+) event\b")
CONTENT_TYPE = "application/cloudevents+json"


@dataclass
class Problems:
    """Why states and messages failed, for the report. The verifier says neither which
    consumer nor which interaction a state or message request is for, so a state's
    outcome is kept by (state, params) and a message's by (description, states): the
    same setup gives the same outcome, and the latest one is kept."""

    states: dict[tuple[str, str], str] = field(default_factory=dict)
    messages: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @staticmethod
    def key(state: str, params: Any) -> tuple[str, str]:
        return state, json.dumps(params or {}, sort_keys=True, default=str)

    @staticmethod
    def message_key(description: str, states: Any) -> tuple[str, str]:
        pairs = [[s.get("name"), s.get("params") or {}] for s in states or ()]
        return description, json.dumps(pairs, sort_keys=True, default=str)


def state_app(session: HubSession, problems: Problems) -> FastAPI:
    """``POST /_pact/state`` for the verifier's URL state handler (``body=True``)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/_pact/state")
    async def state(request: Request) -> dict[str, Any]:
        body = await request.json()
        if body.get("action") == "teardown":
            session.interaction_done()
            return {}
        name, params = str(body.get("state", "")), dict(body.get("params") or {})
        key = Problems.key(name, params)
        problems.states.pop(key, None)
        try:
            setup = STATES[name]
        except KeyError:
            problems.states[key] = f"unknown provider state {name!r}"
            return {}
        try:
            session.begin()
            return setup(session, params)
        except Exception as exc:  # any answer but 200 has the verifier retry for a minute
            problems.states[key] = str(exc) or type(exc).__name__
            return {}

    return app


def _newest(session: HubSession, event_type: str) -> dict[str, Any] | None:
    subjects = set(session.subjects)

    def scan(after: int) -> dict[str, Any] | None:
        found = None
        while True:
            page = session.feed(after)
            for item in page["events"]:
                event = item["event"]
                if event.get("type") == event_type and event.get("subject") in subjects:
                    found = event
            if not page["events"]:
                return found
            after = page["last"]

    # a hub that was not emptied may have written the event before this run
    return scan(session.mark) or (scan(0) if session.reset is None else None)


class _Schemas:
    """The newest registered schema of each event type, compiled once per run."""

    def __init__(self, session: HubSession) -> None:
        self.session = session
        self.compiled: dict[str, Any] = {}

    def errors(self, event: dict[str, Any]) -> list[str]:
        event_type = str(event.get("type"))
        if event_type not in self.compiled:
            r = self.session.client.get(f"/api/v1/schemas/{event_type}/latest")
            document = r.json().get("schema") if r.status_code == 200 else None
            self.compiled[event_type] = (
                jsonschema_rs.validator_for(document, validate_formats=True) if document else None
            )
        validator = self.compiled[event_type]
        if validator is None:
            return [f"the hub registers no schema for {event_type}"]
        return [
            f"the event breaks the hub's registered {event_type} schema at "
            f"/{'/'.join(str(p) for p in e.instance_path)}: {e.message}"
            for e in validator.iter_errors(event)
        ][:5]


def produce(session: HubSession, problems: Problems) -> Any:
    """The verifier's message handler (``Verifier.message_handler``)."""
    schemas = _Schemas(session)

    def handler(name: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
        wanted = EVENT_INTERACTION.match(name)
        kept = problems.messages[
            Problems.message_key(name, (metadata or {}).get("providerStates"))
        ] = []
        try:
            if wanted is None:
                raise LookupError(
                    f"message interactions are named 'an <event type> event'; got {name!r}"
                )
            if not (metadata or {}).get("providerStates"):
                raise LookupError("the hub sends an event only after a provider state causes it")
            event = _newest(session, wanted["type"])
            if event is None:
                raise LookupError(f"the provider states caused no {wanted['type']} event")
        except Exception as exc:  # reported here: the verifier would only see an HTML 500
            kept.append(str(exc) or type(exc).__name__)
            body: dict[str, Any] = {"error": str(exc)}
        else:
            kept.extend(schemas.errors(event))
            body = event
        contents = json.dumps(body).encode()
        return {"contents": contents, "metadata": None, "content_type": CONTENT_TYPE}

    return handler
