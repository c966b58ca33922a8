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
