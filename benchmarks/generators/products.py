"""Products as a retailer's ERP, web shop and two distributors' price lists hold them.

A product is brand + line + variant + size. Copies differ in: the size
written another way (``500 ml`` / ``500ml`` / ``0.5 l`` / ``50 cl``,
``12oz`` / ``12 oz``, ``2 x 250g`` / ``Pack of 2, 250 g``), word order,
abbreviations, case and typos in the name; the sku's separators and case
(``NV-OAT-1000`` / ``nvoat1000``) or a distributor's own sku; the gtin
present only sometimes (EAN-13, zero-padded GTIN-14, UPC-12, spaced);
the category path, brand case, the supplier's legal form, and the price
varying by a few percent. Hard negatives: the same line in another size
or variant (another gtin, an sku one segment apart).

Columns: id, sku, gtin, name, family, brand, supplier, list_price.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from stdnum import ean

from .common import copies_count, typo
from .vocab_products import ABBREV, CATEGORIES, SUPPLIERS

__all__ = ["PRODUCT_COLUMNS", "product_rows"]

PRODUCT_COLUMNS = ["id", "sku", "gtin", "name", "family", "brand", "supplier", "list_price"]


@dataclass(frozen=True)
class Product:
    entity: int
    category: str
    brand: str
    line: str
    variant: str
    size: tuple[float, str, int]  # quantity, unit, pack count
    sku: str
    gtin: str
    supplier: int
    price: float


def _number(value: float) -> str:
    return f"{value:g}"


def write_size(rng: random.Random, size: tuple[float, str, int], noise: float) -> str:
    """The size as some system writes it."""
    qty, unit, pack = size
    alternatives = {
        "ml": [
            f"{_number(qty)} ml",
            f"{_number(qty)}ml",
            f"{_number(qty)} ML",
            f"{_number(qty / 1000)} l",
            f"{_number(qty / 10)} cl",
            f"{qty / 29.5735:.1f} fl oz",
        ],
        "l": [
            f"{_number(qty)} l",
            f"{_number(qty)}L",
            f"{_number(qty)} Ltr",
            f"{_number(qty * 1000)} ml",
            f"{_number(qty)} litre",
        ],
        "g": [
            f"{_number(qty)} g",
            f"{_number(qty)}g",
            f"{_number(qty)} gr",
            f"{_number(qty / 1000)} kg",
            f"{qty / 28.3495:.1f} oz",
        ],
        "kg": [
            f"{_number(qty)} kg",
            f"{_number(qty)}kg",
            f"{_number(qty * 1000)} g",
            f"{qty * 2.20462:.1f} lb",
        ],
        "oz": [
            f"{_number(qty)}oz",
            f"{_number(qty)} oz",
            f"{_number(qty)} OZ",
            f"{_number(qty)}-oz",
            f"{qty * 28.3495:.0f} g",
        ],
        "count": [
            f"{_number(qty)} count",
            f"{_number(qty)} ct",
            f"{_number(qty)}ct",
            f"{_number(qty)} pcs",
            f"{_number(qty)}-pack",
        ],
        "m": [f"{_number(qty)} m", f"{_number(qty)}m", f"{_number(qty)} metres"],
        "sheets": [f"{_number(qty)} sheets", f"{_number(qty)} sh", f"{_number(qty)} Blatt"],
    }[unit]
    one = alternatives[0] if rng.random() > 0.6 * noise else rng.choice(alternatives)
    if pack == 1:
        return one
    packs = [
        f"{pack} x {one}",
        f"{pack}x{one.replace(' ', '')}",
        f"Pack of {pack}, {one}",
        f"{one} ({pack} pack)",
        f"{pack}pk {one}",
        f"{pack} x {one}",
    ]
    return packs[0] if rng.random() > 0.6 * noise else rng.choice(packs)


def _name(rng: random.Random, p: Product, noise: float) -> str:
    size = write_size(rng, p.size, noise)
    brand = p.brand if rng.random() > 0.15 * noise else ""
    variant = p.variant
    for word, short in ABBREV.items():
        if word in variant and rng.random() < 0.3 * noise:
            variant = variant.replace(word, short)
    line = p.line
    for word, short in ABBREV.items():
        if word in line and rng.random() < 0.2 * noise:
            line = line.replace(word, short)
    styles = [
        f"{brand} {line} {variant} {size}",
        f"{brand} {line} {variant}, {size}",
        f"{line} {variant} {size} - {brand}" if brand else f"{line} {variant} {size}",
        f"{brand} {variant} {line} {size}",
        f"{brand} {line} - {variant} - {size}",
    ]
    text = styles[0] if rng.random() > 0.5 * noise else rng.choice(styles)
    text = " ".join(text.split())
    if rng.random() < 0.15 * noise:
        text = typo(rng, text)
    if rng.random() < 0.12 * noise:
        text = text.upper()
    return text


def _sku(rng: random.Random, p: Product, noise: float) -> str | None:
    roll = rng.random()
    if roll < 0.08 * noise + 0.02:
        return None
    if roll < 0.3 * noise:  # a distributor's own number
        return f"{SUPPLIERS[p.supplier][0][:2].upper()}{(p.entity * 7919) % 100000:05d}"
    parts = p.sku.split("-")
    styles = [
        "-".join(parts),
        "".join(parts),
        " ".join(parts),
        "_".join(parts),
        "-".join(parts).lower(),
        "".join(parts).lower(),
        "-".join(parts) + " ",
    ]
    sku = styles[0] if rng.random() > 0.6 * noise else rng.choice(styles)
    return sku if rng.random() > 0.02 * noise else typo(rng, sku)


def _gtin(rng: random.Random, gtin: str, noise: float) -> str | None:
    if rng.random() < 0.5:
        return None
    styles = [gtin, "0" + gtin, f"{gtin[0]} {gtin[1:7]} {gtin[7:]}"]
    if gtin.startswith("0"):
        styles.append(gtin[1:])  # as a UPC-A
    written = styles[0] if rng.random() > 0.4 * noise else rng.choice(styles)
    return written if rng.random() > 0.02 * noise else typo(rng, written)


def _family(rng: random.Random, category: str, noise: float) -> str | None:
    if rng.random() < 0.2:
        return None
    styles = [
        category,
        category.replace("&", "and"),
        category.upper(),
        f"Food > {category}"
        if category in ("Beverages", "Dairy & Alternatives", "Snacks")
        else category.lower(),
        category.split(" ")[0],
    ]
    return styles[0] if rng.random() > 0.5 * noise else rng.choice(styles)


def _new_product(rng: random.Random, entity: int, like: Product | None) -> Product:
    if like is not None:  # the same line in another size or variant: a hard negative
        info = CATEGORIES[like.category]
        sizes = [s for s in info["sizes"] if s != like.size]
        variants = [v for v in info["variants"] if v != like.variant]
        if rng.random() < 0.6:
            change = {"size": rng.choice(sizes)}
        else:
            change = {"variant": rng.choice(variants)}
        base = replace(like, entity=entity, **change)
        seg = f"{len(base.variant) % 10}{int(base.size[0]) % 1000:03d}{base.size[2]}"
        sku = "-".join([*like.sku.split("-")[:2], seg])
    else:
        category = rng.choice(list(CATEGORIES))
        info = CATEGORIES[category]
        base = Product(
            entity,
            category,
            rng.choice(info["brands"]),
            rng.choice(info["lines"]),
            rng.choice(info["variants"]),
            rng.choice(info["sizes"]),
            "",
            "",
            rng.randrange(len(SUPPLIERS)),
            0.0,
        )
        sku = f"{base.brand[:2].upper()}-{base.line[:3].upper()}-{rng.randint(100, 9999)}"
    body = rng.choice(["0", "4", "5", "7", "8"]) + "".join(
        rng.choice("0123456789") for _ in range(11)
    )
    price = round(rng.uniform(0.8, 40.0) * (base.size[2] ** 0.8), 2)
    return replace(base, sku=sku, gtin=body + ean.calc_check_digit(body), price=price)


def _record(rng: random.Random, p: Product, noise: float) -> dict[str, str | None]:
    brand = p.brand
    if rng.random() < 0.15 * noise:
        brand = brand.upper() if rng.random() < 0.5 else brand.lower()
    supplier_index = (
        p.supplier if rng.random() > 0.15 * noise else (p.supplier + 1) % len(SUPPLIERS)
    )
    supplier = (
        rng.choice(SUPPLIERS[supplier_index])
        if rng.random() < noise
        else SUPPLIERS[supplier_index][0]
    )
    price = p.price * (1 + rng.uniform(-0.04, 0.04) * noise) if rng.random() < 0.6 else p.price
    return {
        "entity_id": str(p.entity),
        "sku": _sku(rng, p, noise),
        "gtin": _gtin(rng, p.gtin, noise),
        "name": _name(rng, p, noise),
        "family": _family(rng, p.category, noise),
        "brand": brand if rng.random() > 0.15 else None,
        "supplier": supplier if rng.random() > 0.2 else None,
        "list_price": f"{price:.2f}" if rng.random() > 0.1 else None,
    }


def product_rows(
    records: int = 4000, seed: int = 41, duplicate_share: float = 0.3
) -> Iterator[dict[str, str | None]]:
    """``records`` product rows with ``entity_id``, shuffled, ids ``s00001`` ..."""
    rng = random.Random(seed)
    rows: list[dict[str, str | None]] = []
    seen: set[tuple] = set()
    previous: Product | None = None
    entity = 0
    while len(rows) < records:
        like = previous if previous is not None and rng.random() < 0.3 else None
        product = _new_product(rng, entity, like)
        key = (product.brand, product.line, product.variant, product.size)
        if key in seen:
            continue
        seen.add(key)
        entity += 1
        previous = product
        for copy in range(copies_count(rng, duplicate_share)):
            rows.append(_record(rng, product, 0.4 if copy == 0 else 1.0))
    rows = rows[:records]
    rng.shuffle(rows)
    for i, row in enumerate(rows, 1):
        yield {"id": f"s{i:05d}", **row}
