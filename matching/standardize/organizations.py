"""Organization names, legal-form families and tax ids."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from stdnum.util import get_cc_module

from matching.standardize.text import fold, fold_text, identifier, text_of
from matching.vocabulary import LEGAL_FORMS, NAME_ABBREVIATIONS, STOP_WORDS

__all__ = ["legal_form", "organization_name", "split_legal_form", "tax_id"]

_MAX_LEGAL_TOKENS = max(len(k) for k in LEGAL_FORMS)
_LAST_TOKENS = frozenset(k[-1] for k in LEGAL_FORMS)
# codes that are part of a name more than a legal form when a real form follows them
_WEAK = frozenset({"CO", "GROUP"})


def _family(found: list[str]) -> str | None:
    """The family of the forms found (in name order): the last real legal form."""
    strong = [code for code in found if code not in _WEAK]
    if strong:
        return strong[-1]
    return found[-1] if found else None


_SPECIAL = frozenset(NAME_ABBREVIATIONS) | STOP_WORDS


def _split_legal(folded: str) -> tuple[str | None, str | None]:
    tokens = folded.split()
    found: list[str] = []
    changed = bool(tokens) and tokens[-1] in _LAST_TOKENS
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(_MAX_LEGAL_TOKENS, len(tokens) - 1), 0, -1):
            tail = tuple(tokens[-size:])
            if tail in LEGAL_FORMS:
                found.insert(0, LEGAL_FORMS[tail])
                tokens = tokens[:-size]
                if tokens and tokens[-1] == "and":
                    tokens.pop()
                changed = bool(tokens) and tokens[-1] in _LAST_TOKENS
                break
    if _SPECIAL.isdisjoint(tokens):  # most names: nothing to expand or drop
        return " ".join(tokens) or None, _family(found) if found else None
    expanded = [NAME_ABBREVIATIONS.get(t, t) for t in tokens]
    kept = [t for t in expanded if t not in STOP_WORDS] or expanded
    return " ".join(kept) or None, _family(found)


@lru_cache(maxsize=200_000)
def _split_text(text: str) -> tuple[str | None, str | None]:
    folded = fold_text(text)
    return (None, None) if folded is None else _split_legal(folded)


def split_legal_form(name: object) -> tuple[str | None, str | None]:
    """Split an organization name into (core name, legal-form family code).

    Trailing legal forms in any supported language are removed repeatedly
    (``"Acme GmbH & Co. KG"`` -> ``("acme", "GMBH CO KG")``); common abbreviations
    are expanded (``intl`` -> ``international``) and stop words dropped unless
    nothing else is left. The legal form is its family's code, so ``Corp``,
    ``Corp.`` and ``Corporation`` are all ``CORP``; where several forms trail
    (``Acme Co. Ltd.``) the last real one names the family (``LTD``).
    """
    text = text_of(name)
    return (None, None) if text is None else _split_text(text)


def organization_name(name: object) -> str | None:
    """The core of an organization name (:func:`split_legal_form` without the form)."""
    return split_legal_form(name)[0]


@lru_cache(maxsize=4096)
def _legal_form(text: str) -> str | None:
    folded = fold(text)
    if folded is None:
        return None
    found = LEGAL_FORMS.get(tuple(folded.split()))
    return found if found is not None else _split_legal(f"x {folded}")[1]


def legal_form(value: object) -> str | None:
    """Family code of a legal form written on its own (``"Gesellschaft mbH"`` -> ``GMBH``)."""
    text = text_of(value)
    return None if text is None else _legal_form(text)


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
        if compact.startswith(("EL", country)) and len(compact) > 4 and compact[2].isdigit():
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


def tax_id(value: object, country: str | None = None) -> tuple[str | None, bool]:
    """(comparable tax id, valid) where python-stdnum knows the country's format.

    The country prefix of an EU VAT number is dropped so ``DE123456789`` and
    ``123456789`` compare equal; ``valid`` is False where the check digits fail
    or the format is unknown, and the compact value is still returned.
    """
    compact = identifier(value)
    if compact is None:
        return None, False
    return _tax(compact, country)
