"""Fixtures for the GraphQL tests: a small account hierarchy put in through REST."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.graphql.gql_helpers import put


@pytest.fixture
def tree(client: TestClient) -> dict[str, str]:
    """holding -> (emea, amer); emea -> (de, fr); golden ids by name, via CRM ids."""
    ids: dict[str, str] = {}
    for sid, name, parent in [
        ("H", "Globex Holding", None),
        ("EMEA", "Globex EMEA", "H"),
        ("AMER", "Globex Americas", "H"),
        ("DE", "Globex Deutschland", "EMEA"),
        ("FR", "Globex France", "EMEA"),
    ]:
        body = {"kind": "organization", "name": name}
        if parent:
            body["parent"] = parent
        ids[sid] = put(client, "crm", "customer", sid, body)
    return ids
