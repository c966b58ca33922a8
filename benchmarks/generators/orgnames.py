"""Organisation names: how they are made up, and how copies of one are written differently."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .common import typo
from .vocab_census import COMMON_SURNAMES
from .vocab_org_names import (
    ABBREVIATIONS,
    ADJECTIVES,
    COINED_HEADS,
    COINED_TAILS,
    COMMON_BUSINESS_NAMES,
    NOUNS,
    PLACES,
)

__all__ = ["OrgName", "make_name", "write_name"]


@dataclass(frozen=True)
class OrgName:
    core: str  # the distinctive part: "Veltra", "Blue Heron", "Hartley & Moss"
    sector: str  # "Robotics", "" when none
    form: str  # legal-form family key, "" when none
    forms: tuple[str, ...]  # the ways this family is written

    @property
    def slug(self) -> str:
        """Domain label: ``veltra-robotics``."""
        text = f"{self.core} {self.sector}".lower().replace("&", " ")
        return re.sub(r"[^a-z0-9]+", "-", _ascii(text)).strip("-")


def _ascii(text: str) -> str:
    table = str.maketrans("äöüßéèêàâçñíóúìòù", "aousebeaacniouiou")
    return text.translate(table)


def make_name(rng: random.Random, sectors: list[str], forms: dict[str, list[str]]) -> OrgName:
    """A new organisation name: coined, founders', adjective + noun, place, initials, generic."""
    kind = rng.random()
    sector = rng.choice(sectors)
    if kind < 0.38:
        core = rng.choice(COINED_HEADS) + rng.choice(COINED_TAILS)
        sector = sector if rng.random() < 0.6 else ""
    elif kind < 0.56:
        a, b = rng.sample(COMMON_SURNAMES, 2)
        core = rng.choice([f"{a} & {b}", f"{a} {b}", f"{a} and {b}", f"{a} Brothers"])
        sector = sector if rng.random() < 0.5 else rng.choice(["Associates", "Partners", ""])
    elif kind < 0.76:
        core = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    elif kind < 0.9:
        core = rng.choice(PLACES)
    elif kind < 0.95:
        core = "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(rng.choice([2, 3, 3, 4])))
    else:
        core, sector = rng.choice(COMMON_BUSINESS_NAMES), ""
    if rng.random() < 0.08:
        sector = (sector + " International").strip()
    form = rng.choice(list(forms)) if rng.random() < 0.9 else ""
    return OrgName(core, sector, form, tuple(forms.get(form, [])))


def _abbreviate(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    hits = [i for i, w in enumerate(words) if w in ABBREVIATIONS]
    if not hits:
        return text
    i = rng.choice(hits)
    words[i] = rng.choice(ABBREVIATIONS[words[i]])
    return " ".join(words)


def write_name(rng: random.Random, name: OrgName, noise: float) -> str:
    """One copy of the name as some system holds it; ``noise`` 0..1 scales every variation."""
    body = f"{name.core} {name.sector}".strip()
    if rng.random() < 0.12 * noise and name.sector:
        body = name.core  # the sector word left out
    if rng.random() < 0.25 * noise:
        body = _abbreviate(rng, body)
    if rng.random() < 0.05 * noise:
        body = ("The " + body) if not body.startswith("The ") else body[4:]
    if rng.random() < 0.04 * noise and " " in name.core and "&" not in name.core:
        body = body.replace(name.core, name.core.replace(" ", ""), 1)  # BlueHeron
    form = ""
    if name.forms and rng.random() > 0.18 * noise:
        form = rng.choice(name.forms) if rng.random() < 0.5 + 0.5 * noise else name.forms[0]
    text = body + (form if form.startswith(",") else (" " + form if form else ""))
    if rng.random() < 0.2 * noise:
        text = typo(rng, text)
    if rng.random() < 0.05 * noise:
        text = typo(rng, text)
    roll = rng.random()
    if roll < 0.1 * noise:
        text = text.upper()
    elif roll < 0.14 * noise:
        text = text.lower()
    if rng.random() < 0.05 * noise:
        text = text.replace(".", "").replace(",", "")
    if rng.random() < 0.03 * noise:
        text = "  ".join(text.split(" ")) if rng.random() < 0.5 else text + " "
    return text.strip() if rng.random() < 0.9 else text
