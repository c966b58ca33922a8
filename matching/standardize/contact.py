"""Emails, domains and phone numbers."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from anyascii import anyascii

from matching.standardize.text import text_of
from matching.vocabulary import FREE_MAIL_DOMAINS, MULTI_LABEL_SUFFIXES

__all__ = [
    "email",
    "email_domain",
    "library_e164",
    "organization_domain",
    "phone_e164",
    "phone_key",
    "phone_national",
    "registrable_domain",
]

_DIGITS = re.compile(r"\D+")
_INTERNATIONAL = re.compile(r"^(?:\+|00)[1-9][0-9 .\-]{6,20}$")
_EXTENSION = re.compile(r"(?:e?xt?\.?|extension|#)\s*\d{1,6}\s*$", re.IGNORECASE)
_HOST_END = re.compile(r"[/?#:]")
_LABEL = re.compile(r"[a-z0-9-]+")
_COUNTRY_CODES = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
_MIN_NATIONAL = 6


@lru_cache(maxsize=200_000)
def _email(text: str) -> str | None:
    text = text.strip("<>\"' ").lower()
    if text.startswith("mailto:"):
        text = text[7:]
    local, sep, domain = text.rpartition("@")
    if not sep or not local or "." not in domain:
        return None
    return f"{local}@{domain.rstrip('.')}"


def email(value: object) -> str | None:
    """Lower-case address without surrounding junk; ``None`` without local part and domain."""
    text = text_of(value)
    return None if text is None else _email(text)


def email_domain(value: object) -> str | None:
    """Registrable domain of an email address (free-mail domains included)."""
    address = email(value)
    return registrable_domain(address.rpartition("@")[2]) if address else None


@lru_cache(maxsize=200_000)
def _registrable(host: str) -> str | None:
    host = anyascii(host).lower()
    for prefix in ("http://", "https://", "//"):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    host = _HOST_END.split(host, maxsplit=1)[0].strip(". ")
    host = host.rpartition("@")[2]
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2 or not all(_LABEL.fullmatch(lbl) for lbl in labels):
        return None
    take = 3 if ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES and len(labels) >= 3 else 2
    return ".".join(labels[-take:])


def registrable_domain(value: object) -> str | None:
    """The domain a company registers: ``https://www.shop.acme.co.uk/x`` -> ``acme.co.uk``.

    Uses a compact built-in list of multi-label public suffixes instead of the
    full public-suffix list, which must not be downloaded at runtime.
    """
    text = text_of(value)
    return _registrable(text) if text else None


def organization_domain(website: object, email_address: object) -> str | None:
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


_NATIONAL_TEXT = re.compile(r"^[0-9 ().\-/]+$")


@lru_cache(maxsize=512)
def _plan(region: str) -> tuple[str, str, frozenset[int], re.Pattern[str]] | None:
    """(country code, national prefix, possible lengths) of a region whose national
    numbers read plainly: a fixed trunk prefix (``0``, ``1``) or none, and no rewriting."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.national_prefix_transform_rule or meta.general_desc is None:
        return None
    prefix = meta.national_prefix or ""
    parsing = meta.national_prefix_for_parsing
    if (parsing is not None and parsing != prefix) or not (prefix == "" or prefix.isdigit()):
        return None
    lengths = frozenset(meta.general_desc.possible_length or ())
    dialling = re.compile(meta.international_prefix or "$^")
    return str(meta.country_code), prefix, lengths, dialling


def _plain_national(text: str, region: str) -> str | None:
    """The E.164 form of a plainly written national number, without the full parser;
    None whenever the parser could read it otherwise (it then decides)."""
    plan = _plan(region) if _NATIONAL_TEXT.match(text) else None
    if plan is None:
        return None
    code, prefix, lengths, dialling = plan
    digits = _DIGITS.sub("", text)
    if dialling.match(digits) or digits.startswith(code) or (digits[:1] == "0" and prefix != "0"):
        # an international dialling prefix, the country code, or zeros the parser may
        # keep or drop: the parser decides
        return None
    if prefix and digits.startswith(prefix):
        if digits[len(prefix) : len(prefix) + 1] in ("0", ""):
            return None
        if len(digits) in lengths or len(digits) - len(prefix) not in lengths:
            return None
        return f"+{code}{digits[len(prefix) :]}"
    if len(digits) in lengths:
        return f"+{code}{digits}"
    return None


def _parsed(text: str, region: str) -> str | None:
    plain = _plain_national(text, region)
    return plain if plain is not None else library_e164(text, region)


def library_e164(text: str, region: str | None) -> str | None:
    """The E.164 form phonenumbers' full parser gives a possible number, else None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _international(text: str) -> str | None:
    """The number of a text that carries its country code, ``None`` if it does not."""
    if _INTERNATIONAL.match(text):
        # already international and unambiguous: the digits are the number, and
        # skipping the full parser matters when millions of records are loaded
        digits = _DIGITS.sub("", text)
        digits = digits[2:] if text.startswith("00") else digits
        if 8 <= len(digits) <= 15 and digits[0] != "0":
            return f"+{digits}"
    if text.startswith(("+", "00")):
        return library_e164("+" + text.lstrip("0") if text.startswith("00") else text, None)
    return None


@lru_cache(maxsize=200_000)
def _phone(text: str, country: str | None, default_region: str | None) -> tuple[str | None, bool]:
    """(E.164 or national digits, placed): see :func:`phone_key`."""
    found = _international(text)
    if found is not None:
        return found, True
    if text.startswith(("+", "00")):
        return None, False
    for region in (country, default_region):
        if region and len(region) == 2:
            found = _parsed(text, region)
            if found is not None:
                return found, True
    digits = _DIGITS.sub("", _EXTENSION.sub("", text)).lstrip("0")
    return (digits, False) if _MIN_NATIONAL <= len(digits) <= 15 else (None, False)


def phone_e164(
    value: object, country: str | None = None, default_region: str | None = None
) -> str | None:
    """E.164 form (``+14155550100``) of any way a person writes a phone number.

    A number with its country code (``+1.415.555.0199``, ``0044 20 7946 0018``)
    stands alone; a national one (``(415) 555-0199 ext. 12``) is read in
    ``country`` (the record's address, ISO2), else in ``default_region`` (its
    source's); extensions are dropped. ``None`` when it cannot be placed.
    """
    text = text_of(value)
    if text is None:
        return None
    found, placed = _phone(text, country, default_region)
    return found if placed else None


def phone_key(
    value: object, country: str | None = None, default_region: str | None = None
) -> str | None:
    """:func:`phone_e164`, else the national digits (``312-555-0142`` -> ``3125550142``).

    A national number that no region places still identifies its holder among
    records written the same way, so it keeps a comparable value (without ``+``,
    so it never equals an E.164 form by accident) instead of none.
    """
    text = text_of(value)
    return None if text is None else _phone(text, country, default_region)[0]


@lru_cache(maxsize=200_000)
def _national(key: str) -> str:
    if not key.startswith("+"):
        return key
    for size in (1, 2, 3):
        if int(key[1 : 1 + size]) in _COUNTRY_CODES:
            return key[1 + size :]
    return key[1:]


def phone_national(key: str | None) -> str | None:
    """The national significant digits of a :func:`phone_key` value.

    ``+13125550142`` and the unplaced ``3125550142`` share ``3125550142``, so
    a blocking rule on it finds a record whose region was unknown. E.164
    country codes are prefix-free, so the code is the one known prefix.
    """
    return None if key is None else _national(key)
