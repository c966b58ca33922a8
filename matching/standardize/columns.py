"""Standardize many records at once, column by column, each distinct value once.

Batch inputs repeat values heavily (countries, cities, legal forms, email and
web domains, a company's phone across its contacts), so mapping each column's
distinct values, then looking every row up, costs a fraction of standardizing
record by record, and needs no process pool. The result equals
:func:`matching.standardize.standardize` applied to each record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matching.standardize.contact import email, organization_domain, phone_key, phone_national
from matching.standardize.customers import CUSTOMER_FIELDS, address_of, kind_of
from matching.standardize.organizations import legal_form, split_legal_form, tax_id
from matching.standardize.places import country_iso2, postcode
from matching.standardize.text import date_ymd, fold, identifier, person_name, street, text_of

__all__ = ["customer_columns"]

Column = list[Any]


def mapped(func: Callable[[Any], Any], values: Sequence[Any]) -> Column:
    """``[func(v) for v in values]``, calling ``func`` once per distinct value."""
    try:
        seen = {v: func(v) for v in set(values)}
    except TypeError:  # an unhashable value (a list where a string belongs)
        return [func(v) for v in values]
    return [seen[v] for v in values]


def _zipped(func: Callable[..., Any], *columns: Sequence[Any]) -> Column:
    return mapped(lambda args: func(*args), list(zip(*columns, strict=True)))


def _country(address_country: Any, record_country: Any) -> str | None:
    return country_iso2(address_country) or country_iso2(record_country)


def customer_columns(
    records: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    default_region: str | None = None,
) -> dict[str, Column]:
    """The ``fields`` of :func:`.customers.standardize_customer`, as columns."""
    wanted = set(fields)
    raw: dict[str, Column] = {}
    addresses = [address_of(r) for r in records]

    def column(key: str) -> Column:
        if key not in raw:
            raw[key] = [r.get(key) for r in records]
        return raw[key]

    def at(key: str) -> Column:
        return [a.get(key) for a in addresses]

    out: dict[str, Column] = {}
    country = _zipped(_country, at("country"), column("country"))
    if wanted & {"name", "legal_form", "kind", "first_name", "last_name"}:
        first, last = (
            mapped(person_name, column("first_name")),
            mapped(person_name, column("last_name")),
        )
        split = mapped(split_legal_form, column("name"))
        out["first_name"], out["last_name"] = first, last
        # cheap enough per row: no distinct-value map
        out["name"] = [
            " ".join(p for p in (f, la) if p) if s[0] is None and (f or la) else s[0]
            for s, f, la in zip(split, first, last, strict=True)
        ]
        given = mapped(legal_form, column("legal_form"))
        out["legal_form"] = [
            s[1] if s[1] is not None else g for s, g in zip(split, given, strict=True)
        ]
        out["kind"] = [
            kind_of(k, n, f, la)
            for k, n, f, la in zip(column("kind"), column("name"), first, last, strict=True)
        ]
    if wanted & {"tax_id", "tax_id_valid"}:
        taxes = _zipped(tax_id, column("tax_id"), country)
        out["tax_id"] = [t[0] for t in taxes]
        out["tax_id_valid"] = ["1" if t[1] else None for t in taxes]
    if wanted & {"phone", "phone_national"}:
        phones = _zipped(lambda p, c: phone_key(p, c, default_region), column("phone"), country)
        out["phone"], out["phone_national"] = phones, mapped(phone_national, phones)
    simple: dict[str, Callable[[], Column]] = {
        "registration_number": lambda: mapped(identifier, column("registration_number")),
        "email": lambda: mapped(email, column("email")),
        "domain": lambda: _zipped(organization_domain, column("website"), column("email")),
        "line1": lambda: mapped(street, at("line1")),
        "city": lambda: mapped(lambda v: fold(text_of(v)), at("city")),
        "postcode": lambda: _zipped(postcode, at("postcode"), country),
        "date_of_birth": lambda: mapped(date_ymd, column("date_of_birth")),
        "country": lambda: country,
    }
    for name, build in simple.items():
        if name in wanted:
            out[name] = build()
    empty: Column = [None] * len(records)
    return {name: out.get(name, empty) if name in CUSTOMER_FIELDS else empty for name in fields}
