"""Steps every console test takes: logging in, reading what a region shows."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import ADMIN_KEY

__all__ = ["compare_rows", "log_in", "no_page_scroll"]


def log_in(page: Page, key: str = ADMIN_KEY) -> None:
    page.goto("/steward")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Task queue")).to_be_visible()
    expect(page.get_by_test_id("task-total")).to_be_visible()  # loaded, not just "Loading…"


def no_page_scroll(page: Page) -> tuple[int, int]:
    """(scroll width, visible width) of the page: equal when nothing sticks out."""
    width: int = page.evaluate("document.documentElement.scrollWidth")
    inner: int = page.evaluate("document.documentElement.clientWidth")
    return width, inner


def compare_rows(page: Page) -> dict[str, tuple[str, str, str]]:
    """The compare view as a steward reads it: attribute -> (left, right, agreement)."""
    table = page.locator("table.compare")
    expect(table).to_be_visible()
    out: dict[str, tuple[str, str, str]] = {}
    for row in table.locator("tbody tr").all():
        name = row.locator("th").inner_text().strip()
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        out[name] = (cells[0], cells[1], cells[2])
    return out
