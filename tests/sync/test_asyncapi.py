"""contracts/asyncapi.yaml documents every event the hub can emit, and real events match it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from jsonschema import Draft7Validator, FormatChecker
from sqlalchemy.engine import Engine

from canonical.schemas import ENTITY_TYPES
from contracts.events import GOLDEN_CHANGES, golden_event_type
from sync.stream.publisher import to_message
from sync.stream.subjects import inbound_filter, inbound_subject, subject_for
from tests.sync.hub_events import make_every_change, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
DOC: dict[str, Any] = yaml.safe_load((ROOT / "contracts" / "asyncapi.yaml").read_text())
EVENT_TYPE = re.compile(r"^mdm\.[a-z0-9_]+(\.[a-z0-9_]+)+\.v[0-9]+$")


def resolve(node: Any) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points at (the file has no cycles)."""
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            target: Any = DOC
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(target)
        return {k: resolve(v) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v) for v in node]
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for v in node.values():
            yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def literal_event_types() -> set[str]:
    """Event type strings written out in our packages (integration events such as
    ``mdm.customer.payment_failed.v1``); golden types are built by golden_event_type."""
    found: set[str] = set()
    for package in ("canonical", "contracts", "mdm", "sync"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                value = node.value if isinstance(node, ast.Constant) else None
                if isinstance(value, str) and EVENT_TYPE.match(value):
                    found.add(value)
    return found


EMITTED = sorted(
    {golden_event_type(e, c) for e in ENTITY_TYPES for c in GOLDEN_CHANGES} | literal_event_types()
)


def message_for(event_type: str) -> dict[str, Any]:
    address = subject_for(event_type, prefix="mdm")
    channels = [c for c in DOC["channels"].values() if c["address"] == address]
    assert len(channels) == 1, f"no single channel at {address} for {event_type}"
    named = [m for m in resolve(channels[0]["messages"]).values() if m["name"] == event_type]
    assert len(named) == 1, f"channel {address} has no message named {event_type}"
    return named[0]


def test_the_document_is_asyncapi_3_and_every_reference_resolves() -> None:
    assert DOC["asyncapi"] == "3.0.0"
    for ref in refs(DOC):
        assert ref.startswith("#/"), ref
        resolve({"$ref": ref})
    for name, operation in DOC["operations"].items():
        channel = operation["channel"]["$ref"]
        own = f"{channel}/messages/"
        assert all(m["$ref"].startswith(own) for m in operation["messages"]), name


def test_the_hub_emits_the_golden_types_of_every_entity_and_change() -> None:
    assert len(EMITTED) >= len(ENTITY_TYPES) * len(GOLDEN_CHANGES)
    assert "mdm.golden.price.unmerged.v1" in EMITTED


@pytest.mark.parametrize("event_type", EMITTED)
def test_every_event_type_the_hub_can_emit_has_a_channel_and_a_message(event_type: str) -> None:
    message = message_for(event_type)

    assert message["payload"]["allOf"][1]["properties"]["type"] == {"const": event_type}
    address = subject_for(event_type, prefix="mdm")
    sends = [
        op
        for op in DOC["operations"].values()
        if op["action"] == "send" and resolve(op["channel"])["address"] == address
    ]
    assert len(sends) == 1


def test_real_hub_events_and_their_headers_match_the_documented_schemas(
    client: TestClient, engine: Engine
) -> None:
    make_every_change(client)
    rows = outbox_rows(engine)
    assert {r["event_type"] for r in rows} >= {
        "mdm.golden.customer.merged.v1",
        "mdm.golden.customer.unmerged.v1",
        "mdm.golden.product.created.v1",
        "mdm.golden.price.updated.v1",
    }

    for row in rows:
        message = message_for(row["event_type"])
        payload_errors = list(
            Draft7Validator(message["payload"], format_checker=FormatChecker()).iter_errors(
                row["envelope"]
            )
        )
        headers = dict(to_message(row, prefix="mdm").headers)
        header_errors = list(Draft7Validator(message["headers"]).iter_errors(headers))
        assert payload_errors == [], (row["event_type"], payload_errors[0].message)
        assert header_errors == [], header_errors


def test_the_schemas_tell_one_change_from_another(client: TestClient, engine: Engine) -> None:
    make_every_change(client)
    created = next(r for r in outbox_rows(engine) if r["event_type"].endswith(".created.v1"))

    merged_schema = message_for("mdm.golden.customer.merged.v1")["payload"]

    assert not Draft7Validator(merged_schema).is_valid(created["envelope"])


def test_the_inbound_channel_matches_the_subjects_sources_publish_on() -> None:
    (channel,) = [c for c in DOC["channels"].values() if ".inbound." in c["address"]]
    event_types = channel["parameters"]["eventType"]["enum"]

    assert channel["address"] == "mdm.inbound.{source}.{eventType}"
    for event_type in event_types:
        subject = inbound_subject("billing", event_type, prefix="mdm")
        assert subject == channel["address"].format(source="billing", eventType=event_type)
    assert inbound_filter(prefix="mdm") == "mdm.inbound.>"
    receives = [op for op in DOC["operations"].values() if op["action"] == "receive"]
    assert [resolve(op["channel"])["address"] for op in receives] == [channel["address"]]
