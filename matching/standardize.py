"""Pure standardizer functions: one place where raw values become comparable.

Every function takes a raw value (anything a source may send) and returns a
standardized string, or ``None`` when nothing usable is left; none of them
raises on bad input. Results of the costly parsers (phones, tax ids, countries)
are cached per distinct input, because sources repeat values and the hub
re-standardizes candidate records on every decision.

:func:`standardize_customer` and :func:`standardize_product` turn a canonical
record into one flat ``dict[str, str | None]`` that comparisons, blocking and
clustering read; no other module looks at raw values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import phonenumbers
import pycountry
from anyascii import anyascii
from stdnum.util import get_cc_module

from matching.vocabulary import (
    FREE_MAIL_DOMAINS,
    LEGAL_FORMS,
    MULTI_LABEL_SUFFIXES,
    NAME_ABBREVIATIONS,
    PERSON_TITLES,
    STOP_WORDS,
    STREET_TYPES,
)

__all__ = [
    "Standardized",
    "country_iso2",
    "email",
    "email_domain",
    "fold",
    "gtin",
    "identifier",
    "organization_domain",
    "person_name",
    "phone_e164",
    "postcode",
    "registrable_domain",
    "sku",
    "split_legal_form",
    "standardize",
    "standardize_customer",
    "standardize_product",
    "street",
    "tax_id",
]

Standardized = dict[str, str | None]

# Bump when a change here changes any standardized value: stored prepared forms of
# an older version are then ignored (and records standardized afresh).
STANDARDIZER_VERSION = "1"

_DOTTED = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)|\.")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_DIGITS = re.compile(r"\D+")
_INTERNATIONAL = re.compile(r"^(?:\+|00)[1-9][0-9 .\-]{6,20}$")
_MAX_LEGAL_TOKENS = max(len(k) for k in LEGAL_FORMS)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=200_000)
def fold(value: str | None) -> str | None:
    """Lower-case ASCII words separated by single spaces.

    Transliterates any script with anyascii (``"Ворлан"`` -> ``"vorlan"``),
    drops dots so that dotted abbreviations stay one token (``"S.A."`` ->
    ``"sa"``), turns ``&`` into ``and`` and every other punctuation into a space.
    """
    if value is None:
        return None
    text = anyascii(value).lower().replace("&", " and ")
    text = _DOTTED.sub("", text)
    text = _NON_WORD.sub(" ", text).strip()
    return text or None


def _tokens(value: Any) -> list[str]:
    folded = fold(_text(value))
    return folded.split() if folded else []


@lru_cache(maxsize=200_000)
def _split_legal(folded: str) -> tuple[str | None, str | None]:
    tokens = folded.split()
    found: list[str] = []
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(_MAX_LEGAL_TOKENS, len(tokens) - 1), 0, -1):
            tail = tuple(tokens[-size:])
            if tail in LEGAL_FORMS:
                found.insert(0, LEGAL_FORMS[tail])
                tokens = tokens[:-size]
                if tokens and tokens[-1] == "and":
                    tokens.pop()
                changed = True
                break
    expanded = [NAME_ABBREVIATIONS.get(t, t) for t in tokens]
    kept = [t for t in expanded if t not in STOP_WORDS] or expanded
    core = " ".join(kept) or None
    return core, (" ".join(found) or None)


def split_legal_form(name: Any) -> tuple[str | None, str | None]:
    """Split an organization name into (core name, legal form code).

    Trailing legal forms in any supported language are removed repeatedly
    (``"Acme GmbH & Co. KG"`` -> ``("acme", "GMBH KG")``); common abbreviations
    are expanded (``intl`` -> ``international``) and stop words dropped unless
    nothing else is left. The legal form is returned as canonical codes so that
    ``Inc.`` and ``Incorporated`` compare equal.
    """
    folded = fold(_text(name))
    if folded is None:
        return None, None
    return _split_legal(folded)


def person_name(value: Any) -> str | None:
    """Folded person name without titles or single-letter initials' dots."""
    tokens = [t for t in _tokens(value) if t not in PERSON_TITLES]
    return " ".join(tokens) or None


def email(value: Any) -> str | None:
    """Lower-case address without surrounding junk; ``None`` without local part and domain."""
    text = _text(value)
    if text is None:
        return None
    text = text.strip("<>\"' ").lower()
    if text.startswith("mailto:"):
        text = text[7:]
    local, sep, domain = text.rpartition("@")
    if not sep or not local or "." not in domain:
        return None
    return f"{local}@{domain.rstrip('.')}"


def email_domain(value: Any) -> str | None:
    """Registrable domain of an email address (free-mail domains included)."""
    address = email(value)
    return registrable_domain(address.rpartition("@")[2]) if address else None


