"""The standardized form of a canonical customer (organization or person)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.standardize.contact import email, organization_domain, phone_key, phone_national
from matching.standardize.organizations import legal_form, split_legal_form, tax_id
from matching.standardize.places import country_iso2, postcode
from matching.standardize.text import (
    date_ymd,
    fold,
    generational_suffix,
    identifier,
    person_name,
    street,
    text_of,
)

__all__ = ["CUSTOMER_FIELDS", "standardize_customer"]

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "legal_form",
    "first_name",
    "last_name",
    "suffix",
    "tax_id",
    "tax_id_valid",
    "registration_number",
    "email",
    "domain",
    "phone",
    "phone_national",
    "line1",
    "city",
    "postcode",
    "country",
    "date_of_birth",
)
"""Every key :func:`standardize_customer` returns, in order."""


def address_of(record: Mapping[str, Any]) -> Mapping[str, Any]:
    address = record.get("address")
    return address if isinstance(address, Mapping) else {}


def kind_of(kind: object, name: object, first: str | None, last: str | None) -> str | None:
    if kind:
        return str(kind)
    return "person" if (first or last) and not name else None


def standardize_customer(
    record: Mapping[str, Any], *, default_region: str | None = None
) -> dict[str, str | None]:
    """Flat standardized fields of a canonical customer record (:data:`CUSTOMER_FIELDS`).

    name is the core name without its legal form (for persons, the full name);
    legal_form the legal-form family code (from the name, else the record's
    ``legal_form``); tax_id_valid "1"/None; domain the organization domain
    (never free mail); phone E.164, read in the address country, else in
    ``default_region`` (the source's), else its national digits, and
    phone_national its national significant digits (a blocking value shared by
    both); date_of_birth ``YYYYMMDD``; suffix the generation a person's name carries
    (``jr``, ``sr``, ``ii``, ``iii``, ``iv``), taken out of the name.
    """
    address = address_of(record)
    country = country_iso2(address.get("country")) or country_iso2(record.get("country"))
    first = person_name(record.get("first_name"))
    last = person_name(record.get("last_name"))
    core, legal = split_legal_form(record.get("name"))
    if legal is None and record.get("legal_form"):
        legal = legal_form(record.get("legal_form"))
    if core is None and (first or last):
        core = " ".join(p for p in (first, last) if p)
    tax, valid = tax_id(record.get("tax_id"), country)
    phone = phone_key(record.get("phone"), country, default_region)
    return {
        "kind": kind_of(record.get("kind"), record.get("name"), first, last),
        "name": core,
        "legal_form": legal,
        "first_name": first,
        "last_name": last,
        "suffix": generational_suffix(record.get("first_name"), record.get("last_name")),
        "tax_id": tax,
        "tax_id_valid": "1" if valid else None,
        "registration_number": identifier(record.get("registration_number")),
        "email": email(record.get("email")),
        "domain": organization_domain(record.get("website"), record.get("email")),
        "phone": phone,
        "phone_national": phone_national(phone),
        "line1": street(address.get("line1")),
        "city": fold(text_of(address.get("city"))),
        "postcode": postcode(address.get("postcode"), country),
        "country": country,
        "date_of_birth": date_ymd(record.get("date_of_birth")),
    }
