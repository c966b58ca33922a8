"""``/docs`` renders the API's operations in a real browser with no network beyond the
hub: Swagger UI comes from an installed package, not a CDN."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_their_operations_offline(page: Page, hub: str) -> None:
    elsewhere: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith(hub):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    page.goto("/docs")

    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    put_record = page.locator(".opblock-put", has_text="/api/v1/sources/{source}/{entity_type}")
    expect(put_record.first).to_be_visible()
    expect(page.locator(".opblock-tag", has_text="ingest")).to_be_visible()
    assert operations.count() > 30
    assert elsewhere == []

    put_record.first.locator(".opblock-summary").click()
    expect(page.get_by_text("Create or update one source record")).to_be_visible()


def test_the_home_page_links_to_what_the_hub_serves(page: Page, hub: str) -> None:
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for name, target in [
        ("REST API", "/docs"),
        ("GraphQL", "/graphql"),
        ("Steward console", "/steward"),
        ("Readiness", "/health/ready"),
    ]:
        expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute("href", target)
    page.get_by_role("link", name="REST API", exact=True).click()
    expect(page.locator(".opblock").first).to_be_visible()
