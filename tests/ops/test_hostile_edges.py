"""Hostile input at the edges, the same on SQLite and PostgreSQL (CI runs this file on
both): every string field at its limit is stored and one past it is a 422 naming it;
an over-long id, a NUL, a lone surrogate or an integer beyond 64 bits costs only its own
item of a batch; typed bodies answer 415 / 422 as documented; nothing refused is
written. Each case asserts the status, the error code and the table counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from canonical.schemas import schema_for
from mdm.cli import app as cli
from tests.events.events import event, event_counts
from tests.helpers import counts

ORG = {"kind": "organization", "name": "Initech"}
PERSON = {"kind": "person", "first_name": "Ada", "last_name": "Lovelace"}
BIG = 2**70  # 1180591620717411303424: orjson alone would read it as a float


def _limits() -> list[tuple[str, str, int]]:
    """(entity type, JSON pointer, maxLength) of every string field of the master-data
    models (customer, its address, product, price)."""
    out = []
    for entity in ("customer", "product", "price"):
        document = schema_for(entity).document
        out += [
            (entity, f"/{name}", spec["maxLength"])
            for name, spec in document["properties"].items()
            if "maxLength" in spec
        ]
    address = schema_for("customer").document["$defs"]["address"]["properties"]
    out += [
        ("customer", f"/address/{n}", s["maxLength"])
        for n, s in address.items()
        if "maxLength" in s
    ]
    return out


BASES = {
    "customer": ORG,
    "product": {"sku": "SKU-1", "name": "Widget"},
    "price": {
        "product": "SKU-1",
        "price_book": "standard",
        "currency": "EUR",
        "unit_amount": "1.00",
    },
}


def _value(pointer: str, length: int) -> str:
    """A value of exactly ``length`` characters that is valid for its field but for length."""
    if pointer == "/email":  # a local part of 64, domain labels of at most 63
        label = (length - 64 - 1 - 4 - 2) // 3
        rest = length - 64 - 1 - 4 - 2 - 2 * label
        return "a" * 64 + "@" + ".".join(["b" * label, "b" * label, "b" * rest]) + ".com"
    if pointer == "/website":
        return "https://" + "w" * (length - 12) + ".com"
    if pointer == "/tax_id":
        return "X" + "1" * (length - 1)
    return "Q" * length


def _record(entity: str, pointer: str, value: str) -> dict[str, Any]:
    person = entity == "customer" and pointer in ("/first_name", "/last_name", "/email")
    base = dict(PERSON) if person else dict(BASES[entity])
    if pointer.startswith("/address/"):
        base["address"] = {"country": "US", pointer.rsplit("/", 1)[1]: value}
    else:
        base[pointer[1:]] = value
    return base


def _errors(r: Any, status: int = 422) -> list[tuple[str, str]]:
    assert r.status_code == status, r.text
    return [(e["pointer"], e["code"]) for e in r.json()["error"]["errors"]]


def _quarantine(engine: Engine) -> list[tuple[str | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT source_id, status FROM quarantine")).all()
    return [(sid, status) for sid, status in rows]


@pytest.mark.parametrize(
    ("entity", "pointer", "limit"), _limits(), ids=[f"{e}{p}" for e, p, _ in _limits()]
)
def test_every_string_at_its_limit_is_stored_and_one_past_is_422(
    client: TestClient, engine: Engine, entity: str, pointer: str, limit: int
) -> None:
    path = f"/api/v1/sources/cpq/{entity}"
    at_limit = client.put(f"{path}/AT", json=_record(entity, pointer, _value(pointer, limit)))
    before = counts(engine)
    past = client.put(f"{path}/PAST", json=_record(entity, pointer, _value(pointer, limit + 1)))

    assert at_limit.status_code == 200, at_limit.text
    stored = client.get(f"{path}/AT").json()["payload"]
    for part in pointer.split("/")[1:]:
        stored = stored[part]
    assert len(stored) == limit
    assert (pointer, "too_long") in _errors(past)
    assert counts(engine) == before


def test_a_source_id_past_its_limit_is_422_and_kept_in_quarantine_without_it(
    client: TestClient, engine: Engine
) -> None:
    at_limit = client.put("/api/v1/sources/crm/customer/" + "i" * 200, json=ORG)
    before = counts(engine)
    past = client.put("/api/v1/sources/crm/customer/" + "i" * 201, json=ORG)

    assert at_limit.status_code == 200, at_limit.text
    assert _errors(past) == [("/source_id", "too_long")]
    assert counts(engine) == before
    assert _quarantine(engine) == [(None, "open")]


def test_a_batch_stores_its_valid_items_beside_a_long_id_a_nul_and_a_huge_integer(
    client: TestClient, engine: Engine
) -> None:
    items: list[dict[str, Any]] = [
        {"source_id": f"B{i}", "record": {**ORG, "name": f"Company {i}"}} for i in range(197)
    ]
    items.insert(50, {"source_id": "y" * 250, "record": ORG})
    items.insert(100, {"source_id": "NUL", "record": {**ORG, "name": "Ini\x00tech"}})
    items.insert(150, {"source_id": "HUGE", "record": {**ORG, "extensions": {"n": BIG}}})

    r = client.post("/api/v1/sources/crm/customer/batch", json=items)

    assert r.status_code == 200, r.text
    results = r.json()["results"]
    refused = {
        x["index"]: [(e["pointer"], e["code"]) for e in x["errors"]]
        for x in results
        if x.get("errors")
    }
    assert refused == {
        50: [("/source_id", "too_long")],
        100: [("/name", "nul_character")],
        150: [("/extensions/n", "integer_too_large")],
    }
    assert counts(engine)["source_record"] == 197
    assert _quarantine(engine) == [(None, "open")]  # the NUL and the integer cannot be kept


def test_integers_are_kept_exact_up_to_64_bits_and_refused_beyond(
    client: TestClient, engine: Engine
) -> None:
    largest = client.put(
        "/api/v1/sources/crm/customer/MAX",
        json={**ORG, "extensions": {"n": 2**63 - 1, "m": -(2**63)}},
    )
    before = counts(engine)
    beyond = [
        client.put("/api/v1/sources/crm/customer/H1", json={**ORG, "extensions": {"n": BIG}}),
        client.put("/api/v1/sources/crm/customer/H2", json={**ORG, "extensions": {"n": 2**63}}),
        client.put(
            "/api/v1/sources/cpq/price/P1",
            json={
                "product": "X1",
                "price_book": "standard",
                "currency": "EUR",
                "unit_amount": "1.00",
                "tiers": [{"up_to": BIG, "unit_amount": "1.00"}],
            },
        ),
    ]

    assert largest.status_code == 200, largest.text
    kept = client.get("/api/v1/sources/crm/customer/MAX").json()["payload"]["extensions"]
    assert kept == {"n": 2**63 - 1, "m": -(2**63)}
    assert [_errors(r) for r in beyond] == [
        [("/extensions/n", "integer_too_large")],
        [("/extensions/n", "integer_too_large")],
        [("/tiers/0/up_to", "integer_too_large")],
    ]
    assert counts(engine) == before


def _order(event_id: str, **data: Any) -> dict[str, Any]:
    fields = {"order_id": "o-" + event_id[:20], "currency": "EUR", "amount": "10.00", **data}
    return event(event_id, "order.booked", "C1", "2026-03-01T09:00:00Z", **fields)


def test_events_beside_a_long_id_a_nul_and_a_huge_quantity_are_stored(
    client: TestClient, engine: Engine
) -> None:
    client.put("/api/v1/sources/crm/customer/C1", json=ORG)
    line = {"amount": "10.00", "quantity": BIG}
    batch = [
        _order("e" * 250),
        _order("ok-1"),
        _order("n\x00"),
        _order("ok-2", lines=[line]),
        _order("ok-3"),
    ]

    r = client.post("/api/v1/sources/crm/events", json=batch)

    assert r.status_code == 200, r.text
    statuses = [x["status"] for x in r.json()["results"]]
    assert statuses == ["rejected", "stored", "rejected", "rejected", "stored"]
    errors = [[(e["pointer"], e["code"]) for e in x.get("errors", [])] for x in r.json()["results"]]
    assert errors[0] == [("/id", "too_long")]
    assert errors[2] == [("/data/order_id", "nul_character"), ("/id", "nul_character")]
    assert errors[3] == [("/data/lines/0/quantity", "integer_too_large")]
    assert event_counts(engine)["transactional_event"] == 2


@pytest.mark.parametrize(
    "body",
    [{"x": "\x00"}, _order("ok-9", order_id="o\x00")],
    ids=["bare", "in-data"],
)
def test_a_single_event_with_nul_is_422_nul_character_and_writes_nothing(
    client: TestClient, engine: Engine, body: dict[str, Any]
) -> None:
    before = event_counts(engine)

    r = client.post("/api/v1/sources/crm/events", json=body)

    assert [code for _, code in _errors(r)] == ["nul_character"]
    assert event_counts(engine) == before


def _raw(
    client: TestClient, method: str, path: str, body: bytes, ctype: str = "application/json"
) -> Any:
    return client.request(method, path, content=body, headers={"Content-Type": ctype})


def test_lone_surrogates_are_422_invalid_unicode_not_malformed_json(
    client: TestClient, engine: Engine
) -> None:
    record = b'{"kind":"organization","name":"\\ud800"}'
    single = _raw(client, "PUT", "/api/v1/sources/crm/customer/S1", record)
    batch = _raw(
        client,
        "POST",
        "/api/v1/sources/crm/customer/batch",
        b'[{"source_id":"S2","record":'
        + record
        + b'},{"source_id":"S3","record":{"kind":"organization","name":"Ok"}}]',
    )
    typed = _raw(client, "POST", "/api/v1/keys", b'{"name":"\\udc00","roles":["reader"]}')

    assert _errors(single) == [("/name", "invalid_unicode")]
    assert batch.status_code == 200, batch.text
    assert [x.get("action") for x in batch.json()["results"]] == ["rejected", "created"]
    assert _errors(typed) == [("/body/name", "invalid_unicode")]
    assert counts(engine)["source_record"] == 1


def _keys(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM api_key")).scalar_one())


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/keys", {"name": "ci", "roles": ["reader"]}),
        ("/api/v1/stewardship/tasks/bulk-approve", {"expected_count": 1, "reason": "x"}),
        ("/api/v1/golden/customer/merge", {"survivor": "a", "merged": ["b"], "reason": "x"}),
    ],
)
def test_typed_bodies_refuse_a_wrong_content_type_an_unknown_field_and_deep_nesting(
    client: TestClient, engine: Engine, path: str, body: dict[str, Any]
) -> None:
    keys, state = _keys(engine), counts(engine)

    plain = _raw(client, "POST", path, json.dumps(body).encode(), "text/plain")
    unknown = client.post(path, json={**body, "admin": True})
    deep = _raw(client, "POST", path, b'{"x":' + b"[" * 5000 + b"]" * 5000 + b"}")

    assert plain.status_code == 415, plain.text
    assert plain.json()["error"]["code"] == "unsupported_media_type"
    assert _errors(unknown) == [("/body/admin", "unknown_field")]
    assert _errors(deep) == [("/body", "too_deep")]
    assert (_keys(engine), counts(engine)) == (keys, state)


def test_mdm_load_never_stops_on_one_bad_row(
    cli_env: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    rows = [
        {"source_id": f"L{i}", "kind": "organization", "name": f"Loadco {i}"} for i in range(30)
    ]
    rows[16]["source_id"] = "z" * 201
    rows[22]["name"] = "Bad\x00name"
    rows[25]["extensions"] = {"n": BIG}
    path = tmp_path / "accounts.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    out = cli_env.invoke(
        cli,
        [
            "load",
            str(path),
            "--source",
            "crm",
            "--entity",
            "customer",
            "--chunk-size",
            "10",
            "--quiet",
            "--no-train",
        ],
    )

    assert out.exit_code == 1, out.output
    assert "3 of 30 records were rejected" in out.output
    assert counts(engine)["source_record"] == 27


@pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("MDM_DATABASE_URL", ""),
    reason="PostgreSQL only: SQLite keeps no planner statistics",
)
def test_mdm_load_brings_the_planner_statistics_up_to_date(
    cli_env: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "accounts.jsonl"
    path.write_text(
        "\n".join(
            json.dumps({"source_id": f"A{i}", "kind": "organization", "name": f"Co {i}"})
            for i in range(20)
        ),
        encoding="utf-8",
    )

    out = cli_env.invoke(
        cli, ["load", str(path), "-s", "crm", "-e", "customer", "-q", "--no-train"]
    )

    assert out.exit_code == 0, out.output
    with engine.connect() as conn:
        analyzed = conn.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'golden_record'")
        ).scalar_one()
    assert analyzed is not None


def test_a_source_description_past_its_column_is_422_not_cut(client: TestClient) -> None:
    at_limit = client.post("/api/v1/sources", json={"name": "shop", "description": "d" * 300})
    past = client.post("/api/v1/sources", json={"name": "shop2", "description": "d" * 301})

    assert at_limit.status_code == 201, at_limit.text
    assert _errors(past) == [("/description", "too_long")]
    names = [s["name"] for s in client.get("/api/v1/sources").json()["sources"]]
    assert "shop" in names and "shop2" not in names


@pytest.mark.parametrize(
    "literal",
    ['"cr\x00m"', '"""cr\x00m"""', '"cr\\u0000m"'],
    ids=["raw", "block", "escaped"],
)
def test_a_nul_in_a_graphql_string_literal_is_422_naming_the_argument(
    client: TestClient, literal: str
) -> None:
    query = f'{{ customerByXref(source: {literal}, sourceId: "x") {{ id }} }}'

    r = client.post("/graphql", json={"query": query})

    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "source"}


def test_a_registry_reason_past_the_audit_column_is_422_and_changes_nothing(
    client: TestClient,
) -> None:
    before = client.get("/api/v1/schemas/customer").json()

    mode = client.put(
        "/api/v1/schemas/customer/mode", json={"mode": "FULL_TRANSITIVE", "reason": "r" * 1001}
    )

    assert _errors(mode) == [("/reason", "too_long")]
    assert client.get("/api/v1/schemas/customer").json() == before


TARGET = {
    "kind": "salesforce",
    "base_url": "https://acme.my.salesforce.com",
    "credentials": {"token": "t"},
}


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"base_url": "https://acme.my.salesforce.com/" + "u" * 500}, "/base_url"),
        ({"source": "s" * 65}, "/source"),
        ({"credentials": {"token": "t" * 3000}}, "/credentials"),
    ],
    ids=["base_url", "source", "credentials"],
)
def test_a_target_field_longer_than_its_column_is_422_and_nothing_is_stored(
    client: TestClient, change: dict[str, Any], pointer: str
) -> None:
    r = client.put("/api/v1/sync/targets/crm-out", json={**TARGET, **change})

    assert _errors(r) == [(pointer, "too_long")]
    assert client.get("/api/v1/sync/targets/crm-out").status_code == 404


def test_a_target_with_credentials_just_within_the_limit_is_stored(client: TestClient) -> None:
    r = client.put(
        "/api/v1/sync/targets/crm-out", json={**TARGET, "credentials": {"token": "t" * 2800}}
    )

    assert r.status_code in (200, 201), r.text


def test_a_batch_of_many_refused_events_is_kept_in_quarantine_whole(
    client: TestClient, engine: Engine
) -> None:
    """25 refused events go through the bulk insert path (COPY on PostgreSQL, the driver's
    executemany on SQLite), which must fill column defaults as SQLAlchemy's insert does
    (found by schemathesis: a 500 for NOT NULL quarantine.status)."""
    r = client.post("/api/v1/sources/crm/events", json=[[i] for i in range(25)])

    assert r.status_code == 200, r.text
    assert r.json()["summary"] == {"rejected": 25}
    assert _quarantine(engine) == [(None, "open")] * 25


@pytest.mark.parametrize(
    ("body", "pointer", "code"),
    [
        ({"validation": None}, "/validation", "enum"),
        ({"validation": "strict", "admin": True}, "/admin", "unknown_field"),
    ],
)
def test_updating_a_source_refuses_a_null_mode_and_unknown_fields(
    client: TestClient, body: dict[str, Any], pointer: str, code: str
) -> None:
    """Found by schemathesis: ``{"validation": null, "x": []}`` was a 200 that changed nothing."""
    r = client.patch("/api/v1/sources/crm", json=body)

    assert _errors(r) == [(pointer, code)]
    crm = next(s for s in client.get("/api/v1/sources").json()["sources"] if s["name"] == "crm")
    assert crm["validation"] == "lenient"
