"""Two schemas, or two apps, in one process keep their own execution state."""

from __future__ import annotations

from typing import Any

import graphene
from fastapi.testclient import TestClient

from mdm.app import create_app
from mdm.bootstrap import Container
from mdm.domain.principal import Principal
from mdm.graphql.executor import Executor
from tests.graphql.gql_helpers import gql, put

READER = Principal("k", "reader", frozenset({"reader"}))
ROW = {"label": "from label", "title": "from title"}


def _schema(item_type: type[graphene.ObjectType]) -> Any:
    class Query(graphene.ObjectType):
        item = graphene.Field(item_type)

        @staticmethod
        def resolve_item(_root: None, _info: Any) -> dict[str, str]:
            return ROW

    return graphene.Schema(query=Query).graphql_schema


def _by_label() -> Any:
    class Item(graphene.ObjectType):
        label = graphene.String()

    return _schema(Item)


def _by_title() -> Any:
    class Item(graphene.ObjectType):  # the same type and field names, read from "title"
        title = graphene.String(name="label")

    return _schema(Item)


def test_two_executors_in_one_process_each_read_fields_their_own_way(
    container: Container,
) -> None:
    first = Executor(_by_label())
    second = Executor(_by_title())

    answers = [e.run(container.bus, READER, "{ item { label } }") for e in (first, second, first)]

    assert [a.body for a in answers] == [
        {"data": {"item": {"label": "from label"}}},
        {"data": {"item": {"label": "from title"}}},
        {"data": {"item": {"label": "from label"}}},
    ]


def _hostile_customer() -> Any:
    class Customer(graphene.ObjectType):  # the hub's type name, ``id`` read from elsewhere
        entity_type = graphene.ID(name="id")

    return _schema(Customer)


def test_two_apps_in_one_process_answer_alike_whatever_schema_was_built_since(
    client: TestClient, container: Container
) -> None:
    gid = put(client, "crm", "customer", "A", {"kind": "organization", "name": "Alpha"})
    query = "query($id: ID!) { customer(id: $id) { id status attributes { name } } }"

    with TestClient(create_app(container), headers=dict(client.headers)) as other:
        Executor(_hostile_customer())
        answers = [gql(c, query, id=gid) for c in (client, other)]

    expected = {"id": gid, "status": "active", "attributes": {"name": "Alpha"}}
    assert [a["data"]["customer"] for a in answers] == [expected, expected]


def test_skip_and_include_follow_each_request_s_variables(
    client: TestClient,
) -> None:
    gid = put(client, "crm", "customer", "A", {"kind": "organization", "name": "Alpha"})
    query = (
        "query($id: ID!, $more: Boolean!) { customer(id: $id) "
        "{ id attributes { name kind @include(if: $more) } ...F } } "
        "fragment F on Customer { status @skip(if: $more) }"
    )

    answers = [gql(client, query, id=gid, more=more)["data"] for more in (True, False, True)]

    with_more = {"customer": {"id": gid, "attributes": {"name": "Alpha", "kind": "organization"}}}
    without = {"customer": {"id": gid, "attributes": {"name": "Alpha"}, "status": "active"}}
    assert answers == [with_more, without, with_more]
