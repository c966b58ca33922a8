"""The account hierarchy: parent, children, ancestors, descendants, ultimate parent."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.graphql.gql_helpers import gql, merge_directly, put

HIERARCHY = """
query($id: ID!, $depth: Int = 10) {
  customer(id: $id) {
    parent { id }
    children { id }
    ancestors { id }
    ultimateParent { id }
    descendants(maxDepth: $depth) { id }
  }
}
"""


def test_a_leaf_sees_its_ancestors_up_to_the_ultimate_parent(
    client: TestClient, tree: dict[str, str]
) -> None:
    body = gql(client, HIERARCHY, id=tree["DE"])

    c = body["data"]["customer"]
    assert c["parent"] == {"id": tree["EMEA"]}
    assert c["ancestors"] == [{"id": tree["EMEA"]}, {"id": tree["H"]}]
    assert c["ultimateParent"] == {"id": tree["H"]}
    assert (c["children"], c["descendants"]) == ([], [])


def test_the_top_has_children_and_descendants_breadth_first(
    client: TestClient, tree: dict[str, str]
) -> None:
    body = gql(client, HIERARCHY, id=tree["H"])

    c = body["data"]["customer"]
    assert (c["parent"], c["ancestors"], c["ultimateParent"]) == (None, [], None)
    assert {x["id"] for x in c["children"]} == {tree["EMEA"], tree["AMER"]}
    level1 = {x["id"] for x in c["descendants"][:2]}
    level2 = {x["id"] for x in c["descendants"][2:]}
    assert (level1, level2) == ({tree["EMEA"], tree["AMER"]}, {tree["DE"], tree["FR"]})


def test_max_depth_cuts_descendants(client: TestClient, tree: dict[str, str]) -> None:
    body = gql(client, HIERARCHY, id=tree["H"], depth=1)

    assert {x["id"] for x in body["data"]["customer"]["descendants"]} == {
        tree["EMEA"],
        tree["AMER"],
    }


def test_children_of_a_merged_away_parent_appear_under_the_survivor(
    client: TestClient, engine: Engine, tree: dict[str, str]
) -> None:
    survivor = put(client, "erp", "customer", "X", {"kind": "organization", "name": "Globex SE"})
    merge_directly(engine, tree["EMEA"], survivor)

    top = gql(client, HIERARCHY, id=survivor)["data"]["customer"]
    leaf = gql(client, HIERARCHY, id=tree["DE"])["data"]["customer"]

    assert {x["id"] for x in top["children"]} == {tree["DE"], tree["FR"]}
    assert leaf["parent"] == {"id": survivor}
    assert leaf["ancestors"] == [{"id": survivor}]


def test_filter_by_parent_lists_direct_children(client: TestClient, tree: dict[str, str]) -> None:
    body = gql(
        client,
        "query($p: ID) { customers(filter: {parent: $p}) { edges { node { id } } } }",
        p=tree["EMEA"],
    )

    assert sorted(e["node"]["id"] for e in body["data"]["customers"]["edges"]) == sorted(
        [tree["DE"], tree["FR"]]
    )
