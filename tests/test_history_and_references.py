"""History as of any time, and references (parent, product) resolved through xrefs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mdm.clock import ManualClock
from tests.helpers import ACME_CRM, put_ok


def test_as_of_returns_the_version_valid_at_that_time(
    client: TestClient, clock: ManualClock
) -> None:
    gid = put_ok(client, "crm/customer/1", ACME_CRM)["golden_id"]
    clock.advance(1)
    between = clock.now().isoformat()
    clock.advance(1)
    put_ok(client, "crm/customer/1", {**ACME_CRM, "owner": "lee@hub.example"})

    then = client.get(f"/api/v1/golden/customer/{gid}", params={"as_of": between}).json()
    now = client.get(f"/api/v1/golden/customer/{gid}").json()
    before = client.get(f"/api/v1/golden/customer/{gid}", params={"as_of": "2000-01-01T00:00:00Z"})

    assert (then["version"], then["attributes"]["owner"]) == (1, "dana@hub.example")
    assert then["xrefs"] == [{"source": "crm", "source_id": "1", "record_version": 1}]
    assert (now["version"], now["attributes"]["owner"]) == (2, "lee@hub.example")
    assert before.status_code == 404


def test_history_lists_every_version_with_its_cause_and_changes(client: TestClient) -> None:
    gid = put_ok(client, "crm/customer/1", ACME_CRM)["golden_id"]
    put_ok(
        client,
        "erp/customer/E1",
        {"kind": "organization", "name": "Acme Inc", "tax_id": ACME_CRM["tax_id"]},
    )
    put_ok(client, "crm/customer/1", {**ACME_CRM, "segment": "smb"})

    versions = client.get(f"/api/v1/golden/customer/{gid}/history").json()["versions"]

    assert [(v["version"], v["cause"]) for v in versions] == [
        (3, "source_updated"),
        (2, "record_linked"),
        (1, "record_created"),
    ]
    assert versions[0]["changed"] == ["segment"]
    assert versions[1]["changed"] == ["name"]


def test_a_child_waits_for_its_parent_and_links_when_the_parent_arrives(
    client: TestClient,
) -> None:
    child = put_ok(
        client, "erp/customer/C-2", {"kind": "organization", "name": "Acme Europe", "parent": "C-1"}
    )
    assert (
        "parent"
        not in client.get(f"/api/v1/golden/customer/{child['golden_id']}").json()["attributes"]
    )

    parent = put_ok(client, "erp/customer/C-1", {"kind": "organization", "name": "Acme"})

    golden = client.get(f"/api/v1/golden/customer/{child['golden_id']}").json()
    assert golden["attributes"]["parent"] == parent["golden_id"]
    assert golden["lineage"]["parent"]["source_id"] == "C-2"
    history = client.get(f"/api/v1/golden/customer/{child['golden_id']}/history").json()
    assert history["versions"][0]["cause"] == "reference_resolved"


def test_parent_and_child_in_one_batch_resolve_in_either_order(client: TestClient) -> None:
    r = client.post(
        "/api/v1/sources/erp/customer/batch",
        json=[
            {
                "source_id": "kid",
                "record": {"kind": "organization", "name": "Kid", "parent": "mom"},
            },
            {"source_id": "mom", "record": {"kind": "organization", "name": "Mom"}},
        ],
    ).json()["results"]

    golden = client.get(f"/api/v1/golden/customer/{r[0]['golden_id']}").json()
    assert golden["attributes"]["parent"] == r[1]["golden_id"]


def test_a_price_attaches_to_the_golden_product(client: TestClient) -> None:
    product = put_ok(client, "cpq/product/PRD-1", {"sku": "HUB-PRO", "name": "Hub Pro"})
    erp_product = put_ok(client, "erp/product/ITEM-7", {"sku": "hub-pro", "name": "HUB PRO"})

    price = put_ok(
        client,
        "cpq/price/PB-1",
        {
            "product": "PRD-1",
            "price_book": "list",
            "currency": "USD",
            "unit_amount": "49.00",
            "billing_period": "month",
        },
    )

    assert erp_product["golden_id"] == product["golden_id"]
    golden = client.get(f"/api/v1/golden/price/{price['golden_id']}").json()
    assert golden["attributes"]["product"] == product["golden_id"]
    assert golden["attributes"]["unit_amount"] == "49.00"


def test_a_time_with_no_utc_equivalent_is_a_422_naming_the_parameter(client) -> None:  # type: ignore[no-untyped-def]
    gid = client.put(
        "/api/v1/sources/crm/customer/T1", json={"kind": "organization", "name": "Acme"}
    ).json()["golden_id"]

    as_of = client.get(f"/api/v1/golden/customer/{gid}", params={"as_of": "0001-01-01T00:00+05:00"})
    since = client.get(
        f"/api/v1/golden/customer/{gid}/transactions", params={"since": "0001-01-01T00:00+05:00"}
    )

    assert as_of.status_code == 422
    assert as_of.json()["error"]["errors"][0]["pointer"] == "/query/as_of"
    assert since.status_code == 422
    assert since.json()["error"]["errors"][0]["pointer"] == "/query/since"
    # a bare number is not taken for seconds since 1970 (schemathesis: since=0 was a 200)
    numeric = client.get(f"/api/v1/golden/customer/{gid}/transactions", params={"since": "0"})
    assert numeric.status_code == 422
    assert numeric.json()["error"]["errors"][0]["pointer"] == "/query/since"
