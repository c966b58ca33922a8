"""Text standardizers: folding, codes, person names, streets and dates."""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from matching.vocabulary import GENERATIONAL_SUFFIXES, PERSON_TITLES, STREET_TYPES

__all__ = [
    "date_ymd",
    "fold",
    "fold_text",
    "generational_suffix",
    "identifier",
    "person_name",
    "street",
    "text_of",
]

_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_DIGITS = re.compile(r"\D+")
_YMD = re.compile(r"^(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})(?:$|[T ])")
_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")


def text_of(value: object) -> str | None:
    """``value`` as stripped text; ``None`` for nothing or blanks."""
    if value is None:
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    return text or None


def fold_text(value: str) -> str | None:
    """:func:`fold` without its cache, for callers that cache what they make of it."""
    text = (value if value.isascii() else anyascii(value)).lower()
    text = _NON_WORD.sub(" ", text.replace(".", "").replace("&", " and ")).strip()
    return text or None


_fold = lru_cache(maxsize=200_000)(fold_text)


def fold(value: str | None) -> str | None:
    """Lower-case ASCII words separated by single spaces.

    Transliterates any script with anyascii (``"Ворлан"`` -> ``"vorlan"``),
    drops dots so that dotted abbreviations stay one token (``"S.A."`` ->
    ``"sa"``), turns ``&`` into ``and`` and every other punctuation into a space.
    """
    return None if value is None else _fold(value)


def tokens(value: object) -> list[str]:
    folded = fold(text_of(value))
    return folded.split() if folded else []


@lru_cache(maxsize=200_000)
def _identifier(text: str) -> str | None:
    return _NON_ALNUM.sub("", anyascii(text).upper()) or None


def identifier(value: object) -> str | None:
    """Upper-case letters and digits only: the comparable form of a code."""
    text = text_of(value)
    return None if text is None else _identifier(text)


@lru_cache(maxsize=200_000)
def _person(text: str) -> str | None:
    words = [t for t in (fold(text) or "").split() if t not in PERSON_TITLES]
    # a suffix after the first word is a generation, not a name (a family named Junior stays)
    kept = words[:1] + [t for t in words[1:] if t not in GENERATIONAL_SUFFIXES]
    return " ".join(kept) or None


def person_name(value: object) -> str | None:
    """Folded person name without titles (``Dr.``, ``Mrs``) and generational suffixes
    (``Jr``, ``III``: see :func:`generational_suffix`)."""
    text = text_of(value)
    return None if text is None else _person(text)


@lru_cache(maxsize=50_000)
def _suffix(text: str) -> str | None:
    words = [t for t in (fold(text) or "").split() if t not in PERSON_TITLES]
    found = [GENERATIONAL_SUFFIXES[t] for t in words[1:] if t in GENERATIONAL_SUFFIXES]
    return found[-1] if found else None


def generational_suffix(*values: object) -> str | None:
    """The generation a person's name parts name after the first word (``Jr``, ``Senior``,
    ``III`` as ``jr``, ``sr``, ``iii``), from the last part that names one."""
    found = None
    for value in values:
        text = text_of(value)
        found = (_suffix(text) if text else None) or found
    return found


@lru_cache(maxsize=200_000)
def _street(text: str) -> str | None:
    return " ".join(STREET_TYPES.get(t, t) for t in (fold(text) or "").split()) or None


def street(value: object) -> str | None:
    """Folded street line with street types abbreviated (``Street`` -> ``st``)."""
    text = text_of(value)
    return None if text is None else _street(text)


@lru_cache(maxsize=100_000)
def _date(text: str) -> str | None:
    found = _YMD.match(text)
    if found:
        year, month, day = found.groups()
        return f"{year}{int(month):02d}{int(day):02d}"
    found = _DMY.match(text)
    if found:
        first, second, year = (int(g) for g in found.groups())
        # day first unless that cannot be (most of the world writes D/M/Y; a US M/D/Y
        # with both parts <= 12 reads transposed, which the comparison's own level catches)
        day, month = (second, first) if first <= 12 < second else (first, second)
        return f"{year:04d}{month:02d}{day:02d}"
    return _DIGITS.sub("", text)[:8] or None


def date_ymd(value: object) -> str | None:
    """A date as ``YYYYMMDD`` from ISO (``1985-3-7``), D/M/Y or plain digits.

    Anything else keeps its first eight digits, so a year alone stays ``1985``.
    """
    text = text_of(value)
    return None if text is None else _date(text)
