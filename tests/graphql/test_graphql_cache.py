"""Parsed and validated queries are cached by their text; time travel in the hierarchy."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mdm.bootstrap import Container
from mdm.clock import ManualClock
from mdm.domain.principal import Principal
from mdm.graphql.executor import Executor
from mdm.graphql.schema import build_schema
from tests.graphql.gql_helpers import gql, put

READER = Principal("k", "reader", frozenset({"reader"}))


def test_the_same_query_text_is_parsed_and_validated_once(container: Container) -> None:
    executor = Executor(build_schema().graphql_schema)
    query = "query($id: ID!) { customer(id: $id) { id } }"

    first = executor.run(container.bus, READER, query, {"id": "a"})
    second = executor.run(container.bus, READER, query, {"id": "b"})
    broken = [executor.run(container.bus, READER, "{ nope }") for _ in range(2)]

    assert (first.status, second.status) == (200, 200)
    assert [b.status for b in broken] == [400, 400]
    info = executor.prepare.cache_info()
    assert (info.hits, info.misses) == (2, 2)


def test_children_as_of_a_time_before_a_reparenting(client: TestClient, clock: ManualClock) -> None:
    a = put(client, "crm", "customer", "A", {"kind": "organization", "name": "Alpha"})
    b = put(client, "crm", "customer", "B", {"kind": "organization", "name": "Beta"})
    kid = put(
        client, "crm", "customer", "K", {"kind": "organization", "name": "Kid", "parent": "A"}
    )
    clock.advance(1)
    between = clock.now().isoformat()
    clock.advance(1)
    put(client, "crm", "customer", "K", {"kind": "organization", "name": "Kid", "parent": "B"})
    query = (
        "query($a: ID!, $b: ID!, $t: DateTime) { a: customer(id: $a, asOf: $t) "
        "{ children { id asOf } } b: customer(id: $b, asOf: $t) { children { id } } }"
    )

    then = gql(client, query, a=a, b=b, t=between)["data"]
    now = gql(client, query, a=a, b=b, t=None)["data"]

    assert [c["id"] for c in then["a"]["children"]] == [kid]
    assert then["a"]["children"][0]["asOf"] is not None
    assert then["b"]["children"] == []
    assert (now["a"]["children"], now["b"]["children"]) == ([], [{"id": kid}])
