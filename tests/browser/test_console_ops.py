"""The console's operations pages in a real browser: delivery targets with their dead
letters and replay, the audit log searched, quarantined payloads resubmitted and
discarded; and every page usable 800 px wide."""

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
from tests.browser.seed import open_tasks, put, quarantine, seed_conflict
from tests.browser.steps import log_in, no_page_scroll
from tests.standins.fixtures import TOKEN
from tests.sync.hub import add_target, dispatcher

pytestmark = pytest.mark.browser

ORG = {"kind": "organization", "address": {"city": "Berlin", "country": "DE"}}
ADA = {
    "kind": "person",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "date_of_birth": "not a date",
}


def steward_key(container: Container, name: str = "sam", *roles: str) -> str:
    secret, _ = container.bus.handle(CreateApiKey(name, ("steward", *roles)))
    return str(secret)


def with_dead_letter(api: httpx.Client, container: Container, standins: Any) -> str:
    """A Zendesk target that took Globex and refused Acme (its name is taken there)."""
    running = standins("zendesk")
    add_target(api, running)
    made = httpx.post(
        f"{running.url}/api/v2/organizations",
        json={"organization": {"name": "Acme GmbH"}},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert made.status_code == 201, made.text
    acme = put(api, "erp/customer/E1", {**ORG, "name": "Acme GmbH", "tax_id": "DE123456789"})
    put(api, "erp/customer/E2", {**ORG, "name": "Globex AG", "tax_id": "DE987654321"})
    dispatcher(container).run_until_idle()
    return str(acme["golden_id"])


def test_targets_show_their_queue_success_rate_and_dead_letters_and_replay(
    page: Page, api: httpx.Client, container: Container, standins: Any
) -> None:
    acme = with_dead_letter(api, container, standins)
    log_in(page)
    page.get_by_role("link", name="Targets").click()

    row = page.get_by_role("row", name=re.compile("^zendesk "))
    expect(row).to_contain_text("50.0 % of 2")
    expect(row.get_by_role("link", name="1 dead")).to_be_visible()
    row.get_by_role("link", name="zendesk").click()

    dead = page.get_by_role("region", name="Dead letters (1)")
    expect(dead).to_contain_text("duplicate_value")
    expect(dead.get_by_role("link", name=acme[:8])).to_be_visible()
    page.get_by_role("button", name="Replay 1 dead letter").click()

    expect(page.get_by_text("Replayed 1 delivery: pending again")).to_be_visible()
    expect(page.get_by_role("region", name="Dead letters (0)")).to_be_visible()
    pending = api.get("/api/v1/sync/deliveries", params={"target": "zendesk", "state": "pending"})
    assert [d["golden_id"] for d in pending.json()["items"]] == [acme]


def test_a_steward_key_sees_replay_disabled_and_a_refusal_is_shown(
    page: Page, api: httpx.Client, container: Container, standins: Any
) -> None:
    with_dead_letter(api, container, standins)
    log_in(page, steward_key(container))
    page.goto("/steward#/targets/zendesk")

    button = page.get_by_role("button", name="Replay 1 dead letter")
    expect(button).to_be_disabled()
    expect(page.get_by_text("Replaying needs an admin key; sam's key has")).to_be_visible()

    # the console believes the key may replay (roles changed meanwhile); the hub refuses
    page.route(
        "**/api/v1/me",
        lambda route: route.fulfill(json={"name": "sam", "roles": ["admin", "reader", "steward"]}),
    )
    page.reload()
    page.get_by_role("button", name="Replay 1 dead letter").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Your key may not do this: this action needs the 'admin' role."
    )
    dead = api.get("/api/v1/sync/deliveries", params={"target": "zendesk", "state": "dead"})
    assert dead.json()["total"] == 1


