"""The cost guard counts introspection and aliases, and measures fragments once, so the
cheap-to-send queries that cost the most to run are refused before they run."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from graphql import get_introspection_query

from tests.graphql.gql_helpers import gql, sql_statements

FULL_INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def _costly(body: dict) -> int:
    assert body["_status"] == 400, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    cost: int = error["extensions"]["cost"]
    return cost


def test_an_introspection_alias_bomb_from_a_reader_is_refused_before_it_runs(
    client_as: Callable[..., TestClient], container: object
) -> None:
    reader = client_as("reader")
    bomb = " ".join(
        f"a{i}: __schema {{ types {{ fields {{ type {{ name }} }} }} }}" for i in range(500)
    )

    with sql_statements(container.engine) as seen:  # type: ignore[attr-defined]
        body = gql(reader, "{ " + bomb + " }")

    assert _costly(body) == 500 * (1 + 50 + 50 * 8 + 50 * 8)
    assert [s for s in seen if "api_key" not in s] == []  # only the key was looked up


def test_graphiql_s_schema_query_still_passes_but_three_at_once_do_not(
    client: TestClient,
) -> None:
    operation, fragments = FULL_INTROSPECTION.split("fragment", 1)
    inner = operation[operation.index("{") + 1 : operation.rindex("}")].strip()
    thrice = "query {" + " ".join(f"s{i}: {inner}" for i in range(3)) + "} fragment" + fragments

    once = gql(client, FULL_INTROSPECTION)

    assert once["_status"] == 200
    assert {t["name"] for t in once["data"]["__schema"]["types"]} >= {"Customer", "Query"}
    assert _costly(gql(client, thrice)) > 50_000


def test_aliased_leaves_count_once_per_object_they_are_read_on(client: TestClient) -> None:
    leaves = " ".join(f"n{i}: name" for i in range(1000))
    query = "{ customers(first: 100) { edges { node { attributes { " + leaves + " } } } } }"

    assert _costly(gql(client, query)) == 4 * 100 + 100 * 1000


def test_plain_leaves_and_a_few_aliases_cost_what_they_did(client: TestClient) -> None:
    body = gql(
        client,
        "{ a: customers(first: 10) { edges { cursor node { id } } }"
        " b: customers(first: 10) { edges { cursor } } }",
    )

    assert body["_status"] == 200
    assert body["data"] == {"a": {"edges": []}, "b": {"edges": []}}


def test_fragments_that_double_at_every_level_are_measured_not_expanded(
    client: TestClient,
) -> None:
    levels = 30
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    query = (
        "query { ...F0 } "
        + fragments
        + f" fragment F{levels} on Query {{ customers(first: 1) {{ edges {{ cursor }} }} }}"
    )

    assert _costly(gql(client, query)) == 2**levels * 2


def test_fragments_spread_many_times_still_count_each_place(client: TestClient) -> None:
    query = (
        "{ customers(first: 50) { edges { node { ...Tree } } } }"
        " fragment Tree on Customer { children(first: 10) { id } descendants(first: 1000)"
        " { id } }"
    )

    assert _costly(gql(client, query)) == 50 * 3 + 50 * 10 + 50 * 1000
