"""Steward reads: open tasks, match candidates and decisions with their explanations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from mdm.db.repositories.base import ST
from tests.graphql.gql_helpers import gql, put

EXPLANATION = {
    "fields": [
        {"field": "name", "level": "fuzzy 0.9", "left": "acme", "right": "acme corp"},
        {"field": "email", "level": "exact", "left": "ada@x.org", "right": "ada@x.org"},
    ],
    "tax_id": "GB-1",
}


def _task(engine: Engine, golden: str, candidate: str, at: datetime, tid: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(ST),
            [
                {
                    "id": tid,
                    "entity_type": "customer",
                    "kind": "match_review",
                    "status": "open",
                    "record_id": None,
                    "golden_id": golden,
                    "candidate_golden_id": candidate,
                    "score": 0.81,
                    "settings_version": "customer-v3",
                    "explanation": EXPLANATION,
                    "created_at": at,
                    "updated_at": at,
                }
            ],
        )


def test_stewards_see_open_tasks_oldest_first_with_both_records(
    client: TestClient, engine: Engine
) -> None:
    a = put(client, "crm", "customer", "1", {"kind": "organization", "name": "Acme"})
    b = put(client, "erp", "customer", "2", {"kind": "organization", "name": "Acme Corp"})
    _task(engine, b, a, datetime(2026, 1, 2, tzinfo=UTC), "t2")
    _task(engine, a, b, datetime(2026, 1, 1, tzinfo=UTC), "t1")

    body = gql(
        client,
        "{ stewardTasks(first: 1) { edges { cursor node { id score "
        "settingsVersion golden { id } candidate { id ... on Customer "
        "{ attributes { name } } } } } pageInfo { hasNextPage endCursor } } }",
    )
    page = body["data"]["stewardTasks"]
    rest = gql(
        client,
        "query($a: String) { stewardTasks(after: $a) { edges { node { id } } } }",
        a=page["pageInfo"]["endCursor"],
    )

    node = page["edges"][0]["node"]
    assert (node["id"], node["score"], node["settingsVersion"]) == ("t1", 0.81, "customer-v3")
    assert node["golden"] == {"id": a}
    assert node["candidate"] == {"id": b, "attributes": {"name": "Acme Corp"}}
    assert page["pageInfo"]["hasNextPage"] is True
    assert rest["data"]["stewardTasks"]["edges"] == [{"node": {"id": "t2"}}]


def test_match_candidates_carry_explanations_masked_without_pii(
    client: TestClient, client_as: Callable[..., TestClient], engine: Engine
) -> None:
    a = put(client, "crm", "customer", "1", {"kind": "organization", "name": "Acme"})
    b = put(client, "erp", "customer", "2", {"kind": "organization", "name": "Acme Corp"})
    _task(engine, a, b, datetime(2026, 1, 1, tzinfo=UTC), "t1")
    query = (
        "query($id: ID!) { matchCandidates(goldenId: $id) { taskId score explanation "
        "candidate { id } } customer(id: $id) { matchCandidates { candidate { id } } } }"
    )

    steward = gql(client_as("steward"), query, id=a)
    full = gql(client_as("steward", "pii"), query, id=a)

    got = steward["data"]["matchCandidates"][0]
    assert (got["taskId"], got["candidate"]) == ("t1", {"id": b})
    assert got["explanation"] == {
        "fields": [
            {"field": "name", "level": "fuzzy 0.9", "left": "acme", "right": "acme corp"},
            {"field": "email", "level": "exact", "left": "***", "right": "***"},
        ],
        "tax_id": "***",
    }
    assert full["data"]["matchCandidates"][0]["explanation"] == EXPLANATION
    assert steward["data"]["customer"]["matchCandidates"] == [{"candidate": {"id": b}}]


def test_match_decisions_explain_each_link(client: TestClient) -> None:
    gid = put(
        client,
        "crm",
        "customer",
        "1",
        {"kind": "organization", "name": "Acme", "tax_id": "US-12-3456789"},
    )
    put(
        client,
        "erp",
        "customer",
        "9",
        {"kind": "organization", "name": "Acme Inc", "tax_id": "US-12-3456789"},
    )

    body = gql(
        client,
        "query($id: ID!) { customer(id: $id) { matchDecisions "
        "{ source sourceId action settingsVersion explanation } } }",
        id=gid,
    )

    decisions = body["data"]["customer"]["matchDecisions"]
    assert [(d["source"], d["sourceId"], d["action"]) for d in decisions] == [
        ("erp", "9", "link"),
        ("crm", "1", "new"),
    ]
    assert all(d["settingsVersion"] and isinstance(d["explanation"], dict) for d in decisions)
