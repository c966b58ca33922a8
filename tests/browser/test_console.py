"""The steward console in a real browser: log in, decide tasks, merge and unmerge,
bulk approve, and the API's refusals shown to the steward."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import Page, expect

from canonical.commands import CreateApiKey
from mdm.bootstrap import Container
from tests.browser.seed import put, seed_review, xref_sources
from tests.browser.steps import compare_rows, log_in
from tests.conftest import ADMIN_KEY

pytestmark = pytest.mark.browser


def task_link(task: dict[str, Any]) -> str:
    return f"{task['left_name']} ↔ {task['right_name']}"


def source_rows(page: Page, count: int) -> list[str]:
    expect(page.get_by_role("heading", name=f"Source records ({count})")).to_be_visible()
    region = page.get_by_role("region", name=re.compile(r"^Source records"))
    return sorted(" ".join(r.split()[:2]) for r in region.locator("tbody tr").all_inner_texts())


def test_approve_a_merge_see_the_merged_record_then_unmerge_it(
    page: Page, api: httpx.Client
) -> None:
    task = seed_review(api, "Acme", 1)
    merged_id, survivor_id = task["golden_id"], task["candidate_golden_id"]
    both = sorted(xref_sources(api, merged_id) + xref_sources(api, survivor_id))
    log_in(page)

    expect(page.get_by_test_id("task-total")).to_have_text("1 task matches these filters")
    page.get_by_role("link", name=task_link(task)).click()
    expect(page.get_by_role("heading", name=re.compile(f": {task_link(task)}$"))).to_be_visible()
    rows = compare_rows(page)
    # the incoming record (which joined the e-mail's golden record) against the other one
    assert rows["tax_id"][2] == "same"
    assert rows["name"] == ("ACME", "Acme Inc", "differs")  # the legal form is information
    page.get_by_role("button", name="Approve merge").click()
    expect(page.get_by_text("A reason is required")).to_be_visible()
    assert api.get(f"/api/v1/stewardship/tasks/{task['id']}").json()["status"] == "open"
    page.get_by_label("Reason", exact=True).fill("same VAT id and e-mail")
    page.get_by_role("button", name="Approve merge").click()

    expect(page.get_by_text(f"merged into golden record {survivor_id}")).to_be_visible()
    assert source_rows(page, len(both)) == [f"{s} {i}" for s, i in both]
    merges = page.get_by_role("region", name="Merge history")
    expect(merges).to_contain_text("same VAT id and e-mail")

    page.get_by_label("Merged record to restore").select_option(merged_id)
    page.get_by_label("Reason for the unmerge").fill("different billing entity")
    page.get_by_role("button", name="Unmerge").click()

    expect(page.get_by_text(f"golden record {merged_id} stands on its own again")).to_be_visible()
    kept = xref_sources(api, survivor_id)
    assert source_rows(page, len(kept)) == [f"{s} {i}" for s, i in kept]
    page.get_by_role("link", name=f"Open golden record {merged_id[:8]}").click()
    expect(page.locator("dl.facts code")).to_have_text(merged_id)
    restored = xref_sources(api, merged_id)
    assert source_rows(page, len(restored)) == [f"{s} {i}" for s, i in restored]
    assert sorted(xref_sources(api, survivor_id) + xref_sources(api, merged_id)) == both
    assert api.get(f"/api/v1/golden/customer/{merged_id}").json()["status"] == "active"


def test_reject_remembers_the_pair_and_empties_the_queue(page: Page, api: httpx.Client) -> None:
    task = seed_review(api, "Acme", 1)
    log_in(page)

    page.get_by_role("link", name=task_link(task)).click()
    page.get_by_label("Reason", exact=True).fill("different legal entities")
    page.get_by_role("button", name="Reject: not a match").click()

    rejected = "Task rejected: the pair is remembered as not a match."
    expect(page.get_by_text(rejected)).to_be_visible()
    expect(page.get_by_test_id("task-total")).to_have_text("0 tasks match these filters")
    decided = api.get(f"/api/v1/stewardship/tasks/{task['id']}").json()
    assert (decided["status"], decided["reason"]) == ("rejected", "different legal entities")


def test_a_task_someone_else_decided_shows_a_409_message(page: Page, api: httpx.Client) -> None:
    task = seed_review(api, "Acme", 1)
    log_in(page)
    page.get_by_role("link", name=task_link(task)).click()
    # the page has read the task while it was open; only then does someone else decide it
    expect(page.get_by_role("button", name="Reject: not a match")).to_be_visible()
    api.post(f"/api/v1/stewardship/tasks/{task['id']}/approve", json={"reason": "first"})

    page.get_by_label("Reason", exact=True).fill("too late")
    page.get_by_role("button", name="Reject: not a match").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Someone else decided this task: task '" + task["id"] + "' was already approved"
    )


def test_an_unknown_key_is_refused_with_a_clear_message(page: Page) -> None:
    page.goto("/steward")

    page.get_by_label("API key").fill("mdm_not_a_real_key")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_have_text(
        "That API key was not accepted: unknown or revoked API key."
    )
    assert page.evaluate("sessionStorage.length") == 0


def test_a_reader_key_lacks_the_steward_role(page: Page, container: Container) -> None:
    secret, _ = container.bus.handle(CreateApiKey("viewer", ("reader",)))
    page.goto("/steward")

    page.get_by_label("API key").fill(secret)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("Your key lacks the steward role")


def test_a_revoked_session_goes_back_to_login_and_log_out_forgets_the_key(page: Page) -> None:
    log_in(page)
    page.evaluate("sessionStorage.setItem('mdm.steward.apiKey', 'revoked')")

    page.reload()

    expect(page.get_by_role("heading", name="Log in to the steward console")).to_be_visible()
    expect(page.get_by_text("Your API key was not accepted")).to_be_visible()
    log_in(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


def test_a_late_refusal_for_an_old_key_does_not_end_the_new_session(page: Page) -> None:
    """The answers to requests sent with a revoked key arrive after the steward logged in
    again with a good one: the console stays logged in."""
    held: list[Any] = []

    def hold_revoked(route: Any) -> None:
        if route.request.headers.get("authorization") == "Bearer revoked":
            held.append(route)  # answered later, after the new log-in
        else:
            route.continue_()

    page.route("**/api/v1/**", hold_revoked)
    log_in(page)
    page.evaluate("sessionStorage.setItem('mdm.steward.apiKey', 'revoked')")
    page.reload()  # the queue asks with the revoked key; those answers are held
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the console sent no request with the revoked key"
    page.evaluate("k => sessionStorage.setItem('mdm.steward.apiKey', k)", ADMIN_KEY)

    for route in held:
        route.continue_()  # the hub refuses the revoked key now
    page.wait_for_timeout(500)

    assert page.evaluate("sessionStorage.getItem('mdm.steward.apiKey')") == ADMIN_KEY
    page.reload()
    expect(page.get_by_role("heading", name="Task queue")).to_be_visible()


def test_logging_out_while_the_queue_loads_stays_logged_out(page: Page) -> None:
    """The queue's answers arrive after the steward logged out: the console sends nothing
    more (no request without a key) and keeps saying the steward is logged out."""
    held: list[Any] = []
    keyless: list[str] = []
    logged_out: list[bool] = []

    def hold_queue(route: Any) -> None:
        if "authorization" not in route.request.headers:
            keyless.append(route.request.url)
        if "status=" in route.request.url and not logged_out:
            held.append(route)  # the queue's answers, released after the log-out
        else:
            route.continue_()

    page.route("**/api/v1/**", hold_queue)
    page.goto("/steward")
    page.get_by_label("API key").fill(ADMIN_KEY)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Task queue")).to_be_visible()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the queue sent no request"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    logged_out.append(True)
    for route in held:
        route.continue_()
    page.wait_for_timeout(500)

    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    expect(page.get_by_role("heading", name="Log in to the steward console")).to_be_visible()
    assert keyless == []
    assert page.evaluate("sessionStorage.length") == 0


def test_bulk_approve_needs_the_count_typed_back(page: Page, api: httpx.Client) -> None:
    seed_review(api, "Acme", 1)
    seed_review(api, "Globex", 2)
    log_in(page)
    page.get_by_label("Source").select_option("billing")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("task-total")).to_have_text("2 tasks match these filters")

    page.get_by_label("Reason for approving them all").fill("verified against the registry")
    page.get_by_label("Type 2 to confirm the count").fill("3")
    page.get_by_role("button", name="Approve all 2").click()
    expect(page.get_by_text("Type 2, the number of tasks you are approving.")).to_be_visible()
    assert api.get("/api/v1/stewardship/tasks").json()["total"] == 2
    page.get_by_label("Type 2 to confirm the count").fill("2")
    page.get_by_role("button", name="Approve all 2").click()

    expect(page.get_by_text("Approved 2 tasks; their records were merged.")).to_be_visible()
    expect(page.get_by_test_id("task-total")).to_have_text("0 tasks match these filters")
    approved = api.get("/api/v1/stewardship/tasks", params={"status": "approved"}).json()
    assert approved["total"] == 2


def test_split_takes_a_source_record_out_of_a_golden_record(page: Page, api: httpx.Client) -> None:
    a = put(api, "erp/customer/E1", {"kind": "organization", "name": "Initech"})["golden_id"]
    b = put(api, "crm/customer/C1", {"kind": "organization", "name": "Initrode"})["golden_id"]
    api.post("/api/v1/golden/customer/merge", json={"survivor": a, "merged": [b], "reason": "x"})
    log_in(page)
    page.goto(f"/steward#/golden/customer/{a}")

    page.get_by_role("button", name="Split out crm C1").click()
    page.get_by_label("Reason for splitting crm C1 out").fill("wrong company")
    page.get_by_role("button", name="Split crm C1 out").click()

    expect(page.get_by_text("Split: crm C1 is now golden record")).to_be_visible()
    assert source_rows(page, 1) == ["erp E1"]
    assert xref_sources(api, a) == [("erp", "E1")]


def test_hierarchy_shows_ancestors_and_descendants_with_links(
    page: Page, api: httpx.Client
) -> None:
    put(api, "erp/customer/T", {"kind": "organization", "name": "Initech Holding"})
    mid = put(
        api, "erp/customer/M", {"kind": "organization", "name": "Initech Europe", "parent": "T"}
    )["golden_id"]
    put(api, "erp/customer/L", {"kind": "organization", "name": "Initech GmbH", "parent": "M"})
    log_in(page)
    page.goto(f"/steward#/golden/customer/{mid}")

    page.get_by_role("link", name="Show the account hierarchy").click()

    expect(page.get_by_role("heading", name="Hierarchy of Initech Europe")).to_be_visible()
    expect(page.get_by_text("Ultimate parent: Initech Holding")).to_be_visible()
    page.get_by_role("list", name="Account tree").get_by_role("link", name="Initech GmbH").click()
    expect(page.get_by_role("heading", name="Hierarchy of Initech GmbH")).to_be_visible()
    path = page.get_by_role("list", name="From the ultimate parent down")
    expect(path).to_have_text(re.compile(r"Initech Holding\s*Initech Europe\s*Initech GmbH"))


def test_assign_and_defer_move_the_task_to_the_deferred_queue(
    page: Page, api: httpx.Client
) -> None:
    task = seed_review(api, "Acme", 1)
    log_in(page)
    page.get_by_role("link", name=task_link(task)).click()

    page.get_by_label("Assignee").fill("alice")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Assigned to alice.")).to_be_visible()
    page.get_by_label("Reason", exact=True).fill("ask sales first")
    page.get_by_role("button", name="Defer").click()

    expect(page.get_by_text("Task deferred")).to_be_visible()
    expect(page.get_by_test_id("task-total")).to_have_text("0 tasks match these filters")
    page.get_by_label("Status", exact=True).select_option("deferred")
    page.get_by_label("Assignee").fill("alice")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("task-total")).to_have_text("1 task matches these filters")
    expect(page.get_by_role("link", name=task_link(task))).to_be_visible()


def test_a_hierarchy_cycle_is_resolved_not_merged(page: Page, api: httpx.Client) -> None:
    put(api, "erp/customer/A", {"kind": "organization", "name": "Alpha"})
    put(api, "erp/customer/B", {"kind": "organization", "name": "Beta", "parent": "A"})
    api.put(
        "/api/v1/sources/erp/customer/A",
        json={"kind": "organization", "name": "Alpha", "parent": "B"},
    )
    [task] = api.get("/api/v1/stewardship/tasks", params={"kind": "hierarchy_cycle"}).json()[
        "items"
    ]
    log_in(page)
    page.get_by_role("link", name=task_link(task)).click()

    expect(page.get_by_role("heading", name="What needs a steward")).to_be_visible()
    expect(page.get_by_role("button", name="Approve merge")).to_have_count(0)
    page.get_by_label("Reason", exact=True).fill("fixed the parent in the ERP")
    page.get_by_role("button", name="Mark resolved").click()

    expect(page.get_by_text("Task resolved.")).to_be_visible()
    assert api.get(f"/api/v1/stewardship/tasks/{task['id']}").json()["status"] == "resolved"


def test_a_proposed_hierarchy_link_is_approved_with_the_parent_the_steward_picks(
    page: Page, api: httpx.Client
) -> None:
    put(api, "erp/customer/H3", {"kind": "organization", "name": "Harbour Holdings 3 Ltd"})
    four = put(api, "erp/customer/H4", {"kind": "organization", "name": "Harbour Holdings 4 Ltd"})
    [task] = api.get("/api/v1/stewardship/tasks", params={"kind": "hierarchy_proposal"}).json()[
        "items"
    ]
    log_in(page)
    page.get_by_role("link", name=task_link(task)).click()

    expect(page.get_by_role("button", name="Approve merge")).to_have_count(0)
    page.get_by_label("Reason", exact=True).fill("one group, 4 is owned by 3")
    page.get_by_role("button", name="Link: the record held first is the parent").click()

    expect(page.get_by_text(re.compile(r"is now the parent of"))).to_be_visible()
    child = api.get(f"/api/v1/golden/customer/{four['golden_id']}").json()
    assert child["attributes"]["parent"] == task["candidate_golden_id"]
    assert child["lineage"]["parent"]["rule"] == "steward"
