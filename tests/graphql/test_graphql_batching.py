"""Batched: the SQL statements per request follow the query's shape, not its rows."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.graphql.gql_helpers import gql, sql_statements

PAGE = """
query($first: Int!) {
  customers(first: $first) {
    edges {
      node {
        id
        attributes { name }
        lineage { attribute source sourceId rule }
        xrefs { source sourceId recordVersion }
        parent { id attributes { name } }
        children { id attributes { name } }
      }
    }
  }
}
"""


def _seed(client: TestClient, parents: int, children_each: int) -> None:
    """The children of the later parents, the parents, then the other children: ids sort
    by the time they were made, so a page holds children whose parents it does not hold
    and parents whose children it does not hold, each read in one batch."""

    def children(of: range) -> list[dict[str, Any]]:
        return [
            {
                "source_id": f"C{p}-{c}",
                "record": {"kind": "organization", "name": f"Child {p} {c} Ltd", "parent": f"P{p}"},
            }
            for p in of
            for c in range(children_each)
        ]

    half = parents // 2
    items = children(range(half, parents))
    items += [
        {"source_id": f"P{p}", "record": {"kind": "organization", "name": f"Parent {p} Group"}}
        for p in range(parents)
    ]
    items += children(range(half))
    r = client.post("/api/v1/sources/crm/customer/batch", json=items)
    assert r.json()["summary"] == {"created": len(items)}


def test_a_page_of_50_with_lineage_xrefs_parent_and_children_takes_4_statements(
    client: TestClient, engine: Engine
) -> None:
    _seed(client, parents=10, children_each=9)
    gql(client, "{ customers(first: 1) { edges { cursor } } }")  # warms the key cache

    with sql_statements(engine) as statements:
        body = gql(client, PAGE, first=50)

    edges = body["data"]["customers"]["edges"]
    assert len(edges) == 50
    assert sum(1 for e in edges if e["node"]["parent"]) > 0
    assert sum(len(e["node"]["children"]) for e in edges) > 0
    # page, xrefs, parents (one batch), children (one batch)
    assert len(statements) == 4, statements


def test_statement_count_does_not_grow_with_the_page(client: TestClient, engine: Engine) -> None:
    _seed(client, parents=100, children_each=1)
    gql(client, "{ customers(first: 1) { edges { cursor } } }")

    with sql_statements(engine) as small:
        gql(client, PAGE, first=20)
    with sql_statements(engine) as large:
        gql(client, PAGE, first=100)

    assert len(small) == len(large) == 4, (small, large)


def test_descendants_cost_one_statement_per_level(client: TestClient, engine: Engine) -> None:
    _seed(client, parents=1, children_each=30)
    top = gql(client, '{ customerByXref(source: "crm", sourceId: "P0") { id } }')
    gid = top["data"]["customerByXref"]["id"]

    with sql_statements(engine) as statements:
        body = gql(
            client,
            "query($id: ID!) { customer(id: $id) { descendants "
            "{ id xrefs { sourceId } parent { id } } } }",
            id=gid,
        )

    assert len(body["data"]["customer"]["descendants"]) == 30
    # the root with its parent and children (one look-ahead statement), level 2 children
    # (none), xrefs of level 1; the parents of level 1 are the root, already loaded
    assert len(statements) == 3, statements


def test_one_customer_with_xrefs_parent_and_children_takes_3_statements(
    client: TestClient, engine: Engine
) -> None:
    _seed(client, parents=1, children_each=3)
    top = gql(client, '{ customerByXref(source: "crm", sourceId: "C0-1") { id } }')
    gid = top["data"]["customerByXref"]["id"]

    with sql_statements(engine) as statements:
        body = gql(
            client,
            "query($id: ID!) { customer(id: $id) { id xrefs { sourceId } "
            "parent { id children { id } } children { id } } }",
            id=gid,
        )

    c = body["data"]["customer"]
    assert c["xrefs"] == [{"sourceId": "C0-1"}]
    assert len(c["parent"]["children"]) == 3
    assert c["children"] == []
    # the record with its parent and children, then xrefs; the parent's children are
    # one more batch
    assert len(statements) == 3, statements
