"""Money as exact integers: amounts arrive as decimal strings and are kept in millionths.

Canonical events carry amounts as decimal strings (``"1250.00"``), never floats, with
at most 6 decimal places and 12 integer digits (the schemas say so). The hub keeps an
amount as an integer count of millionths of the currency unit (*micros*): exact, and
summable by both databases without a decimal type (SQLite has none). 10^12 units in
micros is 10^18, inside a signed 64-bit integer.

``minor_units`` is the ISO 4217 exponent of a currency (2 unless listed): how many
decimals a formatted amount shows at least.
"""

from __future__ import annotations

__all__ = ["MICROS", "format_micros", "minor_units", "parse_micros"]

MICROS = 1_000_000

_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMAL = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])


def minor_units(currency: str) -> int:
    code = currency.upper()
    if code in _ZERO_DECIMAL:
        return 0
    if code in _THREE_DECIMAL:
        return 3
    return 2


def parse_micros(amount: str) -> int:
    """``"12.5"`` -> 12_500_000. The schema has checked the shape; this is exact."""
    whole, _, fraction = amount.partition(".")
    return int(whole) * MICROS + int((fraction + "000000")[:6] or 0)


def format_micros(micros: int, currency: str | None) -> str:
    """The decimal string of ``micros``, with at least the currency's minor-unit digits
    (``"12.50"`` USD, ``"500"`` JPY) and more only where the amount has them."""
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), MICROS)
    digits = f"{fraction:06d}".rstrip("0")
    places = minor_units(currency) if currency else 2
    digits = digits.ljust(places, "0")
    return f"{sign}{whole}.{digits}" if digits else f"{sign}{whole}"
