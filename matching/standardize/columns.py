"""Standardize many records at once, column by column, each distinct value once.

Batch inputs repeat values heavily (countries, cities, legal forms, email and
web domains, a company's phone across its contacts), so mapping each column's
distinct values, then looking every row up, costs a fraction of standardizing
record by record, and needs no process pool. The result equals
:func:`matching.standardize.standardize` applied to each record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import methodcaller
from typing import Any

from matching.standardize.contact import (
    email,
    email_domain,
    phone_key,
    phone_national,
    registrable_domain,
)
from matching.standardize.customers import CUSTOMER_FIELDS, address_of, kind_of
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
from matching.vocabulary import FREE_MAIL_DOMAINS

__all__ = ["customer_columns", "customer_columns_of"]

Column = list[Any]


def mapped(func: Callable[[Any], Any], values: Sequence[Any]) -> Column:
    """``[func(v) for v in values]``, calling ``func`` once per distinct value."""
    try:
        seen = dict.fromkeys(values)
    except TypeError:  # an unhashable value (a list where a string belongs)
        return [func(v) for v in values]
    for value in seen:
        seen[value] = func(value)
    # map() with a bound method loops in C: most of the cost when values repeat
    return list(map(seen.__getitem__, values))


def _zipped(func: Callable[..., Any], *columns: Sequence[Any]) -> Column:
    return mapped(lambda args: func(*args), list(zip(*columns, strict=True)))


def _getter(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return methodcaller("get", key)


def _domains(websites: Column, emails: Column) -> Column:
    """:func:`organization_domain` of each row, each website and email read once."""
    sites = mapped(registrable_domain, websites)
    mails = mapped(email_domain, emails)
    return [
        site
        if site is not None and site not in FREE_MAIL_DOMAINS
        else (mail if mail is not None and mail not in FREE_MAIL_DOMAINS else None)
        for site, mail in zip(sites, mails, strict=True)
    ]


def _postcodes(codes: Column, country: Column) -> Column:
    """:func:`postcode` of each row: only US codes depend on the country."""
    plain = mapped(identifier, codes)
    return [
        p if c != "US" or p is None else postcode(p, c) for p, c in zip(plain, country, strict=True)
    ]


def customer_columns(
    records: Sequence[Mapping[str, Any]],
    fields: Sequence[str],
    *,
    default_region: str | None = None,
) -> dict[str, Column]:
    """The ``fields`` of :func:`.customers.standardize_customer`, as columns."""
    addresses = [address_of(r) for r in records]

    def raw(path: str) -> Column:
        if path.startswith("address."):
            return list(map(_getter(path.removeprefix("address.")), addresses))
        return list(map(_getter(path), records))

    return customer_columns_of(raw, len(records), fields, default_region=default_region)


def customer_columns_of(
    raw: Callable[[str], Column],
    size: int,
    fields: Sequence[str],
    *,
    default_region: str | None = None,
) -> dict[str, Column]:
    """:func:`customer_columns` of records given as raw columns: ``raw(path)`` is every
    record's value at ``path`` (``name``, ``address.city``; ``None`` where absent)."""
    wanted = set(fields)
    cache: dict[str, Column] = {}

    def column(key: str) -> Column:
        if key not in cache:
            cache[key] = raw(key)
        return cache[key]

    def at(key: str) -> Column:
        return column(f"address.{key}")

    out: dict[str, Column] = {}
    country = mapped(country_iso2, at("country"))
    if None in country:
        fallback = mapped(country_iso2, column("country"))
        country = [a if a is not None else b for a, b in zip(country, fallback, strict=True)]
    if wanted & {"name", "legal_form", "kind", "first_name", "last_name", "suffix"}:
        first, last = (
            mapped(person_name, column("first_name")),
            mapped(person_name, column("last_name")),
        )
        split = mapped(split_legal_form, column("name"))
        out["first_name"], out["last_name"] = first, last
        out["suffix"] = [
            generational_suffix(f, la)
            for f, la in zip(column("first_name"), column("last_name"), strict=True)
        ]
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
        "domain": lambda: _domains(column("website"), column("email")),
        "line1": lambda: mapped(street, at("line1")),
        "city": lambda: mapped(lambda v: fold(text_of(v)), at("city")),
        "postcode": lambda: _postcodes(at("postcode"), country),
        "date_of_birth": lambda: mapped(date_ymd, column("date_of_birth")),
        "country": lambda: country,
    }
    for name, build in simple.items():
        if name in wanted:
            out[name] = build()
    empty: Column = [None] * size
    return {name: out.get(name, empty) if name in CUSTOMER_FIELDS else empty for name in fields}
