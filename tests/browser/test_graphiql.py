"""``/graphql`` in a browser: GraphiQL (the minified build that scripts/fetch_graphiql.py
brings, pinned and hash-checked) renders and runs a query with the key typed into its
headers editor, with no network beyond the hub."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import Page, expect

from tests.browser.seed import put
from tests.conftest import ADMIN_KEY

pytestmark = pytest.mark.browser

QUERY = "{ customers(first: 5) { edges { node { id attributes { name } } } } }"


def _offline(page: Page, hub: str) -> list[str]:
    elsewhere: list[str] = []

    def route(request: Any) -> None:
        if request.request.url.startswith(hub):
            request.continue_()
        else:
            elsewhere.append(request.request.url)
            request.abort()

    page.route("**/*", route)
    return elsewhere


def _replace_text(page: Page, editor: Any, text: str) -> None:
    """Type into one of GraphiQL's CodeMirror editors: select all, insert (inserted text,
    unlike typed keys, gets no closing brackets added)."""
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def test_graphiql_runs_a_query_offline_with_the_key_from_its_headers_editor(
    page: Page, hub: str, api: httpx.Client
) -> None:
    put(api, "crm/customer/G1", {"kind": "organization", "name": "Graphiql Gadgets GmbH"})
    elsewhere = _offline(page, hub)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)

    page.goto("/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible(timeout=15_000)
    _replace_text(page, page.locator(".graphiql-query-editor .CodeMirror").first, QUERY)
    page.get_by_role("button", name="Headers").click()
    headers = page.locator(".graphiql-editor-tool .CodeMirror").last
    _replace_text(page, headers, '{"Authorization": "Bearer ' + ADMIN_KEY + '"}')
    page.locator(".graphiql-execute-button").click()

    expect(page.locator(".graphiql-response")).to_contain_text("Graphiql Gadgets GmbH")
    assert elsewhere == []
    assert sorted(s.rsplit("/", 1)[-1] for s in scripts) == [
        "graphiql.min.js",
        "react-dom.production.min.js",
        "react.production.min.js",
    ]


def test_graphiql_without_a_key_shows_the_graphql_refusal(page: Page, hub: str) -> None:
    _offline(page, hub)

    page.goto("/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible(timeout=15_000)
    _replace_text(page, page.locator(".graphiql-query-editor .CodeMirror").first, QUERY)
    page.get_by_role("button", name="Headers").click()
    _replace_text(page, page.locator(".graphiql-editor-tool .CodeMirror").last, "{}")
    page.locator(".graphiql-execute-button").click()

    expect(page.locator(".graphiql-response")).to_contain_text("UNAUTHENTICATED")