def test_the_audit_log_answers_who_decided_what_when_and_why(
    page: Page, api: httpx.Client, container: Container, app_client_factory: Any
) -> None:
    ann = app_client_factory(steward_key(container, "ann"))
    for n, who, name in ((1, ann, "Initech"), (2, api, "Umbrella")):
        task = seed_conflict(api, name, n)
        reason = "different legal entity per the registry" if n == 1 else "tax id typo"
        verb = "reject" if n == 1 else "approve"
        r = who.post(f"/api/v1/stewardship/tasks/{task['id']}/{verb}", json={"reason": reason})
        assert r.status_code == 200, r.text
    log_in(page)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("row", name=re.compile("task rejected"))).to_be_visible()

    page.get_by_label("Who (actor)").fill("ann")
    page.get_by_role("button", name="Search").click()

    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("task rejected")
    expect(rows.first).to_contain_text("different legal entity per the registry")
    page.get_by_label("Who (actor)").fill("")
    page.get_by_label("Reason contains").fill("TYPO")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main table tbody tr")).to_have_count(2)  # the approval and its merge
    expect(page.locator("main table")).not_to_contain_text("registry")
    assert "q=TYPO" in page.evaluate("location.hash")
    page.get_by_role("row", name=re.compile("task approved")).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^Identifier conflict: UMBRELLA")
    )


def test_the_audit_log_pages_to_older_entries_and_back(page: Page, api: httpx.Client) -> None:
    for i in range(51):
        qid = quarantine(
            api, f"crm/customer/Q{i}", {"kind": "organization", "name": f"N{i}", "phone": "?"}
        )
        r = api.post(f"/api/v1/quarantine/{qid}/discard", json={"reason": f"junk {i}"})
        assert r.status_code == 200, r.text
    log_in(page)
    page.goto("/steward#/audit?action=quarantine_discarded")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("junk 50")

    page.get_by_role("link", name="Older entries").click()

    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("junk 0")
    expect(page.get_by_role("link", name="Older entries")).to_have_count(0)
    page.get_by_role("link", name="Newest entries").click()
    expect(rows).to_have_count(50)


def test_quarantine_lists_filters_and_resubmits_a_corrected_record(
    page: Page, api: httpx.Client
) -> None:
    bad = {"kind": "organization", "name": "Acme", "website": "not a url", "phone": "call us"}
    qid = quarantine(api, "crm/customer/Q1", bad)
    quarantine(api, "erp/customer/Q2", {"kind": "organization", "name": "Globex", "phone": "??"})
    log_in(page)
    page.get_by_role("link", name="Quarantine").click()
    expect(page.get_by_test_id("quarantine-total")).to_have_text("2 payloads match these filters")

    page.get_by_label("Source").select_option("crm")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("quarantine-total")).to_have_text("1 payload matches these filters")
    page.get_by_role("link", name="crm Q1").click()

    expect(page.get_by_role("region", name="Why it was refused")).to_contain_text("/phone")
    editor = page.get_by_label("Corrected record (JSON)")
    editor.fill('{"kind": "organization", "name": "Acme", "phone": "still bad"}')
    page.get_by_role("button", name="Resubmit corrected record").click()
    expect(page.get_by_role("alert")).to_contain_text("The hub refused the request")
    assert api.get(f"/api/v1/quarantine/{qid}").json()["status"] == "open"
    editor.fill('{"kind": "organization", "name": "Acme", "phone": "+49 30 1234567"}')
    page.get_by_role("button", name="Resubmit corrected record").click()

    expect(page.get_by_text("Resubmitted crm Q1: accepted (created).")).to_be_visible()
    expect(page.get_by_test_id("quarantine-total")).to_have_text("1 payload matches these filters")
    assert api.get(f"/api/v1/quarantine/{qid}").json()["status"] == "resubmitted"
    assert api.get("/api/v1/xref/crm/customer/Q1").json()["golden_id"]


