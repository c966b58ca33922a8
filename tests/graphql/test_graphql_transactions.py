"""GraphQL ``transactions`` and ``facts`` on Customer: through loaders, one statement per
relation for a whole page, whatever its length."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.events.events import at, event, invoice, payment, posted
from tests.graphql.gql_helpers import gql, put, sql_statements

PAGE = """
query($first: Int!) {
  customers(first: $first) {
    edges {
      node {
        id
        attributes { name paymentStatus }
        transactions(first: 2) { id type occurredAt outcome data }
        facts {
          money { currency invoiced paid receivable }
          openInvoices
          lastPayment { status at }
          paymentStatus
          subscription { status renewsAt }
          openCases
        }
      }
    }
  }
}
"""


def _seed(client: TestClient, n: int) -> list[str]:
    ids = [
        put(client, "billing", "customer", f"C{i}", {"kind": "organization", "name": f"Co {i}"})
        for i in range(n)
    ]
    events = []
    for i in range(n):
        events += [
            invoice(f"i{i}", f"C{i}", at(1), f"INV-{i}", amount="40.00"),
            payment(
                f"p{i}",
                f"C{i}",
                at(2),
                f"PAY-{i}",
                amount="40.00",
                kind="payment.failed" if i % 2 else "payment.succeeded",
            ),
            event(f"t{i}", "case.opened", f"C{i}", at(3), case_id=f"T-{i}"),
        ]
    assert set(posted(client, "billing", events)) == {"stored"}
    return ids


def test_a_page_with_transactions_and_facts_takes_3_statements(
    client: TestClient, engine: Engine
) -> None:
    _seed(client, 30)
    gql(client, "{ customers(first: 1) { edges { cursor } } }")  # warms the key cache

    with sql_statements(engine) as statements:
        body = gql(client, PAGE, first=30)

    edges = body["data"]["customers"]["edges"]
    assert len(edges) == 30
    assert all(len(e["node"]["transactions"]) == 2 for e in edges)
    # the page, the events of every customer on it, the facts of every customer on it
    assert len(statements) == 3, statements


def test_the_statement_count_does_not_grow_with_the_page(
    client: TestClient, engine: Engine
) -> None:
    _seed(client, 40)
    gql(client, "{ customers(first: 1) { edges { cursor } } }")

    with sql_statements(engine) as small:
        gql(client, PAGE, first=5)
    with sql_statements(engine) as large:
        gql(client, PAGE, first=40)

    assert len(small) == len(large) == 3, (small, large)


def test_a_customers_transactions_and_facts_read_as_rest_does(client: TestClient) -> None:
    [gid] = _seed(client, 1)

    body = gql(
        client,
        """query($id: ID!) { customer(id: $id) {
            attributes { paymentStatus }
            invoices: transactions(type: "invoice") { id type objectType objectId outcome }
            recent: transactions(first: 1) { id }
            facts { money { currency invoiced paid receivable overdue } openInvoices
                    lastPayment { status } paymentStatus openCases } } }""",
        id=gid,
    )

    customer = body["data"]["customer"]
    assert customer["attributes"]["paymentStatus"] is None  # never in collections
    assert customer["invoices"] == [
        {
            "id": "i0",
            "type": "invoice.posted",
            "objectType": "invoice",
            "objectId": "INV-0",
            "outcome": "applied",
        }
    ]
    assert customer["recent"] == [{"id": "t0"}]
    assert customer["facts"] == {
        "money": [
            {
                "currency": "EUR",
                "invoiced": "40.00",
                "paid": "40.00",
                "receivable": "40.00",
                "overdue": "0.00",
            }
        ],
        "openInvoices": 1,
        "lastPayment": {"status": "succeeded"},
        "paymentStatus": "current",
        "openCases": 1,
    }


def test_first_is_bounded(client: TestClient) -> None:
    [gid] = _seed(client, 1)

    body = gql(
        client, "query($id: ID!) { customer(id: $id) { transactions(first: 0) { id } } }", id=gid
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
