"""Target configuration and the field-mapping language (pure: no HTTP)."""

from __future__ import annotations

import pytest

from contracts.targets import default_mapping, target_mapping, validate_target
from contracts.targets.mapping import MappingError, nest, render, virtual_attributes
from sync.connectors import TargetConfig, build_connector
from tests.sync.outbound import ACME, ANN


def rendered(kind: str, attributes: dict, override: dict | None = None, **placeholders: str):
    options = validate_target(kind, options=None)
    fields = target_mapping(kind, override, options)
    virtuals = virtual_attributes(
        golden_id="g-1", version=1, status="active", merged_into=None, attributes=attributes
    )
    return nest(render(fields, attributes, virtuals, placeholders=placeholders), drop_none=True)


def test_the_default_salesforce_mapping_covers_the_account_fields():
    body = rendered("salesforce", {**ACME, "parent": "g-parent"}, external_id_field="Ext__c")

    assert body == {
        "Name": "Acme GmbH",
        "BillingStreet": "Hauptstr. 1",
        "BillingCity": "Berlin",
        "BillingPostalCode": "10115",
        "BillingCountry": "DE",
        "Phone": "+49 30 1234567",
        "Website": "https://www.acme.example",
        "Parent": {"Ext__c": "g-parent"},
    }


def test_the_default_stripe_mapping_nests_the_address():
    body = rendered("stripe", {**ACME, "address": {**ACME["address"], "region": "BE"}})

    assert body["address"] == {
        "line1": "Hauptstr. 1",
        "city": "Berlin",
        "state": "BE",
        "postal_code": "10115",
        "country": "DE",
    }


def test_persons_map_to_first_and_last_names_where_the_target_has_them():
    assert rendered("netsuite", ANN) == {
        "isPerson": True,
        "firstName": "Ann",
        "lastName": "Lee",
        "email": "ann@gmail.com",
    }
    assert rendered("salesforce", ANN, external_id_field="X__c")["Name"] == "Ann Lee"
    assert rendered("zendesk", ANN) == {"name": "Ann Lee"}


def test_free_mail_domains_are_not_an_organization_domain():
    body = rendered("zendesk", {"kind": "organization", "name": "Solo", "email": "solo@gmail.com"})

    assert "domain_names" not in body


def test_a_long_name_is_truncated_to_what_salesforce_stores():
    body = rendered(
        "salesforce", {"kind": "organization", "name": "x" * 300}, external_id_field="X"
    )

    assert len(body["Name"]) == 255


def test_an_override_replaces_extends_and_removes_fields():
    body = rendered(
        "stripe",
        {**ACME, "segment": "enterprise"},
        {
            "name": {"from": "name", "transform": "upper"},
            "metadata.segment": "segment",
            "phone": None,
        },
    )

    assert body["name"] == "ACME GMBH"
    assert body["metadata"] == {"segment": "enterprise"}
    assert "phone" not in body


def test_a_constant_applies_only_where_its_condition_holds():
    override = {"subsidiary.id": {"const": "1", "kinds": ["organization"]}}

    assert rendered("netsuite", ACME, override)["subsidiary"] == {"id": "1"}
    assert "subsidiary" not in rendered("netsuite", ANN, override)


@pytest.mark.parametrize(
    ("override", "names"),
    [
        ({"Name": "$nickname"}, "Name: unknown virtual attribute"),
        ({"Name": {"from": "name", "transform": "shout"}}, "Name: unknown transform"),
        ({"Name": {"from": "name", "const": "x"}}, "Name: give exactly one"),
        ({"Name": {"from": "name", "kinds": ["robot"]}}, "Name: kinds must list"),
        ({"Name": {"from": "name", "colour": "red"}}, "Name: unknown spec keys"),
        ({"Name..x": "name"}, "Name..x: '' is not a field name"),
        ({"{nowhere}": "name"}, "{nowhere}: unknown placeholder"),
        ({"Name": 42}, "Name: a spec is"),
    ],
)
def test_an_unusable_mapping_is_refused_naming_the_field(override, names):
    with pytest.raises(MappingError, match=names.replace("(", r"\(").replace("{", r"\{")):
        TargetConfig(
            name="sf",
            kind="salesforce",
            base_url="https://x.example",
            credentials={"token": "t"},
            mapping=override,
        )


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"kind": "hubspot"}, "kind"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"credentials": {}}, "credentials.token"),
        ({"rate_limit_per_s": 0}, "rate_limit_per_s"),
        ({"entity_types": ("customer", "invoice")}, "entity_types"),
        ({"entity_types": ("customer", "price")}, "entity_types"),
        ({"kind": "zendesk", "entity_types": ("product",)}, "entity_types"),
        ({"options": {"on_merge": "archive"}}, "options.on_merge"),
        ({"options": {"colour": "red"}}, "options.colour"),
        ({"options": {"batch_size": 500}}, "options.batch_size"),
        ({"options": {"correlation_header": "yes"}}, "options.correlation_header"),
    ],
)
def test_an_unusable_target_is_refused_naming_the_field(changes, names):
    fields = {
        "name": "sf",
        "kind": "salesforce",
        "base_url": "https://x.example",
        "credentials": {"token": "t"},
        **changes,
    }

    with pytest.raises(ValueError, match=names):
        TargetConfig(**fields)


def test_a_target_builds_from_the_rest_body_and_gets_its_kinds_defaults():
    config = TargetConfig.from_dict(
        "crm",
        {
            "kind": "salesforce",
            "base_url": "https://acme.my.salesforce.com/",
            "credentials": {"token": "t"},
            "source": "crm",
            "options": {"batch_size": 50},
        },
    )

    assert config.base_url == "https://acme.my.salesforce.com"
    assert config.options["external_id_field"] == "MDM_Golden_Id__c"
    assert config.options["on_merge"] == "deactivate"
    connector = build_connector(config)
    assert (connector.kind, connector.max_batch) == ("salesforce", 50)


@pytest.mark.parametrize(("kind", "batch"), [("stripe", 1), ("netsuite", 1), ("zendesk", 1)])
def test_the_other_kinds_push_one_record_per_call(kind, batch):
    config = TargetConfig(
        name=kind, kind=kind, base_url="https://x.example", credentials={"token": "t"}
    )

    assert build_connector(config).max_batch == batch


def test_default_mappings_are_copies():
    default_mapping("stripe")["name"] = "email"

    assert default_mapping("stripe")["name"] == "$display_name"
