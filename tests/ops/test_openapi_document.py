"""``/openapi.json`` tells the truth about the answers: every refusal the API can give is
declared, in the shape it is sent (schemathesis checks the same in CI, on a live server)."""

from __future__ import annotations

from typing import Any

import jsonschema
from fastapi.testclient import TestClient


def document(client: TestClient) -> dict[str, Any]:
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    return doc


def conforms(doc: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    jsonschema.validate(instance, {**schema, "components": doc["components"]})


def test_every_api_operation_declares_its_refusals_in_the_error_shape(
    client: TestClient,
) -> None:
    doc = document(client)
    error = {"$ref": "#/components/schemas/Error"}

    for path, operations in doc["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in operations.items():
            declared = op["responses"]
            assert {"401", "403", "422"} <= set(declared), (method, path)
            assert op["security"] == [{"bearer": []}]
            if "{" in path:
                assert "404" in declared, (method, path)
            if method in ("post", "put", "patch"):
                assert "413" in declared, (method, path)
            if "requestBody" in op:
                assert {"400", "413", "415"} <= set(declared), (method, path)
            for code, response in declared.items():
                schema = response["content"]["application/json"]["schema"]
                if code.startswith("4"):
                    assert schema == error, (method, path, code)
    assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_every_answer_has_a_schema_with_its_properties(client: TestClient) -> None:
    doc = document(client)
    schemas = doc["components"]["schemas"]

    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            answers = {c: r for c, r in op["responses"].items() if c.startswith(("2", "503"))}
            assert answers, (method, path)
            for code, response in answers.items():
                if path == "/metrics":
                    continue
                schema = response["content"]["application/json"]["schema"]
                refs = [schema] if "$ref" in schema else schema.get("anyOf", [])
                assert refs, (method, path, code, schema)
                for ref in refs:
                    named = schemas[ref["$ref"].rsplit("/", 1)[-1]]
                    assert named["properties"], (method, path, code)


def test_real_refusals_match_the_declared_error_shape(client: TestClient) -> None:
    doc = document(client)
    error = {"$ref": "#/components/schemas/Error"}
    answers = [
        client.get("/api/v1/golden/customer/nope"),
        client.get("/api/v1/events", params={"limit": 0}),
        client.get("/api/v1/xref/crm/customer/a%00b"),
        client.put("/api/v1/sources/crm/customer/C1", json={"kind": "organization"}),
        client.post("/api/v1/stewardship/tasks/x/approve", json={"reason": 5}),
        TestClient(client.app).get("/api/v1/sources"),  # no key
    ]

    assert [a.status_code for a in answers] == [404, 422, 422, 422, 422, 401]
    for answer in answers:
        conforms(doc, error, answer.json())


def test_bodies_read_by_the_routes_themselves_are_declared(client: TestClient) -> None:
    paths = document(client)["paths"]

    put = paths["/api/v1/sources/{source}/{entity_type}/{source_id}"]["put"]
    batch = paths["/api/v1/sources/{source}/{entity_type}/batch"]["post"]
    graphql = paths["/graphql"]["post"]

    assert put["requestBody"]["content"]["application/json"]["schema"]["type"] == "object"
    assert "415" in put["responses"] and "409" in put["responses"]
    assert batch["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "409" not in batch["responses"]
    assert graphql["requestBody"]["content"]["application/json"]["schema"]["required"] == ["query"]
    assert graphql["responses"]["405"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GraphQLErrors"
    }


def test_graphql_refusals_match_the_declared_graphql_shape(client: TestClient) -> None:
    doc = document(client)
    shape = {"$ref": "#/components/schemas/GraphQLErrors"}

    query = {"query": "{ customers { edges { cursor } } }"}
    answers = [
        client.post("/graphql", json={"query": "mutation { x }"}),
        client.post("/graphql", json={"query": "{ nope }"}),
        TestClient(client.app).post("/graphql", json=query),
    ]

    assert [a.status_code for a in answers] == [405, 400, 401]
    for answer in answers:
        conforms(doc, shape, answer.json())


def test_the_document_describes_metrics_and_health_as_they_answer(client: TestClient) -> None:
    paths = document(client)["paths"]

    assert paths["/metrics"]["get"]["responses"]["200"]["content"] == {
        "text/plain": {"schema": {"type": "string"}}
    }
    assert "503" in paths["/health/ready"]["get"]["responses"]
    assert "security" not in paths["/health/live"]["get"]
