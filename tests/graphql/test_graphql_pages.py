"""Relay pages: stable keyset cursors, filters and fuzzy search on the standardized name."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.graphql.gql_helpers import gql, put

PAGE = """query($first: Int!, $after: String, $search: String, $filter: CustomerFilter) {
  customers(first: $first, after: $after, search: $search, filter: $filter) {
    totalCount
    edges { cursor score node { id attributes { name } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def _names(body: dict) -> list[str]:
    return [e["node"]["attributes"]["name"] for e in body["data"]["customers"]["edges"]]


def test_pages_walk_every_record_once_in_id_order(client: TestClient) -> None:
    ids = sorted(
        put(client, "crm", "customer", str(i), {"kind": "organization", "name": f"Company {i}"})
        for i in range(7)
    )

    first = gql(client, PAGE, first=3)["data"]["customers"]
    second = gql(client, PAGE, first=3, after=first["pageInfo"]["endCursor"])["data"]["customers"]
    third = gql(client, PAGE, first=3, after=second["pageInfo"]["endCursor"])["data"]["customers"]

    seen = [e["node"]["id"] for p in (first, second, third) for e in p["edges"]]
    assert seen == ids
    assert [p["pageInfo"]["hasNextPage"] for p in (first, second, third)] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in (first, second, third)] == [False, True, True]
    assert first["totalCount"] == 7
    assert first["pageInfo"]["endCursor"] == first["edges"][-1]["cursor"]


def test_a_cursor_stays_valid_when_records_are_added_before_it(client: TestClient) -> None:
    for i in range(4):
        put(client, "crm", "customer", str(i), {"kind": "organization", "name": f"Co {i}"})
    page = gql(client, PAGE, first=2)["data"]["customers"]
    rest_before = gql(client, PAGE, first=10, after=page["pageInfo"]["endCursor"])

    put(client, "crm", "customer", "new", {"kind": "organization", "name": "Newco"})
    rest_after = gql(client, PAGE, first=10, after=page["pageInfo"]["endCursor"])

    before = [e["node"]["id"] for e in rest_before["data"]["customers"]["edges"]]
    after = [e["node"]["id"] for e in rest_after["data"]["customers"]["edges"]]
    assert [i for i in after if i in before] == before
    assert len(after) in (len(before), len(before) + 1)


def test_search_is_fuzzy_on_the_standardized_name_best_first(client: TestClient) -> None:
    # one country each: name-only records with one core name would link now
    for sid, name, country in [
        ("1", "Acme Corporation", "US"),
        ("2", "ACME Corp.", "GB"),
        ("3", "Acme Holdings Ltd", "IE"),
        ("4", "Globex GmbH", "DE"),
        ("5", "Akme Inc", "CA"),
    ]:
        record = {"kind": "organization", "name": name, "address": {"country": country}}
        put(client, "crm", "customer", sid, record)

    body = gql(client, PAGE, first=10, search="acme inc")

    # legal forms and stop words ("holdings") go: three names standardize to "acme"
    names = _names(body)
    assert set(names[:3]) == {"Acme Corporation", "ACME Corp.", "Acme Holdings Ltd"}
    assert names[3:] == ["Akme Inc"]
    assert [e["score"] for e in body["data"]["customers"]["edges"]] == [100.0] * 3 + [75.0]


def test_search_pages_continue_after_the_cursor(client: TestClient) -> None:
    for i in range(5):
        put(client, "crm", "customer", str(i), {"kind": "organization", "name": f"Initech {i}"})

    whole = _names(gql(client, PAGE, first=5, search="initech"))
    one = gql(client, PAGE, first=2, search="initech")
    two = gql(
        client,
        PAGE,
        first=3,
        search="initech",
        after=one["data"]["customers"]["pageInfo"]["endCursor"],
    )

    assert _names(one) + _names(two) == whole
    assert two["data"]["customers"]["pageInfo"]["hasNextPage"] is False


def test_filters_are_exact_and_combine(client: TestClient) -> None:
    put(
        client,
        "crm",
        "customer",
        "1",
        {"kind": "organization", "name": "A", "segment": "smb", "address": {"country": "DE"}},
    )
    put(
        client,
        "crm",
        "customer",
        "2",
        {"kind": "organization", "name": "B", "segment": "smb", "address": {"country": "FR"}},
    )
    put(
        client,
        "erp",
        "customer",
        "3",
        {"kind": "organization", "name": "C", "segment": "smb", "address": {"country": "DE"}},
    )

    smb_de = gql(client, PAGE, first=10, filter={"segment": "smb", "country": "DE"})
    from_erp = gql(client, PAGE, first=10, filter={"source": "erp"})

    assert sorted(_names(smb_de)) == ["A", "C"]
    assert _names(from_erp) == ["C"]


def test_products_page_and_search(client: TestClient) -> None:
    put(client, "cpq", "product", "1", {"sku": "W-1", "name": "Widget Pro", "family": "widgets"})
    put(client, "cpq", "product", "2", {"sku": "G-1", "name": "Gadget", "family": "gadgets"})

    sku = "edges { node { attributes { sku } } }"
    body = gql(
        client,
        f"{{ all: products {{ {sku} }} "
        f'found: products(search: "widget") {{ {sku} }} '
        f'fam: products(filter: {{family: "gadgets"}}) {{ {sku} }} }}',
    )

    d = body["data"]
    assert sorted(e["node"]["attributes"]["sku"] for e in d["all"]["edges"]) == ["G-1", "W-1"]
    assert [e["node"]["attributes"]["sku"] for e in d["found"]["edges"]] == ["W-1"]
    assert [e["node"]["attributes"]["sku"] for e in d["fam"]["edges"]] == ["G-1"]
