"""The console is served by the hub from package files: no build, nothing from elsewhere."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_page_and_every_asset_it_loads_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/steward")
    scripts = re.findall(r'(?:src|href)="/steward/assets/([^"]+)"', page.text)
    modules = {"js/main.js"}
    seen: set[str] = set()
    while modules:
        name = modules.pop()
        seen.add(name)
        body = client.get(f"/steward/assets/{name}").text
        modules |= {f"js/{m}" for m in re.findall(r'from "\./([\w.]+)"', body)} - seen

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert sorted(scripts) == ["console.css", "js/main.js"]
    assert not re.search(r"https?://", page.text)
    assert {"js/api.js", "js/task.js", "js/golden.js", "js/queue.js"} <= seen
    for name in [*scripts, *seen]:
        r = client.get(f"/steward/assets/{name}")
        assert r.status_code == 200, name
        assert not re.search(r"https?://", r.text), f"{name} refers to another origin"


def test_unknown_assets_are_a_json_404(client: TestClient) -> None:
    for name in ("nope.js", "../router.py", "index.html"):
        r = client.get(f"/steward/assets/{name}")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