def test_a_lenient_sources_data_quality_issue_is_listed_and_fixed_in_the_console(
    page: Page, api: httpx.Client
) -> None:
    taken = put(api, "crm/customer/L1", {"kind": "organization", "name": "Acme", "phone": "call"})
    assert [i["pointer"] for i in taken["issues"]] == ["/phone"]
    log_in(page)
    page.goto("/steward#/quarantine")
    expect(page.get_by_test_id("quarantine-total")).to_have_text("0 payloads match these filters")

    page.get_by_label("Status").select_option("issue")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("quarantine-total")).to_have_text("1 payload matches these filters")
    page.get_by_role("link", name="crm L1").click()
    page.get_by_label("Corrected record (JSON)").fill(
        '{"kind": "organization", "name": "Acme", "phone": "+49 30 1234567"}'
    )
    page.get_by_role("button", name="Resubmit corrected record").click()

    expect(page.get_by_text("Resubmitted crm L1: accepted (updated).")).to_be_visible()
    assert api.get(f"/api/v1/quarantine/{taken['quarantine_id']}").json()["status"] == "resubmitted"


def test_quarantine_discards_with_a_reason_and_masks_personal_data(
    page: Page, api: httpx.Client, container: Container
) -> None:
    qid = quarantine(api, "crm/customer/P9", ADA)
    log_in(page, steward_key(container))
    page.goto(f"/steward#/quarantine/{qid}")

    payload = page.locator("pre.payload")
    expect(payload).to_contain_text('"email": "***"')
    expect(page.locator("main")).not_to_contain_text("ada@example.org")
    expect(page.get_by_label("Corrected record (JSON)")).to_be_disabled()
    expect(
        page.get_by_text("holds personal data your key may not see (date_of_birth, email)")
    ).to_be_visible()
    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_text("A reason is required")).to_be_visible()
    assert api.get(f"/api/v1/quarantine/{qid}").json()["status"] == "open"
    page.get_by_label("Reason for discarding").fill("test record from the CRM sandbox")
    page.get_by_role("button", name="Discard").click()

    expect(page.get_by_text("Discarded crm P9.")).to_be_visible()
    assert api.get(f"/api/v1/quarantine/{qid}").json()["status"] == "discarded"
    [entry] = api.get("/api/v1/audit", params={"action": "quarantine_discarded"}).json()["entries"]
    assert (entry["actor"], entry["reason"]) == ("sam", "test record from the CRM sandbox")


def test_every_page_works_800_px_wide(
    narrow_page: Page, api: httpx.Client, container: Container, standins: Any
) -> None:
    page = narrow_page
    with_dead_letter(api, container, standins)
    load_demo(container.bus)
    [task] = [t for t in open_tasks(api) if t["kind"] == "identifier_conflict"]
    qid = quarantine(
        api, "crm/customer/Q1", {"kind": "organization", "name": "Acme", "phone": "??"}
    )
    log_in(page)
    pages = {
        "#/tasks": "Task queue",
        f"#/tasks/{task['id']}": "Identifier conflict: Initech, LLC ↔ Initech LLC",
        "#/find": "Find a record",
        "#/quarantine": "Quarantine",
        f"#/quarantine/{qid}": "Quarantined: crm customer Q1",
        "#/targets": "Delivery targets",
        "#/targets/zendesk": "Target zendesk",
        "#/audit": "Audit log",
        f"#/golden/customer/{task['candidate_golden_id']}": "Initech LLC",
    }
    for hash_, heading in pages.items():
        page.goto(f"/steward{hash_}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        width, inner = no_page_scroll(page)
        assert width <= inner, (hash_, width, inner)
        controls = (
            "main button:visible, main input:visible, main select:visible, header a, header button"
        )
        for control in page.locator(controls).all():
            control.scroll_into_view_if_needed()  # inside a wide table, it scrolls that table
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner, (
                hash_,
                control.evaluate("e => e.outerHTML.slice(0, 80)"),
            )
    page.goto(f"/steward#/tasks/{task['id']}")
    page.get_by_label("Reason", exact=True).fill("different entities")
    page.get_by_role("button", name="Reject: not a match").click()
    expect(page.get_by_text("Task rejected")).to_be_visible()
