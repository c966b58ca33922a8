"""Seeding the live hub over HTTP: golden records and match reviews."""

from __future__ import annotations

from typing import Any

import httpx


def put(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.put(f"/api/v1/sources/{path}", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


MERGEABLE = ("match_review", "identifier_conflict")
CITIES = ("Bremen", "Hamburg", "Leipzig", "Dresden", "Kiel")


def open_tasks(api: httpx.Client) -> list[dict[str, Any]]:
    r = api.get("/api/v1/stewardship/tasks", params={"limit": 500})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def seed_review(api: httpx.Client, name: str, n: int) -> dict[str, Any]:
    """Exactly one new open task proposing a merge for ``name``'s billing record (a match
    review or an identifier conflict), whatever the matcher.

    First a record whose identifiers point at two different golden records (a tax id
    shared with one, an e-mail with another); if the matcher links that instead, an
    unrelated pair that agrees on everything but contradicts a strong identifier.
    """
    before = {t["id"] for t in open_tasks(api)}
    tax, mail = f"DE81190798{n}", f"ap@{name.lower()}{n}.example"
    put(api, f"erp/customer/E{n}", {"kind": "organization", "name": f"{name} Inc", "tax_id": tax})
    put(api, f"crm/customer/C{n}", {"kind": "organization", "name": name, "email": mail})
    put(
        api,
        f"billing/customer/B{n}",
        {"kind": "organization", "name": name.upper(), "tax_id": tax, "email": mail},
    )
    fresh = [t for t in open_tasks(api) if t["id"] not in before]
    if not fresh:
        twin = {
            "kind": "organization",
            "name": f"{name[::-1].title()} Verwaltung",
            "email": f"orders@{name[::-1].lower()}{n}.example",
            "phone": f"+49 {30 + 10 * n} {n}{n}4455{n}",
            "address": {
                "line1": f"{name}weg {n}",
                "city": CITIES[n % len(CITIES)],
                "country": "DE",
            },
        }
        put(api, f"erp/customer/X{n}", {**twin, "tax_id": f"DE2{n}4455667"})
        put(api, f"billing/customer/X{n}", {**twin, "tax_id": f"DE3{n}4455667"})
        fresh = [t for t in open_tasks(api) if t["id"] not in before]
    assert [t["source"] for t in fresh] == ["billing"], fresh
    assert fresh[0]["kind"] in MERGEABLE, fresh
    return fresh[0]


def xref_sources(api: httpx.Client, golden_id: str) -> list[tuple[str, str]]:
    g = api.get(f"/api/v1/golden/customer/{golden_id}").json()
    return sorted((x["source"], x["source_id"]) for x in g["xrefs"])
