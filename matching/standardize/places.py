"""Countries and postcodes."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from matching.standardize.text import fold, identifier, text_of

__all__ = ["country_iso2", "is_region", "postcode"]

_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "deutschland": "DE",
    "holland": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "espana": "ES",
    "italia": "IT",
    "schweiz": "CH",
    "suisse": "CH",
    "osterreich": "AT",
    "oesterreich": "AT",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "brasil": "BR",
    "belgie": "BE",
    "belgique": "BE",
}


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
    if folded in _ALIASES:
        return _ALIASES[folded]
    try:
        return str(pycountry.countries.lookup(folded or "").alpha_2)
    except LookupError:
        return None


def country_iso2(value: object) -> str | None:
    """ISO 3166 alpha-2 code from an alpha-2, alpha-3 code or English/native name."""
    text = text_of(value)
    return _country(text) if text else None


@lru_cache(maxsize=512)
def is_region(code: str) -> bool:
    """Whether ``code`` is an assigned ISO 3166-1 alpha-2 code (upper case)."""
    return len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None


@lru_cache(maxsize=200_000)
def _postcode(code: str, country: str | None) -> str:
    if country == "US" and code.isdigit() and len(code) in (9, 5):
        return code[:5]
    return code


def postcode(value: object, country: str | None = None) -> str | None:
    """Upper-case postcode without spaces; US ZIP+4 cut to the five-digit ZIP."""
    code = identifier(value)
    return None if code is None else _postcode(code, country)
