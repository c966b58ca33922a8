"""Reading a customer's transactions (filters, pages) and facts over REST."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.events.events import ACME, at, customer, event, facts, invoice, payment, posted


def _history(client: TestClient) -> str:
    gid = customer(client, "billing", "C-1", ACME)
    posted(
        client,
        "crm",
        [
            event(
                "o1", "order.booked", "C-1", at(1), order_id="O-1", currency="USD", amount="500.00"
            ),
            event(
                "o2", "order.booked", "C-1", at(2), order_id="O-2", currency="EUR", amount="300.00"
            ),
            event(
                "o3",
                "order.cancelled",
                "C-1",
                at(3),
                order_id="O-2",
                currency="EUR",
                amount="300.00",
            ),
        ],
    )
    # the crm customer is another record: link it to the same golden record
    customer(client, "crm", "C-1", ACME)
    posted(
        client,
        "billing",
        [
            invoice("i1", "C-1", at(4), "INV-1", amount="500.00", currency="USD"),
            invoice(
                "i2",
                "C-1",
                at(5),
                "INV-1",
                kind="invoice.partially_paid",
                amount="500.00",
                currency="USD",
                amount_paid="200.00",
            ),
            payment(
                "p1", "C-1", at(5), "PAY-1", amount="200.00", currency="USD", invoice_id="INV-1"
            ),
            payment(
                "p2",
                "C-1",
                at(6),
                "PAY-2",
                kind="payment.failed",
                amount="300.00",
                currency="USD",
                invoice_id="INV-1",
            ),
            event(
                "s1",
                "subscription.created",
                "C-1",
                at(1),
                subscription_id="S-1",
                status="trialing",
                renews_at="2026-04-01T00:00:00Z",
            ),
            event(
                "s2",
                "subscription.created",
                "C-1",
                at(1),
                subscription_id="S-2",
                status="active",
                renews_at="2026-05-01T00:00:00Z",
                currency="USD",
                amount="49.00",
                interval="month",
            ),
        ],
    )
    posted(
        client,
        "support",
        [
            {
                **event("t1", "case.opened", "C-1", at(2), case_id="T-1"),
                "customer": {"source_id": "C-1", "source": "billing"},
            },
            {
                **event("t2", "case.opened", "C-1", at(3), case_id="T-2"),
                "customer": {"source_id": "C-1", "source": "billing"},
            },
            {
                **event("t3", "case.closed", "C-1", at(4), case_id="T-2"),
                "customer": {"source_id": "C-1", "source": "billing"},
            },
        ],
    )
    return gid


def test_facts_sum_each_objects_current_state_by_currency(client: TestClient) -> None:
    gid = _history(client)

    body = facts(client, gid)

    assert body == {
        "golden_id": gid,
        "resolved_from": None,
        "money": [
            {
                "currency": "EUR",
                "booked": "0.00",
                "invoiced": "0.00",
                "paid": "0.00",
                "refunded": "0.00",
                "receivable": "0.00",
                "overdue": "0.00",
            },
            {
                "currency": "USD",
                "booked": "500.00",
                "invoiced": "500.00",
                "paid": "200.00",
                "refunded": "0.00",
                "receivable": "300.00",
                "overdue": "0.00",
            },
        ],
        "open_invoices": 1,
        "last_payment": {"status": "failed", "at": "2026-03-06T09:00:00Z"},
        "payment_status": "past_due",
        "subscription": {
            "status": "active",
            "renews_at": "2026-04-01T00:00:00Z",
            "running": 2,
            "total": 2,
        },
        "open_cases": 1,
    }


def test_transactions_filter_by_type_source_and_time_and_page_newest_first(
    client: TestClient,
) -> None:
    gid = _history(client)
    base = f"/api/v1/golden/customer/{gid}/transactions"

    invoices = client.get(base, params={"type": "invoice"}).json()["items"]
    failed = client.get(base, params={"type": "payment.failed"}).json()["items"]
    support = client.get(base, params={"source": "support"}).json()["items"]
    window = client.get(
        base, params={"since": "2026-03-02T00:00:00Z", "until": "2026-03-03T23:00:00Z"}
    ).json()["items"]

    assert [t["id"] for t in invoices] == ["i2", "i1"]
    assert [t["id"] for t in failed] == ["p2"]
    assert [t["id"] for t in support] == ["t3", "t2", "t1"]
    # at the same instant, the event stored later comes first
    assert [t["id"] for t in window] == ["t2", "o3", "t1", "o2"]
    seen, cursor = [], None
    while True:
        page = client.get(base, params={"limit": 4, **({"cursor": cursor} if cursor else {})})
        seen += [t["id"] for t in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 12 and len(set(seen)) == 12


def test_reads_of_an_unknown_or_non_customer_id_are_404(client: TestClient) -> None:
    product = client.put(
        "/api/v1/sources/cpq/product/P-1",
        json={"sku": "P-1", "name": "Widget", "type": "subscription", "status": "active"},
    ).json()["golden_id"]

    assert client.get("/api/v1/golden/customer/nope/facts").status_code == 404
    assert client.get(f"/api/v1/golden/customer/{product}/transactions").status_code == 404
    assert client.get(f"/api/v1/golden/customer/{product}/facts").status_code == 404


def test_a_bad_cursor_is_422(client: TestClient) -> None:
    gid = customer(client, "billing", "C-1", ACME)

    r = client.get(f"/api/v1/golden/customer/{gid}/transactions", params={"cursor": "xyz"})

    assert (r.status_code, r.json()["error"]["errors"][0]["pointer"]) == (422, "/cursor")


def test_reading_needs_the_reader_role(client: TestClient, client_as) -> None:
    gid = customer(client, "billing", "C-1", ACME)
    writer = client_as("source:billing")

    assert writer.get(f"/api/v1/golden/customer/{gid}/facts").status_code == 403
    assert client_as("reader").get(f"/api/v1/golden/customer/{gid}/facts").status_code == 200
