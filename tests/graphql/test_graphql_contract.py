"""The served schema is the published contract, character for character."""

from __future__ import annotations

from fastapi.testclient import TestClient
from graphql import build_client_schema, print_schema

from mdm.graphql.sdl import CONTRACT_PATH, schema_sdl

INTROSPECTION_HINT = "run `.venv/bin/python -m mdm.graphql.sdl` and review the diff"


def test_the_schema_equals_contracts_schema_graphql() -> None:
    assert schema_sdl() == CONTRACT_PATH.read_text(), INTROSPECTION_HINT


def test_the_schema_served_over_http_equals_the_contract(client: TestClient) -> None:
    from graphql import get_introspection_query

    r = client.post("/graphql", json={"query": get_introspection_query(descriptions=True)})

    served = print_schema(build_client_schema(r.json()["data"])) + "\n"
    assert served == CONTRACT_PATH.read_text(), INTROSPECTION_HINT
