"""Person, date, identifier and place levels; fallback blocking; blocking recall; flat columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from canonical.flat import record_from_flat
from matching.batch import blocking_recall, dedupe, strong_codes
from matching.compare import comparison_vectors
from matching.settings import MatchSettings, default_settings
from matching.standardize import standardize_customer
from matching.table import RecordTable


def _levels(settings: MatchSettings, comparison: str, pairs: list[tuple[dict, dict]]) -> list[str]:
    rows = [row for pair in pairs for row in pair]
    table = RecordTable.from_rows(rows, settings.fields)
    left = np.arange(0, len(rows), 2, dtype=np.int64)
    gammas = comparison_vectors(settings, table, left, left + 1)
    col = [c.name for c in settings.comparisons].index(comparison)
    return [settings.comparisons[col].levels[g].label for g in gammas[:, col]]


def test_given_name_levels_tell_swaps_nicknames_and_initials_apart() -> None:
    settings = default_settings("customer")
    pairs = [
        (
            {"first_name": "anna", "last_name": "smith"},
            {"first_name": "anna", "last_name": "smyth"},
        ),
        (
            {"first_name": "smith", "last_name": "anna"},
            {"first_name": "anna", "last_name": "smith"},
        ),
        ({"first_name": "bob", "last_name": "lee"}, {"first_name": "robert", "last_name": "lee"}),
        ({"first_name": "j", "last_name": "lee"}, {"first_name": "john", "last_name": "lee"}),
        ({"first_name": "maria", "last_name": "lee"}, {"first_name": "peter", "last_name": "lee"}),
    ]

    assert _levels(settings, "first_name", pairs) == [
        "given name exact",
        "given and family name swapped",
        "given name nickname of the other",
        "given name initial of the other",
        "given name different",
    ]
    # the swap is counted once: the family-name comparison's swap level weighs nothing
    assert _levels(settings, "last_name", pairs)[1].startswith("family and given name swapped")
    swap = next(lv for c in settings.comparisons if c.name == "last_name" for lv in c.levels
                if lv.kind == "cross")  # fmt: skip
    assert (swap.m, swap.u) == (1.0, 1.0)


def test_names_swapped_with_a_typo_are_a_swap_counted_once() -> None:
    settings = default_settings("customer")
    pairs = [
        (
            {"first_name": "whtie", "last_name": "brandon"},
            {"first_name": "brandon", "last_name": "white"},
        ),
        (  # alike given names, not a swap: the fuzzy given-name level decides
            {"first_name": "brandon", "last_name": "white"},
            {"first_name": "brendon", "last_name": "black"},
        ),
        (
            {"first_name": "white", "last_name": "anna"},
            {"first_name": "brandon", "last_name": "white"},
        ),
    ]

    first = _levels(settings, "first_name", pairs)
    last = _levels(settings, "last_name", pairs)

    assert first[0] == "given and family name swapped, with a typo"
    assert last[0].startswith("family and given name swapped, with a typo (counted once")
    assert first[1] == "given name Jaro-Winkler >= 0.92" and first[2] == "given name different"


def test_a_postcode_counts_as_near_only_when_two_neighbouring_characters_are_swapped() -> None:
    settings = default_settings("customer")
    pairs = [
        ({"address": {"postcode": "3059"}}, {"address": {"postcode": "3095"}}),
        ({"address": {"postcode": "94110"}}, {"address": {"postcode": "94101"}}),
        # consecutive postcodes are neighbouring districts, not a typo
        ({"address": {"postcode": "2517"}}, {"address": {"postcode": "2518"}}),
        ({"address": {"postcode": "3059"}}, {"address": {"postcode": "4109"}}),
    ]
    rows = [(standardize_customer(a), standardize_customer(b)) for a, b in pairs]

    assert _levels(settings, "address", rows) == [
        "postcode with two neighbouring characters swapped",
        "postcode with two neighbouring characters swapped",
        "address different",
        "address different",
    ]


def test_date_of_birth_levels() -> None:
    settings = default_settings("customer")
    dob = "19840312"
    pairs = [
        ({"date_of_birth": dob}, {"date_of_birth": "19841203"}),
        ({"date_of_birth": dob}, {"date_of_birth": "19840313"}),
        ({"date_of_birth": dob}, {"date_of_birth": "19843012"}),
        ({"date_of_birth": dob}, {"date_of_birth": "1984"}),
        ({"date_of_birth": dob}, {"date_of_birth": "19840607"}),
        ({"date_of_birth": dob}, {"date_of_birth": "19620101"}),
    ]

    assert _levels(settings, "date_of_birth", pairs) == [
        "date of birth with day and month transposed",
        "date of birth one digit off or two digits swapped",
        "date of birth one digit off or two digits swapped",
        "date of birth: only the year on one side, and it agrees",
        "date of birth: same year, day or month differ",
        "date of birth different",
    ]


def test_an_identifier_counts_as_near_only_when_transposed_not_when_one_digit_differs() -> None:
    settings = default_settings("customer")
    pairs = [
        ({"tax_id": "123456789"}, {"tax_id": "123456798"}),
        # numbered entities of one group get consecutive numbers: one digit off is no typo
        ({"tax_id": "123456789"}, {"tax_id": "123456790"}),
        ({"tax_id": "123456789"}, {"tax_id": "987654321"}),
    ]

    labels = _levels(settings, "tax_id", pairs)

    assert labels == [
        "tax id with two neighbouring characters swapped",
        "tax id different",
        "tax id different",
    ]


def test_only_validated_identifiers_can_veto_a_link() -> None:
    settings = default_settings("customer")
    rows: list[dict[str, str | None]] = [
        {"tax_id": "DE136695976", "tax_id_valid": "1"},
        {"tax_id": "DE136695977", "tax_id_valid": None},
        {"tax_id": "DE123456788", "tax_id_valid": "1"},
    ]
    table = RecordTable.from_rows(rows, ["tax_id", "tax_id_valid"])

    codes = strong_codes(settings, table)["tax_id"]

    assert codes.tolist()[1] == -1
    assert codes[0] >= 0 and codes[2] >= 0 and codes[0] != codes[2]


def test_street_and_city_are_one_comparison() -> None:
    settings = default_settings("customer")
    here = {"line1": "1 main st", "city": "austin"}
    pairs = [
        (here, dict(here)),
        (here, {"line1": "1 mian st", "city": "austin"}),
        (here, {"line1": "99 elm rd", "city": "austin"}),
        (here, {"city": "austin"}),
        (here, {"line1": "1 main st", "city": "dallas"}),
        (here, {"line1": "1 main st"}),
    ]

    assert _levels(settings, "address", pairs) == [
        "same street and city",
        "street token-sort >= 0.90, same city",
        "same city, another street and postcode (or none)",
        "same city, another street and postcode (or none)",
        "same street, another postcode and city",
        "same street, another postcode and city",
    ]


def test_street_postcode_and_city_are_one_fact_counted_once() -> None:
    settings = default_settings("customer")
    here = {"line1": "1 main st", "postcode": "78701", "city": "austin"}
    pairs = [
        (here, dict(here)),
        (here, {"line1": "1 main st", "postcode": "78701"}),
        (here, {"line1": "7 elm rd", "postcode": "78701", "city": "austin"}),
        (here, {"country": "US"}),
    ]

    assert _levels(settings, "address", pairs) == [
        "same street and postcode",
        "same street and postcode",
        "same postcode, another street (or none)",
        "address missing on either side",
    ]


def _people(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record_from_flat({"id": str(i), **row}) for i, row in enumerate(rows)]


def test_name_only_records_link_on_a_rare_name_and_not_on_a_common_one() -> None:
    rows = [{"company": f"{w} {v} Trading"} for w in ("Alpha", "Beta", "Gamma", "Delta")
            for v in ("North", "South", "East", "West", "Central")]  # fmt: skip
    rows += [{"company": "Smith Consulting"} for _ in range(12)]
    rows += [{"company": f"Zyqorvex {i} Holdings"} for i in range(60)]
    rows += [{"company": "Quarnelli Biotech"}, {"company": "Quarnelli Biotech Ltd"}]

    result = dedupe(_people(rows), "customer")

    labels = result.labels.tolist()
    rare = len(rows) - 2
    assert labels[rare] == labels[rare + 1]
    smiths = [labels[i] for i, row in enumerate(rows) if row["company"] == "Smith Consulting"]
    assert len(set(smiths)) == len(smiths)


def test_blocking_recall_counts_the_true_pairs_the_rules_keep() -> None:
    settings = default_settings("customer")
    rows = [
        {"first_name": "anna", "last_name": "smith", "date_of_birth": "19840312"},
        {"first_name": "anna", "last_name": "smith", "date_of_birth": "19840312"},
        {"first_name": "zoe", "last_name": "quinn", "date_of_birth": "19700101"},
        {"first_name": "xavier", "last_name": "brown", "date_of_birth": "19991231"},
    ]
    table = RecordTable.from_rows(rows, ["name", *settings.fields])

    found = blocking_recall(table, settings, ["a", "a", "b", "b"])

    assert found["true_pairs"] == 2
    assert found["kept_true_pairs"] == 1
    assert found["recall"] == pytest.approx(0.5)


def test_flat_rows_understand_the_usual_column_names() -> None:
    row = {
        "id": "7",
        "Given Name": "Ann",
        "surname": "Lee",
        "dob": "1990-01-02",
        "soc_sec_id": "123",
        "street_number": "12",
        "address_1": "Main St",
        "suburb": "Carlton",
        "state": "VIC",
        "zip": "3053",
        "category": "Snacks",
        "price": "1.50",
    }

    assert record_from_flat(row) == {
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1990-01-02",
        "tax_id": "123",
        "family": "Snacks",
        "list_price": "1.50",
        "address": {"line1": "12 Main St", "city": "Carlton", "region": "VIC", "postcode": "3053"},
    }
    assert record_from_flat({"first_name": "Ann", "given_name": "Anne"})["first_name"] == "Ann"


def test_a_person_is_compared_on_given_and_family_name_not_on_the_full_name() -> None:
    settings = default_settings("customer")
    person = standardize_customer({"first_name": "Ann", "last_name": "Lee"})
    company = standardize_customer({"name": "Lee Ann Partners"})

    table = RecordTable.from_rows([person, company], settings.fields)

    assert table.values("org_name") == [None, company["name"]]


def _hub_decision(record: dict[str, Any], other: dict[str, Any]) -> Any:
    from matching.engine import ProbabilisticMatcher
    from matching.port import Candidate

    return ProbabilisticMatcher().decide("customer", record, [Candidate("g1", other, [other])])


ACME_DE = {
    "name": "Acme Maschinenbau GmbH",
    "tax_id": "DE136695976",
    "phone": "+49 30 1234567",
    "website": "https://acme-maschinenbau.de",
    "address": {"line1": "Hauptstrasse 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
}


def test_in_the_hub_two_validated_tax_ids_that_differ_send_a_sure_link_to_review() -> None:
    other = {**ACME_DE, "tax_id": "DE123456788"}

    decision = _hub_decision(ACME_DE, other)

    assert decision.action == "review"
    assert decision.score is not None and decision.score >= 0.9
    assert decision.explanation["conflicts"] == {"tax_id": ["DE136695976", "DE123456788"]}


def test_in_the_hub_a_tax_id_typo_that_fails_its_checksum_does_not_veto() -> None:
    other = {**ACME_DE, "tax_id": "DE136695977"}

    decision = _hub_decision(ACME_DE, other)

    assert decision.action == "link"
    levels = {c["comparison"]: c["level"] for c in decision.explanation["comparisons"]}
    assert levels["tax_id"] == "tax id one character off, only one side passes its checksum"


def test_names_that_differ_only_in_their_numbers_are_two_organizations() -> None:
    settings = default_settings("customer")
    pairs = [
        ({"name": "child 0 3"}, {"name": "child 0 4"}),
        ({"name": "acme 2"}, {"name": "acme 2"}),
    ]

    assert _levels(settings, "name", pairs) == ["name: the numbers in it differ", "name exact"]


INITECH = {
    "name": "Initech LLC",
    "registration_number": "HRB 123456",
    "email": "ap@initech.example",
    "address": {"line1": "4120 Freidrich Lane", "city": "Austin", "country": "US"},
}


def test_a_registration_number_that_disagrees_outright_sends_the_pair_to_review() -> None:
    other = {**INITECH, "registration_number": "HRB 654321"}

    decision = _hub_decision(INITECH, other)
    result = dedupe([INITECH, other], "customer", train_model=False)

    assert decision.action == "review"
    assert "registration_number" in decision.explanation["conflicts"]
    assert result.labels.tolist() == [0, 1]
    assert [(a, b) for a, b, _ in result.review] == [(0, 1)]


def test_a_registration_number_with_two_digits_swapped_is_no_conflict() -> None:
    other = {**INITECH, "registration_number": "HRB 123465"}

    decision = _hub_decision(INITECH, other)
    result = dedupe([INITECH, other], "customer", train_model=False)

    assert decision.action == "link"
    assert result.labels.tolist() == [0, 0]
