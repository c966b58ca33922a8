"""Guards: roles, personal-data masking, page size, depth, cost, read-only, GraphiQL."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.graphql.gql_helpers import gql, put
from tests.helpers import ACME_CRM

PERSON = {
    "kind": "person",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "phone": "+44 20 7946 0000",
    "date_of_birth": "1815-12-10",
    "tax_id": "GB-123",
    "owner": "dana@hub.example",
}
PERSON_QUERY = """query($id: ID!) { customer(id: $id) {
  attributes { firstName email phone dateOfBirth taxId owner maskedFields all }
  history { attributes }
} }"""


def test_no_key_is_401_and_a_key_without_reader_is_403(
    app: object, client_as: Callable[..., TestClient]
) -> None:
    anonymous = TestClient(app)  # type: ignore[arg-type]
    writer = client_as("source:crm")

    r1 = anonymous.post("/graphql", json={"query": "{ customers { edges { cursor } } }"})
    r2 = writer.post("/graphql", json={"query": "{ customers { edges { cursor } } }"})

    assert r1.status_code == 401
    assert r1.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert r2.status_code == 403
    assert r2.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


def test_a_person_s_personal_data_is_masked_without_pii(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = put(client, "crm", "customer", "P1", PERSON)

    body = gql(client_as("reader"), PERSON_QUERY, id=gid)

    a = body["data"]["customer"]["attributes"]
    assert (a["firstName"], a["owner"]) == ("Ada", "dana@hub.example")
    assert (a["email"], a["phone"], a["dateOfBirth"], a["taxId"]) == ("***",) * 4
    assert a["maskedFields"] == ["date_of_birth", "email", "phone", "tax_id"]
    assert a["all"]["email"] == "***"
    assert body["data"]["customer"]["history"][0]["attributes"]["email"] == "***"


def test_the_pii_role_sees_personal_data(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = put(client, "crm", "customer", "P1", PERSON)

    body = gql(client_as("reader", "pii"), PERSON_QUERY, id=gid)

    a = body["data"]["customer"]["attributes"]
    assert (a["email"], a["dateOfBirth"], a["maskedFields"]) == (
        "ada@example.org",
        "1815-12-10",
        [],
    )


def test_an_organization_s_contacts_are_not_personal_data(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)

    body = gql(
        client_as("reader"),
        "query($id: ID!) { customer(id: $id) { attributes { email taxId maskedFields } } }",
        id=gid,
    )

    assert body["data"]["customer"]["attributes"] == {
        "email": "ap@acme.example",
        "taxId": "US-12-3456789",
        "maskedFields": [],
    }


def test_steward_fields_are_forbidden_to_a_reader_with_a_clear_error(
    client: TestClient, client_as: Callable[..., TestClient]
) -> None:
    gid = put(client, "crm", "customer", "001", ACME_CRM)

    body = gql(
        client_as("reader"),
        "query($id: ID!) { customer(id: $id) { id "
        "matchDecisions { action } } stewardTasks { edges "
        "{ cursor } } }",
        id=gid,
    )

    assert body["_status"] == 200
    assert body["data"] is None  # stewardTasks is non-null, so the error bubbles to the root
    codes = sorted((e["path"][0], e["extensions"]["code"]) for e in body["errors"])
    assert codes == [("customer", "FORBIDDEN"), ("stewardTasks", "FORBIDDEN")]


def test_page_size_above_100_is_refused(client: TestClient) -> None:
    body = gql(client, "{ customers(first: 101) { edges { cursor } } }")

    assert body["errors"][0]["message"] == "'first' must be between 1 and 100; got 101"
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


def test_a_too_deep_query_is_refused_before_it_runs(client: TestClient) -> None:
    nested = "id " + "parent { " * 12 + "id" + " }" * 12
    body = gql(client, "query($id: ID!) { customer(id: $id) { " + nested + " } }", id="x")

    assert body["_status"] == 400
    assert body["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_DEEP",
        "depth": 13,
        "maxDepth": 12,
    }


def test_a_too_costly_query_is_refused_with_its_estimate(client: TestClient) -> None:
    body = gql(
        client,
        "{ customers(first: 100) { edges { node { descendants(first: 1000) "
        "{ id attributes { name } } } } } }",
    )

    assert body["_status"] == 400
    err = body["errors"][0]
    assert err["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 200300, "maxCost": 50000}


def test_mutations_are_refused_and_parse_and_validation_errors_are_400(client: TestClient) -> None:
    mutation = gql(client, "mutation { merge(id: 1) }")
    broken = gql(client, "{ customers { ")
    unknown = gql(client, "{ customers { nope } }")

    assert mutation["_status"] == 405
    assert mutation["errors"][0]["extensions"] == {"code": "READ_ONLY"}
    assert broken["_status"] == 400
    assert broken["errors"][0]["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert unknown["_status"] == 400
    assert unknown["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_a_bad_cursor_is_a_bad_input_error(client: TestClient) -> None:
    body = gql(client, '{ customers(after: "bogus") { edges { cursor } } }')

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}


def test_graphiql_is_served_with_its_assets_and_no_cdn(client: TestClient) -> None:
    page = client.get("/graphql")
    js = client.get("/graphql/static/graphiql.min.js")
    missing = client.get("/graphql/static/../../etc/passwd")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/graphql/static/graphiql.min.js" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert missing.status_code == 404