@lru_cache(maxsize=200_000)
def _registrable(host: str) -> str | None:
    host = host.lower()
    for prefix in ("http://", "https://", "//"):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    host = re.split(r"[/?#:]", host, maxsplit=1)[0].strip(". ")
    host = host.rpartition("@")[2]
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2 or not all(re.fullmatch(r"[a-z0-9-]+", lbl) for lbl in labels):
        return None
    take = 3 if ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES and len(labels) >= 3 else 2
    return ".".join(labels[-take:])


def registrable_domain(value: Any) -> str | None:
    """The domain a company registers: ``https://www.shop.acme.co.uk/x`` -> ``acme.co.uk``.

    Uses a compact built-in list of multi-label public suffixes instead of the
    full public-suffix list, which must not be downloaded at runtime.
    """
    text = _text(value)
    return _registrable(anyascii(text)) if text else None


def organization_domain(website: Any, email_address: Any) -> str | None:
    """Website domain, else the email domain unless it is a free-mail provider.

    A free-mail domain says nothing about which organization a record is, so it
    is never an organization identifier.
    """
    domain = registrable_domain(website)
    if domain and domain not in FREE_MAIL_DOMAINS:
        return domain
    domain = email_domain(email_address)
    if domain and domain not in FREE_MAIL_DOMAINS:
        return domain
    return None


@lru_cache(maxsize=4096)
def _country(text: str) -> str | None:
    upper = text.upper()
    if len(upper) == 2 and upper.isalpha():
        return "GB" if upper == "UK" else upper
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    folded = fold(text)
    aliases = {
        "usa": "US",
        "united states of america": "US",
        "america": "US",
        "uk": "GB",
        "great britain": "GB",
        "england": "GB",
        "deutschland": "DE",
        "holland": "NL",
        "the netherlands": "NL",
        "nederland": "NL",
        "espana": "ES",
        "italia": "IT",
        "schweiz": "CH",
        "suisse": "CH",
        "osterreich": "AT",
        "russia": "RU",
        "south korea": "KR",
        "korea": "KR",
        "brasil": "BR",
        "belgie": "BE",
        "belgique": "BE",
    }
    if folded in aliases:
        return aliases[folded]
    try:
        return str(pycountry.countries.lookup(folded or "").alpha_2)
    except LookupError:
        return None


def country_iso2(value: Any) -> str | None:
    """ISO 3166 alpha-2 code from an alpha-2, alpha-3 code or English/native name."""
    text = _text(value)
    return _country(text) if text else None


@lru_cache(maxsize=200_000)
def _phone(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_e164(value: Any, country: str | None = None) -> str | None:
    """E.164 form (``+14155550100``), reading national numbers in ``country`` (ISO2)."""
    text = _text(value)
    if text is None:
        return None
    if _INTERNATIONAL.match(text):
        # already international and unambiguous: the digits are the number, and
        # skipping the full parser matters when millions of records are loaded
        digits = _DIGITS.sub("", text)
        digits = digits[2:] if text.startswith("00") else digits
        if 8 <= len(digits) <= 15 and digits[0] != "0":
            return f"+{digits}"
    return _phone(text, country if country and len(country) == 2 else None)


def identifier(value: Any) -> str | None:
    """Upper-case letters and digits only: the comparable form of a code."""
    text = _text(value)
    if text is None:
        return None
    return _NON_ALNUM.sub("", anyascii(text).upper()) or None


@lru_cache(maxsize=512)
def _tax_modules(country: str) -> tuple[Any, ...]:
    found = []
    for kind in ("vat", "tin", "ein", "abn", "bn", "rfc", "cnpj", "gst"):
        try:
            module = get_cc_module(country.lower(), kind)
        except (ImportError, ValueError):
            module = None
        if module is not None:
            found.append(module)
    return tuple(found)


@lru_cache(maxsize=200_000)
def _tax(compact: str, country: str | None) -> tuple[str, bool]:
    prefix_country = compact[:2] if len(compact) > 4 and compact[:2].isalpha() else None
    if prefix_country and compact[2:].replace("X", "").isdigit():
        # an EU VAT number carries its country; trust it over the address
        country = "GR" if prefix_country == "EL" else prefix_country
    if country:
        prefix = "GR" if country == "GR" else country
        if compact.startswith(("EL", prefix)) and len(compact) > 4 and compact[2].isdigit():
            compact = compact[2:]
        for module in _tax_modules(country):
            try:
                if module.is_valid(compact):
                    return identifier(module.compact(compact)) or compact, True
            except Exception:  # stdnum modules raise their own error types
                continue
    # unknown or failing format: keep the plain code, so it compares the same
    # whether or not the record's country was known
    return compact, False


def tax_id(value: Any, country: str | None = None) -> tuple[str | None, bool]:
    """(comparable tax id, valid) where python-stdnum knows the country's format.

    The country prefix of an EU VAT number is dropped so ``DE123456789`` and
    ``123456789`` compare equal; ``valid`` is False where the check digits fail
    or the format is unknown, and the compact value is still returned.
    """
    compact = identifier(value)
    if compact is None:
        return None, False
    return _tax(compact, country)


def postcode(value: Any, country: str | None = None) -> str | None:
    """Upper-case postcode without spaces; US ZIP+4 cut to the five-digit ZIP."""
    code = identifier(value)
    if code and country == "US" and code.isdigit() and len(code) in (9, 5):
        return code[:5]
    return code


def street(value: Any) -> str | None:
    """Folded street line with street types abbreviated (``Street`` -> ``st``)."""
    tokens = [STREET_TYPES.get(t, t) for t in _tokens(value)]
    return " ".join(tokens) or None


_SKU_NOISE = re.compile(r"^(SKU|PRD|PROD|ITEM|ART|P)(?=\d)")


def sku(value: Any) -> str | None:
    """Comparable sku: alphanumerics only, known prefixes and leading zeros of numbers removed."""
    code = identifier(value)
    if code is None:
        return None
    code = _SKU_NOISE.sub("", code)
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", code) or None


def gtin(value: Any) -> str | None:
    """GTIN-14 zero-padded digits when the check digit holds, else ``None``."""
    digits = _DIGITS.sub("", str(value)) if value is not None else ""
    if len(digits) not in (8, 12, 13, 14):
        return None
    padded = digits.zfill(14)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(padded[:-1]))
    return padded if (10 - total % 10) % 10 == int(padded[-1]) else None


