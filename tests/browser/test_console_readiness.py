"""The console's targets page in a real browser: records held back from a target for its
readiness rules, beside its dead letters, each with what it lacks, and gone from the page
once the change that completes it has gone out."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import Page, expect

from mdm.bootstrap import Container
from tests.browser.seed import put
from tests.browser.steps import log_in, no_page_scroll
from tests.sync.hub import add_target, dispatcher

pytestmark = pytest.mark.browser

ACME = {
    "kind": "organization",
    "name": "Acme GmbH",
    "tax_id": "DE123456789",
    "address": {"line1": "Hauptstr. 1", "city": "Berlin", "country": "DE"},
}


def test_a_target_shows_its_held_records_with_their_reason_beside_its_dead_letters(
    page: Page, api: httpx.Client, container: Container, standins: Any
) -> None:
    netsuite = standins("netsuite")
    add_target(api, netsuite)
    acme = str(put(api, "erp/customer/E1", ACME)["golden_id"])  # no payment terms
    d = dispatcher(container)
    d.run_until_idle()
    log_in(page)
    page.get_by_role("link", name="Targets").click()

    row = page.get_by_role("row", name=re.compile("^netsuite "))
    expect(row.get_by_role("link", name="1 held")).to_be_visible()
    row.get_by_role("link", name="netsuite").click()

    expect(page.get_by_role("region", name="Dead letters (0)")).to_be_visible()
    held = page.get_by_role("region", name="Held (1)")
    expect(held.get_by_role("link", name=acme[:8])).to_be_visible()
    expect(held.get_by_role("cell", name="payment_terms", exact=True)).to_be_visible()
    expect(held).to_contain_text("not ready for netsuite: missing payment_terms")
    expect(
        page.get_by_text("payment_terms, tax_id (where kind, address.country match)")
    ).to_be_visible()
    held.get_by_role("link", name="records not ready for a target").click()
    expect(page.get_by_role("heading", name="Task queue")).to_be_visible()
    expect(page.get_by_label("Kind")).to_have_value("target_not_ready")
    page.get_by_role("link", name=re.compile("Acme GmbH")).click()
    why = page.get_by_role("region", name="What needs a steward")
    expect(why).to_contain_text("not ready for netsuite: missing payment_terms")
    expect(why).to_contain_text("Target")
    expect(page.get_by_role("button", name="Mark resolved")).to_be_visible()
    assert list(netsuite.app.requests) == []

    put(api, "erp/customer/E1", {**ACME, "payment_terms": "Net 30"})
    d.run_until_idle()
    page.goto("/steward#/targets/netsuite")

    expect(page.get_by_role("region", name="Held (0)")).to_contain_text("Nothing is held")
    assert netsuite.app.customer(acme)["companyName"] == "Acme GmbH"


def test_the_held_records_fit_800_px(
    narrow_page: Page, api: httpx.Client, container: Container, standins: Any
) -> None:
    add_target(api, standins("netsuite"))
    put(api, "erp/customer/E1", ACME)
    dispatcher(container).run_until_idle()
    log_in(narrow_page)

    narrow_page.goto("/steward#/targets/netsuite")

    expect(narrow_page.get_by_role("region", name="Held (1)")).to_be_visible()
    width, inner = no_page_scroll(narrow_page)
    assert width <= inner
