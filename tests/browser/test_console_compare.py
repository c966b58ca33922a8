"""The steward's compare view in a real browser: the incoming record against the member
it was scored against, only real differences flagged, identifier conflicts first and
out of bulk approval, golden records found by name, personal data masked."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import Page, expect

from canonical.commands import CreateApiKey
from mdm.bootstrap import Container
from mdm.demo import load_demo
from tests.browser.seed import open_tasks, put, seed_conflict, seed_review
from tests.browser.steps import compare_rows, log_in

pytestmark = pytest.mark.browser


def open_task(page: Page, task: dict[str, Any]) -> None:
    page.get_by_role("link", name=f"{task['left_name']} ↔ {task['right_name']}").click()
    expect(page.get_by_role("heading", name="Side by side")).to_be_visible()


def test_an_identifier_conflict_leads_with_the_conflict_and_flags_only_real_differences(
    page: Page, api: httpx.Client
) -> None:
    task = seed_conflict(api, "Initech", 1)
    log_in(page)

    open_task(page, task)

    lead = page.get_by_test_id("conflict")
    expect(lead).to_contain_text("Identifier conflict: tax_id disagree")
    expect(lead).to_contain_text("incoming US987654321, candidate US123456781")
    rows = compare_rows(page)
    assert rows["address.line1"] == ("1 Market St", "1 Market Street", "same")
    assert rows["phone"] == ("+1 415 555 0101", "415.555.0101", "same")
    assert rows["name"][2] == rows["legal_form"][2] == rows["address.city"][2] == "same"
    assert rows["address.postcode"] == ("—", "94105", "missing in incoming")
    assert rows["tax_id"] == ("US987654321", "US123456781", "conflict")
    assert [s for _, _, s in rows.values() if s not in ("same", "missing in incoming")] == [
        "conflict"
    ]
    expect(page.locator("table.compare tr.conflict th")).to_have_text("tax_id")
    header = page.locator("table.compare thead")
    expect(header).to_contain_text("billing B1")
    expect(header).to_contain_text("erp E1")


def test_approving_an_identifier_conflict_is_not_the_primary_action(
    page: Page, api: httpx.Client
) -> None:
    task = seed_conflict(api, "Initech", 1)
    log_in(page)
    open_task(page, task)

    decision = page.get_by_role("region", name="Decision")
    primary = decision.locator("button.primary")

    expect(primary).to_have_text("Reject: not a match")
    expect(decision.get_by_role("button", name="Approve merge", exact=True)).to_have_count(0)
    anyway = decision.get_by_role("button", name="Approve merge anyway")
    expect(anyway).not_to_have_class(re.compile("primary"))
    decision.get_by_label("Reason", exact=True).fill("tax id typo confirmed with billing")
    anyway.click()
    expect(page.get_by_text("the records were merged into golden record")).to_be_visible()
    assert api.get(f"/api/v1/stewardship/tasks/{task['id']}").json()["status"] == "approved"


def test_bulk_approve_counts_match_reviews_only_and_leaves_the_conflict_open(
    page: Page, api: httpx.Client
) -> None:
    review = seed_review(api, "Acme", 1)
    conflict = seed_conflict(api, "Initech", 2)
    log_in(page)
    expect(page.get_by_test_id("task-total")).to_have_text("2 tasks match these filters")

    bulk = page.get_by_role("region", name="Bulk approve")
    expect(bulk).to_contain_text("1 open match review matches these filters")
    expect(bulk).to_contain_text("identifier conflicts and rule breaches are left out")
    bulk.get_by_label("Reason for approving them all").fill("checked against the registry")
    bulk.get_by_label("Type 1 to confirm the count").fill("1")
    bulk.get_by_role("button", name="Approve all 1").click()

    expect(page.get_by_text("Approved 1 task; their records were merged.")).to_be_visible()
    expect(page.get_by_test_id("task-total")).to_have_text("1 task matches these filters")
    assert [t["id"] for t in open_tasks(api)] == [conflict["id"]]
    assert api.get(f"/api/v1/stewardship/tasks/{review['id']}").json()["status"] == "approved"


def test_a_steward_without_pii_sees_a_persons_comparison_masked(
    page: Page, api: httpx.Client, container: Container
) -> None:
    person = {"kind": "person", "first_name": "Ada", "last_name": "Lovelace"}
    put(api, "erp/customer/E1", {**person, "tax_id": "GB-AB123456C"})
    put(api, "crm/customer/C1", {**person, "email": "ada@example.org"})
    put(
        api, "billing/customer/B1", {**person, "tax_id": "GB-AB123456C", "email": "ada@example.org"}
    )
    [task] = open_tasks(api)
    secret, _ = container.bus.handle(CreateApiKey("sam", ("steward",)))
    log_in(page, secret)

    open_task(page, task)

    rows = compare_rows(page)
    assert "***" in rows["email"] + rows["tax_id"]
    text = page.locator("main").inner_text()
    assert "ada@example.org" not in text
    assert "GB-AB123456C" not in text
    expect(page.locator("#identity")).to_have_text("sam (steward)")


def test_golden_records_are_found_by_name(page: Page, api: httpx.Client) -> None:
    acme = put(api, "erp/customer/E1", {"kind": "organization", "name": "Acme Corporation Inc."})
    put(api, "crm/customer/C1", {"kind": "organization", "name": "Globex"})
    put(api, "cpq/product/P1", {"sku": "ACME-1", "name": "Acme Rocket", "type": "one_time"})
    log_in(page)
    page.get_by_role("link", name="Find a record").click()

    page.get_by_label("Name", exact=True).fill("ACME corp")
    page.get_by_role("button", name="Search by name").click()

    results = page.locator(".results table")
    expect(results.locator("tbody tr").first).to_contain_text("Acme Corporation Inc.")
    expect(results).not_to_contain_text("Globex")
    results.get_by_role("link", name="Acme Corporation Inc.").click()
    expect(page.get_by_role("heading", name="Acme Corporation Inc.")).to_be_visible()
    expect(page.locator("dl.facts code")).to_have_text(acme["golden_id"])


def test_a_golden_id_opens_without_naming_its_type(page: Page, api: httpx.Client) -> None:
    product = put(
        api, "cpq/product/P1", {"sku": "ACME-1", "name": "Acme Rocket", "type": "one_time"}
    )
    log_in(page)
    page.get_by_role("link", name="Find a record").click()

    page.get_by_label("Golden id", exact=True).fill(product["golden_id"])
    page.get_by_role("button", name="Open golden record").click()

    expect(page.get_by_role("heading", name="Acme Rocket")).to_be_visible()
    assert page.evaluate("location.hash") == f"#/golden/product/{product['golden_id']}"


def test_a_new_user_sees_the_demo_queue_at_work(page: Page, container: Container) -> None:
    load_demo(container.bus)
    log_in(page)

    # two merge decisions and two proposed hierarchy links in the Acme group
    expect(page.get_by_test_id("task-total")).to_have_text("4 tasks match these filters")
    page.get_by_role("link", name="Initech, LLC ↔ Initech LLC").click()

    expect(page.get_by_test_id("conflict")).to_contain_text("registration_number")
    assert compare_rows(page)["address.line1"][2] == "same"