def _date(value: Any) -> str | None:
    text = _text(value)
    return _DIGITS.sub("", text)[:8] or None if text else None


def standardize_customer(record: Mapping[str, Any]) -> Standardized:
    """Flat standardized fields of a canonical customer record.

    Keys: kind, name (core name, legal form removed; for persons the full
    name), legal_form, first_name, last_name, tax_id, tax_id_valid ("1"/None),
    registration_number, email, domain (organization domain, never free mail),
    phone, line1, city, postcode, country, date_of_birth.
    """
    address = record.get("address") or {}
    if not isinstance(address, Mapping):
        address = {}
    country = country_iso2(address.get("country")) or country_iso2(record.get("country"))
    first = person_name(record.get("first_name"))
    last = person_name(record.get("last_name"))
    kind = record.get("kind") or ("person" if (first or last) and not record.get("name") else None)
    core, legal = split_legal_form(record.get("name"))
    if legal is None and record.get("legal_form"):
        legal = _split_legal(f"x {fold(_text(record.get('legal_form'))) or ''}")[1]
    if core is None and (first or last):
        core = " ".join(p for p in (first, last) if p)
    tax, valid = tax_id(record.get("tax_id"), country)
    return {
        "kind": str(kind) if kind else None,
        "name": core,
        "legal_form": legal,
        "first_name": first,
        "last_name": last,
        "tax_id": tax,
        "tax_id_valid": "1" if valid else None,
        "registration_number": identifier(record.get("registration_number")),
        "email": email(record.get("email")),
        "domain": organization_domain(record.get("website"), record.get("email")),
        "phone": phone_e164(record.get("phone"), country),
        "line1": street(address.get("line1")),
        "city": fold(_text(address.get("city"))),
        "postcode": postcode(address.get("postcode"), country),
        "country": country,
        "date_of_birth": _date(record.get("date_of_birth")),
    }


def standardize_product(record: Mapping[str, Any]) -> Standardized:
    """Flat standardized fields of a canonical product record.

    Keys: sku, name (folded, abbreviations expanded), family, type, unit, gtin.
    """
    name = fold(_text(record.get("name")))
    if name:
        name = " ".join(NAME_ABBREVIATIONS.get(t, t) for t in name.split())
    return {
        "sku": sku(record.get("sku")),
        "name": name,
        "family": fold(_text(record.get("family"))),
        "type": fold(_text(record.get("type"))),
        "unit": fold(_text(record.get("unit"))),
        "gtin": gtin(record.get("gtin")),
    }


def _generic(record: Mapping[str, Any]) -> Standardized:
    return {k: fold(_text(v)) for k, v in record.items() if not isinstance(v, Mapping | list)}


_BY_TYPE = {"customer": standardize_customer, "product": standardize_product}


def standardize(entity_type: str, record: Mapping[str, Any]) -> Standardized:
    """Dispatch on entity type; unknown types get every scalar field folded."""
    return _BY_TYPE.get(entity_type, _generic)(record)
