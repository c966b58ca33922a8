"""Seeding the live hub over HTTP: golden records and match reviews."""

from __future__ import annotations

from typing import Any

import httpx


def put(api: httpx.Client, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = api.put(f"/api/v1/sources/{path}", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def open_tasks(api: httpx.Client) -> list[dict[str, Any]]:
    r = api.get("/api/v1/stewardship/tasks", params={"limit": 500})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def _new_task(api: httpx.Client, before: set[str], kind: str) -> dict[str, Any]:
    fresh = [t for t in open_tasks(api) if t["id"] not in before]
    assert [(t["source"], t["kind"]) for t in fresh] == [("billing", kind)], fresh
    return fresh[0]


def seed_review(api: httpx.Client, name: str, n: int) -> dict[str, Any]:
    """Exactly one new open match review for ``name``'s billing record: its identifiers
    point at two different golden records (a tax id shared with one, an e-mail with
    another), so it joins one and the matcher asks a steward about the pair instead of
    chaining them."""
    before = {t["id"] for t in open_tasks(api)}
    tax, mail = f"DE81190798{n}", f"ap@{name.lower()}{n}.example"
    put(api, f"erp/customer/E{n}", {"kind": "organization", "name": f"{name} Inc", "tax_id": tax})
    put(api, f"crm/customer/C{n}", {"kind": "organization", "name": name, "email": mail})
    put(
        api,
        f"billing/customer/B{n}",
        {"kind": "organization", "name": name.upper(), "tax_id": tax, "email": mail},
    )
    return _new_task(api, before, "match_review")


def seed_conflict(api: httpx.Client, name: str, n: int) -> dict[str, Any]:
    """Exactly one new open identifier conflict: ``name``'s billing record agrees with the
    ERP record on everything, written differently (``1 Market St`` and ``1 Market
    Street``, phone formats, case, legal-form variants), except its tax id."""
    before = {t["id"] for t in open_tasks(api)}
    put(
        api,
        f"erp/customer/E{n}",
        {
            "kind": "organization",
            "name": f"{name} Corporation",
            "legal_form": "Inc.",
            "tax_id": f"US12345678{n}",
            "phone": f"415.555.010{n}",
            "address": {
                "line1": f"{n} Market Street",
                "city": "San Francisco",
                "postcode": "94105",
                "country": "US",
            },
        },
    )
    put(
        api,
        f"billing/customer/B{n}",
        {
            "kind": "organization",
            "name": f"{name.upper()}  corporation",
            "legal_form": "Inc",
            "tax_id": f"US98765432{n}",
            "phone": f"+1 415 555 010{n}",
            "address": {"line1": f"{n} Market St", "city": "san francisco", "country": "US"},
        },
    )
    return _new_task(api, before, "identifier_conflict")


def quarantine(api: httpx.Client, path: str, body: dict[str, Any]) -> str:
    """PUT a record the canonical model refuses (its source set to strict, so a malformed
    optional value refuses the record); the id of its quarantine entry."""
    strict = api.patch(f"/api/v1/sources/{path.split('/')[0]}", json={"validation": "strict"})
    assert strict.status_code == 200, strict.text
    r = api.put(f"/api/v1/sources/{path}", json=body)
    assert r.status_code == 422, r.text
    qid: str = r.json()["error"]["quarantine_id"]
    return qid


def xref_sources(api: httpx.Client, golden_id: str) -> list[tuple[str, str]]:
    g = api.get(f"/api/v1/golden/customer/{golden_id}").json()
    return sorted((x["source"], x["source_id"]) for x in g["xrefs"])
