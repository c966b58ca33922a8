"""Product standardizers: sku, gtin, names without size noise, sizes and price bands."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from anyascii import anyascii

from matching.standardize.organizations import organization_name
from matching.standardize.text import fold, identifier, text_of
from matching.vocabulary import NAME_ABBREVIATIONS, PRODUCT_ABBREVIATIONS, PRODUCT_SIZE_WORDS

__all__ = ["gtin", "price_band", "product_name", "sku", "standardize_product"]

_DIGITS = re.compile(r"\D+")
_SKU_NOISE = re.compile(r"^(?:SKU|PRD|PROD|ITEM|ITM|ART|ARTNR|REF|PN|MPN|NO|P)(?=\d)")
_SKU_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
# unit spelling -> (normal unit, factor to it)
_UNITS: dict[str, tuple[str, Decimal]] = {
    **dict.fromkeys(("ml", "mls", "millilitre", "milliliter"), ("ml", Decimal(1))),
    **dict.fromkeys(("cl",), ("ml", Decimal(10))),
    **dict.fromkeys(("dl",), ("ml", Decimal(100))),
    **dict.fromkeys(
        ("l", "lt", "ltr", "litre", "liter", "litres", "liters"), ("ml", Decimal(1000))
    ),
    **dict.fromkeys(("mg",), ("mg", Decimal(1))),
    **dict.fromkeys(("g", "gr", "grs", "gm", "gms", "gram", "grams"), ("g", Decimal(1))),
    **dict.fromkeys(("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"), ("g", Decimal(1000))),
    **dict.fromkeys(("floz", "fl oz", "fl. oz"), ("floz", Decimal(1))),
    **dict.fromkeys(("oz", "ounce", "ounces"), ("oz", Decimal(1))),
    **dict.fromkeys(("lb", "lbs", "pound", "pounds"), ("lb", Decimal(1))),
    **dict.fromkeys(("gal", "gallon", "gallons"), ("gal", Decimal(1))),
    **dict.fromkeys(("mm",), ("mm", Decimal(1))),
    **dict.fromkeys(("cm",), ("mm", Decimal(10))),
    **dict.fromkeys(("m", "metre", "meter", "metres", "meters"), ("mm", Decimal(1000))),
    **dict.fromkeys(("inch", "inches"), ("in", Decimal(1))),
    **dict.fromkeys(("mah",), ("mah", Decimal(1))),
    **dict.fromkeys(("gb",), ("gb", Decimal(1))),
    **dict.fromkeys(("tb",), ("gb", Decimal(1000))),
}
_COUNTS = ("pack", "packs", "pk", "pks", "ct", "count", "pc", "pcs", "pieces", "piece", "units")
_UNIT_RE = "|".join(sorted((re.escape(u).replace(r"\ ", r"\s?") for u in _UNITS), key=len)[::-1])
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_MEASURE = re.compile(rf"(?:\b(\d+)\s*[x*]\s*)?{_NUMBER}\s*({_UNIT_RE})(?![a-z0-9])")
_COUNT_RE = "|".join(_COUNTS)
_PACK = re.compile(
    rf"\b(?:(?:pack|case|box|set)\s+of\s+(\d+)|(\d+)\s*-?\s*(?:{_COUNT_RE})(?![a-z0-9])"
    r"|x\s*(\d+)(?![a-z0-9.,]))"
)
ONE = Decimal(1)
_BAND_BASE = math.log(2) / 2  # half an octave: bands end at 8, 11.31, 16, 22.63, 32, ...


def sku(value: object) -> str | None:
    """Comparable sku: case and separators dropped, known prefixes (``SKU-``, ``PRD``, ``ITEM#``)
    and leading zeros of numbers removed (``SKU-00123-a`` -> ``123A``)."""
    code = identifier(value)
    if code is None:
        return None
    return _SKU_ZEROS.sub("", _SKU_NOISE.sub("", code)) or None


def _gtin_parts(value: object) -> tuple[str | None, bool]:
    digits = _DIGITS.sub("", str(value)) if value is not None else ""
    if len(digits) not in (8, 12, 13, 14):
        return None, False
    padded = digits.zfill(14)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(padded[:-1]))
    return padded, (10 - total % 10) % 10 == int(padded[-1])


def gtin(value: object) -> str | None:
    """GTIN-14 zero-padded digits of a UPC, EAN or GTIN when the check digit holds, else None."""
    padded, valid = _gtin_parts(value)
    return padded if valid else None


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@lru_cache(maxsize=100_000)
def _name_and_size(text: str) -> tuple[str | None, str | None]:
    lowered = anyascii(text).lower()
    sizes: list[str] = []
    count = None
    for found in _MEASURE.finditer(lowered):
        times, number, unit = found.groups()
        spelled = re.sub(r"[\s.]+", " ", unit).strip()
        normal, factor = _UNITS.get(spelled) or _UNITS.get(spelled.replace(" ", ""), (unit, ONE))
        measure = f"{_plain(_amount(number) * factor)}{normal}"
        sizes.append(f"{times}x{measure}" if times and times != "1" else measure)
    lowered = _MEASURE.sub(" ", lowered)
    for found in _PACK.finditer(lowered):
        count = next(g for g in found.groups() if g)
    lowered = _PACK.sub(" ", lowered)
    words = (fold(lowered) or "").split()
    kept = [w for w in words if w not in PRODUCT_SIZE_WORDS]
    garment = [w for w in words if w in PRODUCT_SIZE_WORDS]
    kept = [PRODUCT_ABBREVIATIONS.get(w, w) for w in (NAME_ABBREVIATIONS.get(w, w) for w in kept)]
    size = " ".join(sizes) or None
    if count and count != "1":
        size = f"{count}x{size}" if size and "x" not in size else (size or f"{count}ct")
    if size is None and garment:
        size = garment[0]
    return " ".join(kept) or (fold(text) if not sizes else None), size


def product_name(value: object) -> tuple[str | None, str | None]:
    """(name, size): the folded name without size, unit and pack noise, and that noise.

    ``"Cola Zero 6 x 330 ml"`` -> ``("cola zero", "6x330ml")``; metric sizes are in
    ml, g and mm (``1.5 L`` -> ``1500ml``), pack counts without a measure are
    ``6ct``, a garment size (``XL``) is the size when nothing else is. Abbreviations
    are expanded (``blk`` -> ``black``).
    """
    text = text_of(value)
    return (None, None) if text is None else _name_and_size(text)


@lru_cache(maxsize=100_000)
def _band(text: str) -> str | None:
    cleaned = re.sub(r"[^0-9.,\-]", "", text)
    if "," in cleaned and "." in cleaned:
        cleaned = (
            cleaned.replace(",", "")
            if cleaned.rfind(".") > cleaned.rfind(",")
            else (cleaned.replace(".", "").replace(",", "."))
        )
    elif "," in cleaned:
        head, _, tail = cleaned.rpartition(",")
        cleaned = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else cleaned.replace(",", "")
    try:
        price = float(Decimal(cleaned))
    except (InvalidOperation, ValueError):
        return None
    if not math.isfinite(price) or price < 0:
        return None
    return "0" if price == 0 else str(math.floor(math.log(price) / _BAND_BASE))


def price_band(value: object) -> str | None:
    """A coarse price band: ``floor(2 * log2(price))``, so a band spans half an octave.

    Bands end at powers of the square root of two (..., 8, 11.31, 16, 22.63, ...),
    so 9.99 and 10.49 share band ``6`` and prices differing by less than about 40 %
    share a band or are neighbours; the free price is ``"0"``, the band of a price
    under 1 is negative. Separators are read as people write them (``1,299.00``,
    ``1.299,00``); currency symbols are ignored (the band is not a currency).
    """
    text = text_of(value)
    return None if text is None else _band(text)


def _company(value: object) -> str | None:
    return organization_name(value)


# the canonical name first, then what product files commonly call the same thing
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "title", "product_name"),
    "sku": ("sku", "product_code", "item_code", "item_number", "part_number"),
    "brand": ("brand", "make"),
    "manufacturer": ("manufacturer", "maker"),
    "supplier": ("supplier", "vendor"),
    "family": ("family", "category", "department", "product_family"),
    "price": ("list_price", "price", "unit_price", "unit_amount"),
}


def _first(record: Mapping[str, Any], key: str) -> Any:
    for name in _SYNONYMS[key]:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def standardize_product(record: Mapping[str, Any]) -> dict[str, str | None]:
    """Flat standardized fields of a canonical product record.

    Keys: sku, gtin (GTIN-14 digits, even when the check digit fails), gtin_valid
    ("1"/None), name (folded, abbreviations expanded, sizes and pack counts
    removed), size (what was removed, normalized), brand, manufacturer and
    supplier (organization core names), family (or the category or department
    when there is no family), type, unit, price_band (of ``list_price``, else
    ``price``; see :func:`price_band`). Columns a product file commonly names
    otherwise are read where the canonical one is missing (``title`` for the
    name, ``vendor`` for the supplier, ...: :data:`_SYNONYMS`).
    """
    name, size = product_name(_first(record, "name"))
    code, valid = _gtin_parts(record.get("gtin"))
    return {
        "sku": sku(_first(record, "sku")),
        "gtin": code,
        "gtin_valid": "1" if valid else None,
        "name": name,
        "size": size,
        "brand": fold(text_of(_first(record, "brand"))),
        "manufacturer": _company(_first(record, "manufacturer")),
        "supplier": _company(_first(record, "supplier")),
        "family": fold(text_of(_first(record, "family"))),
        "type": fold(text_of(record.get("type"))),
        "unit": fold(text_of(record.get("unit"))),
        "price_band": price_band(_first(record, "price")),
    }
