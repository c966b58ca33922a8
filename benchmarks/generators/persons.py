"""Census-style persons: households, names with nicknames and swaps, messy birth dates.

A population of households (a surname and an address; parents, children,
now and then twins or a junior named after a parent: the hard negatives of
person matching) is drawn first; then each person gets 1-4 records, the way
a census clerk, a clinic and a council would write the same person:

- first name: a nickname (Bob for Robert), an initial only, a middle initial
  added, a typo; surname: a typo, a married or double-barrelled name;
  given and family name swapped; whole record in capitals;
- birth date: day and month transposed, year only (``1956``), a one-digit
  typo, missing;
- address: street type written differently (Street/St/St.), a unit added,
  a typo in the number, a move to another address, missing; city typo.

Columns: id, first_name, last_name, date_of_birth, address_line1, city.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from .common import copies_count, pick_zipf, typo, zipf_weights
from .vocab_census import CITIES, COMMON_SURNAMES, FEMALE_HINT
from .vocab_persons import (
    FIRST_NAMES,
    NICKNAMES,
    RARE_SURNAME_HEADS,
    RARE_SURNAME_TAILS,
    STREET_NAMES,
    STREET_TYPES,
)

__all__ = ["CENSUS_COLUMNS", "NAMES_DOB_COLUMNS", "census_rows", "names_dob_census_rows"]

CENSUS_COLUMNS = ["id", "first_name", "last_name", "date_of_birth", "address_line1", "city"]
NAMES_DOB_COLUMNS = ["id", "first_name", "last_name", "date_of_birth"]


@dataclass(frozen=True)
class Person:
    entity: int
    first: str
    middle: str
    last: str
    birth: tuple[int, int, int]
    number: int
    street: str
    street_type: int
    city: str


class _Population:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first_w = zipf_weights(len(FIRST_NAMES), 0.7)
        self.common_w = zipf_weights(len(COMMON_SURNAMES), 0.9)
        self.city_w = zipf_weights(len(CITIES), 0.8)
        self.street_w = zipf_weights(len(STREET_NAMES), 0.5)

    def surname(self) -> str:
        rng = self.rng
        if rng.random() < 0.45:
            return pick_zipf(rng, COMMON_SURNAMES, self.common_w)
        return rng.choice(RARE_SURNAME_HEADS) + rng.choice(RARE_SURNAME_TAILS)

    def first(self) -> str:
        return pick_zipf(self.rng, FIRST_NAMES, self.first_w)

    def birth(self, start: int, end: int) -> tuple[int, int, int]:
        rng = self.rng
        return rng.randint(start, end), rng.randint(1, 12), rng.randint(1, 28)

    def household(self, next_entity: int) -> list[Person]:
        """One address: one or two adults, perhaps children (twins, a junior)."""
        rng = self.rng
        last = self.surname()
        adult = Person(
            next_entity,
            self.first(),
            rng.choice("ABCDEFGHJKLMNPRSTW"),
            last,
            self.birth(1935, 1995),
            rng.randint(1, 2400),
            pick_zipf(rng, STREET_NAMES, self.street_w),
            rng.randrange(len(STREET_TYPES)),
            pick_zipf(rng, CITIES, self.city_w),
        )
        members = [adult]
        if rng.random() < 0.45:
            members.append(
                replace(
                    adult,
                    first=self.first(),
                    middle=rng.choice("ABCDEJKLMRS"),
                    birth=self.birth(adult.birth[0] - 6, adult.birth[0] + 6),
                )
            )
        children = rng.choices([0, 1, 2, 3], weights=[50, 20, 20, 10])[0]
        for _ in range(children if adult.birth[0] < 1985 else 0):
            year = adult.birth[0] + rng.randint(20, 38)
            birth = self.birth(year, year)
            first = adult.first if rng.random() < 0.06 else self.first()  # a junior
            members.append(replace(adult, first=first, middle=rng.choice("ABCDJMRT"), birth=birth))
            if rng.random() < 0.04:  # twins: same birth date and surname, another name
                members.append(replace(adult, first=self.first(), birth=birth))
        return [replace(m, entity=next_entity + i) for i, m in enumerate(members)]


def _dob(rng: random.Random, birth: tuple[int, int, int], noisy: float) -> str | None:
    year, month, day = birth
    roll = rng.random() / noisy if noisy else 1.0
    if roll < 0.05:
        return None
    if roll < 0.09:
        return f"{year}"
    if roll < 0.15 and day <= 12 and day != month:
        month, day = day, month
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if 0.15 <= roll < 0.2:
        i = rng.choice([2, 3, 6, 8, 9])
        text = text[:i] + str((int(text[i]) + rng.choice([1, 9])) % 10) + text[i + 1 :]
    return text


def _first_name(rng: random.Random, person: Person, noisy: float) -> str | None:
    roll = rng.random() / noisy if noisy else 1.0
    name = person.first
    if roll < 0.02:
        return None
    if roll < 0.14:
        if name in NICKNAMES:
            name = rng.choice(NICKNAMES[name])
    elif roll < 0.17:
        return name[0] + ("." if rng.random() < 0.5 else "")
    elif roll < 0.25:
        name = typo(rng, name)
    if rng.random() < 0.1 * noisy:
        name = f"{name} {person.middle}" + ("." if rng.random() < 0.4 else "")
    return name


def _last_name(rng: random.Random, person: Person, noisy: float, married: str) -> str | None:
    roll = rng.random() / noisy if noisy else 1.0
    if roll < 0.02:
        return None
    if roll < 0.05 and person.first in FEMALE_HINT:
        return married
    if roll < 0.07:
        return f"{person.last}-{married}"
    if roll < 0.15:
        return typo(rng, person.last)
    return person.last


def _address(rng: random.Random, person: Person, noisy: float, pop: _Population) -> tuple:
    roll = rng.random() / noisy if noisy else 1.0
    if roll < 0.05:
        return None, None if rng.random() < 0.5 else person.city
    number, street, kind, city = person.number, person.street, person.street_type, person.city
    if roll < 0.13:  # moved
        number, street = rng.randint(1, 2400), pick_zipf(rng, STREET_NAMES, pop.street_w)
        kind = rng.randrange(len(STREET_TYPES))
        if rng.random() < 0.5:
            city = pick_zipf(rng, CITIES, pop.city_w)
    full, variants = STREET_TYPES[kind]
    written = full if rng.random() < 0.55 else rng.choice(variants)
    digits = str(number)
    if 0.13 <= roll < 0.16:
        digits = typo(rng, digits + "0")[: len(digits)] if len(digits) > 1 else digits
    line = f"{digits} {street} {written}"
    if rng.random() < 0.06:
        line += rng.choice(
            [f" Apt {number % 17 + 1}", f" #{number % 9 + 1}", f" Unit {number % 5 + 1}"]
        )
    if 0.16 <= roll < 0.22:
        line = typo(rng, line)
    if rng.random() < 0.05 * noisy:
        city = typo(rng, city)
    elif rng.random() < 0.04 * noisy:
        city = None
    return line, city


def _record(rng: random.Random, person: Person, noisy: float, pop: _Population) -> dict:
    married = pop.surname()
    first, last = _first_name(rng, person, noisy), _last_name(rng, person, noisy, married)
    if rng.random() < 0.05 * noisy:
        first, last = last, first
    line, city = _address(rng, person, noisy, pop)
    row = {
        "entity_id": str(person.entity),
        "first_name": first,
        "last_name": last,
        "date_of_birth": _dob(rng, person.birth, noisy),
        "address_line1": line,
        "city": city,
    }
    if rng.random() < 0.08:
        row = {k: (v.upper() if v and k != "entity_id" else v) for k, v in row.items()}
    return row


def census_rows(
    records: int = 5000, seed: int = 11, duplicate_share: float = 0.3
) -> Iterator[dict[str, str | None]]:
    """``records`` census-style person rows with ``entity_id``, shuffled, ids ``p00001`` ..."""
    rng = random.Random(seed)
    pop = _Population(rng)
    rows: list[dict] = []
    entity = 0
    while len(rows) < records:
        for person in pop.household(entity):
            entity = person.entity + 1
            for copy in range(copies_count(rng, duplicate_share)):
                rows.append(_record(rng, person, 0.5 if copy == 0 else 1.0, pop))
    rows = rows[:records]
    rng.shuffle(rows)
    for i, row in enumerate(rows, 1):
        yield {"id": f"p{i:05d}", **row}


def names_dob_census_rows(
    records: int = 5000, seed: int = 12, duplicate_share: float = 0.3
) -> Iterator[dict[str, str | None]]:
    """Census persons with only names and birth date (another seed than ``census``)."""
    for row in census_rows(records, seed, duplicate_share):
        yield {c: row[c] for c in (*NAMES_DOB_COLUMNS, "entity_id")}
