"""Seeded synthetic B2B accounts with known truth, for match-quality benchmarks.

Each entity (a company, sometimes a sole trader) gets 1 to 5 copies spread
over the sources crm, billing, erp and support. Copies differ the way real
systems' copies do: typos, legal-form variants (Inc / Inc. / Incorporated /
none), abbreviations (International / Intl), swapped name tokens, upper case,
transliterated names (Cyrillic or Greek in one system, Latin in another),
phone and website formatting, country names vs codes, and missing fields.
Some unrelated entities share a name in another city or country (hard
negatives).

Usage: ``python -m benchmarks.synth_accounts 10000 out.csv [--seed 7]``; the CSV
has the dedupe input columns plus ``entity_id`` (the truth).
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from stdnum import luhn
from stdnum.gb import vat as gb_vat
from stdnum.iso7064 import mod_11_10

__all__ = ["COLUMNS", "generate", "generate_base_and_probes", "write_csv"]

COLUMNS = [
    "id",
    "source",
    "entity_id",
    "kind",
    "name",
    "first_name",
    "last_name",
    "legal_form",
    "tax_id",
    "registration_number",
    "email",
    "phone",
    "website",
    "address_line1",
    "address_line2",
    "city",
    "region",
    "postcode",
    "country",
]

SOURCES = ["crm", "billing", "erp", "support"]
COUNTRIES = {
    "US": (
        ["Inc", "LLC", "Corp", "Co"],
        [
            "New York",
            "Chicago",
            "Austin",
            "Seattle",
            "Denver",
            "Boston",
            "Atlanta",
            "Phoenix",
            "Portland",
            "Miami",
        ],
        "1",
        "United States",
        "USA",
    ),
    "GB": (
        ["Ltd", "PLC", "LLP"],
        ["London", "Leeds", "Bristol", "Manchester", "Glasgow"],
        "44",
        "United Kingdom",
        "GBR",
    ),
    "DE": (
        ["GmbH", "AG", "KG"],
        ["Berlin", "Hamburg", "München", "Köln", "Stuttgart"],
        "49",
        "Germany",
        "DEU",
    ),
    "FR": (
        ["SARL", "SA", "SAS"],
        ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes"],
        "33",
        "France",
        "FRA",
    ),
    "NL": (
        ["B.V.", "N.V."],
        ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"],
        "31",
        "Netherlands",
        "NLD",
    ),
    "AU": (["Pty Ltd"], ["Sydney", "Melbourne", "Brisbane", "Perth"], "61", "Australia", "AUS"),
    "RU": (["OOO"], ["Moskva", "Kazan", "Samara"], "7", "Russia", "RUS"),
}
COUNTRY_WEIGHTS = [40, 15, 15, 10, 8, 7, 5]
LEGAL_VARIANTS = {
    "Inc": ["Inc", "Inc.", "Incorporated", "INC"],
    "LLC": ["LLC", "L.L.C.", "Llc"],
    "Corp": ["Corp", "Corp.", "Corporation"],
    "Co": ["Co", "Co.", "Company"],
    "Ltd": ["Ltd", "Ltd.", "Limited"],
    "PLC": ["PLC", "plc"],
    "LLP": ["LLP"],
    "GmbH": ["GmbH", "Gmbh", "GMBH"],
    "AG": ["AG"],
    "KG": ["KG"],
    "SARL": ["SARL", "S.A.R.L.", "Sarl"],
    "SA": ["SA", "S.A."],
    "SAS": ["SAS", "S.A.S."],
    "B.V.": ["B.V.", "BV"],
    "N.V.": ["N.V.", "NV"],
    "Pty Ltd": ["Pty Ltd", "Pty. Ltd.", "PTY LTD"],
    "OOO": ["OOO", "\u041e\u041e\u041e"],
}
INDUSTRY = [
    "Systems",
    "Logistics",
    "Foods",
    "Technologies",
    "Consulting",
    "International",
    "Manufacturing",
    "Services",
    "Solutions",
    "Holdings",
    "Partners",
    "Analytics",
    "Energy",
    "Health",
    "Media",
    "Labs",
    "Group",
    "Industries",
    "Software",
    "Capital",
]
ABBREV = {
    "International": "Intl",
    "Technologies": "Tech",
    "Manufacturing": "Mfg",
    "Services": "Svcs",
    "Solutions": "Sol",
    "Group": "Grp",
    "Industries": "Inds",
    "Laboratories": "Labs",
    "Systems": "Sys",
}
STREETS = [
    "Main",
    "Oak",
    "Maple",
    "Cedar",
    "Park",
    "Lake",
    "Hill",
    "Church",
    "Mill",
    "River",
    "Station",
    "Victoria",
    "King",
    "Queen",
    "High",
    "Elm",
    "Pine",
    "Bridge",
]
STREET_TYPES = [
    ("Street", "St."),
    ("Avenue", "Ave"),
    ("Road", "Rd"),
    ("Boulevard", "Blvd"),
    ("Lane", "Ln"),
    ("Drive", "Dr."),
]
FIRST = [
    "James",
    "Mary",
    "Robert",
    "Linda",
    "Michael",
    "Sarah",
    "David",
    "Anna",
    "Thomas",
    "Julia",
    "Peter",
    "Elena",
    "Olga",
    "Ivan",
    "Sophie",
    "Lukas",
    "Emma",
    "Noah",
]
FREE = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de"]
# Latin letter -> Cyrillic letter, for copies a Russian system keeps in Cyrillic
_CYR = dict(
    zip(
        "abvgdeziklmnoprstufhcy",
        "\u0430\u0431\u0432\u0433\u0434\u0435\u0437\u0438\u043a\u043b\u043c"
        "\u043d\u043e\u043f\u0440\u0441\u0442\u0443\u0444\u0445\u0446\u044b",
        strict=True,
    )
)
_SYL_A = [
    "vor",
    "lan",
    "ka",
    "mer",
    "tor",
    "bel",
    "dra",
    "zen",
    "qui",
    "ro",
    "sa",
    "ni",
    "tek",
    "mo",
    "var",
    "lu",
    "pex",
    "dor",
    "gal",
    "fin",
    "hal",
    "ix",
    "jor",
    "kel",
    "ner",
    "ost",
    "pra",
    "ul",
    "wen",
    "yor",
    "ar",
    "bri",
    "cor",
    "del",
    "em",
    "fal",
    "gor",
    "hel",
]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYL_A) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if op < 0.3:
        return text[:i] + text[i + 1 :]
    if op < 0.6:
        return text[:i] + letter + text[i + 1 :]
    if op < 0.8:
        return text[:i] + letter + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _tax_id(rng: random.Random, country: str) -> str:
    while True:
        if country == "DE":
            body = str(rng.randint(10**7, 10**8 - 1))
            return "DE" + body + mod_11_10.calc_check_digit(body)
        if country == "GB":
            body = str(rng.randint(10**8, 10**9 - 1))
            if gb_vat.is_valid(body):
                return "GB" + body
            continue
        if country == "FR":
            siren = str(rng.randint(10**7, 10**8 - 1))
            siren += luhn.calc_check_digit(siren)
            key = (12 + 3 * (int(siren) % 97)) % 97
            return f"FR{key:02d}{siren}"
        if country == "US":
            return f"{rng.choice([10, 12, 20, 27, 45, 46, 81, 94])}-{rng.randint(10**6, 10**7 - 1)}"
        return "".join(str(rng.randint(0, 9)) for _ in range(10))


def _entity(rng: random.Random, number: int, twin: dict[str, str] | None) -> dict[str, str]:
    country = rng.choices(list(COUNTRIES), COUNTRY_WEIGHTS)[0]
    forms, cities, cc, _, _ = COUNTRIES[country]
    person = rng.random() < 0.08
    if twin is not None and not person:
        words = twin["core"]
    else:
        words = " ".join(
            [_word(rng)] + ([_word(rng)] if rng.random() < 0.35 else []) + [rng.choice(INDUSTRY)]
        )
    domain = (
        f"{words.split()[0].lower()}{number % 997}.{'com' if country == 'US' else country.lower()}"
    )
    first, last = rng.choice(FIRST), _word(rng)
    stype = rng.choice(STREET_TYPES)
    return {
        "entity_id": f"E{number}",
        "kind": "person" if person else "organization",
        "core": words,
        "legal": "" if person else rng.choice(forms),
        "first_name": first if person else "",
        "last_name": last if person else "",
        "tax_id": _tax_id(rng, country) if rng.random() < 0.6 else "",
        "registration_number": f"R{rng.randint(10**6, 10**7 - 1)}" if rng.random() < 0.3 else "",
        "contact": f"{first.lower()}.{last.lower()}",
        "domain": domain,
        "free": rng.choice(FREE),
        "phone": "".join(str(rng.randint(0, 9)) for _ in range(9 if cc != "1" else 10)),
        "cc": cc,
        "street_no": str(rng.randint(1, 999)),
        "street": rng.choice(STREETS),
        "stype_long": stype[0],
        "stype_short": stype[1],
        "city": rng.choice(cities),
        "postcode": str(rng.randint(10000, 99999)),
        "country": country,
    }


def _name(rng: random.Random, e: dict[str, str]) -> str:
    tokens = e["core"].split()
    if rng.random() < 0.25:
        tokens = [ABBREV.get(t, t) for t in tokens]
    if len(tokens) > 2 and rng.random() < 0.1:
        tokens[0], tokens[1] = tokens[1], tokens[0]
    if rng.random() < 0.25:
        k = rng.randrange(len(tokens))
        tokens[k] = _typo(rng, tokens[k])
    name = " ".join(tokens)
    if e["legal"] and rng.random() < 0.8:
        name += (", " if rng.random() < 0.2 else " ") + rng.choice(LEGAL_VARIANTS[e["legal"]])
    if e["country"] == "RU" and rng.random() < 0.5:
        name = "".join(
            _CYR.get(ch, _CYR.get(ch.lower(), ch).upper()) if ch.isalpha() else ch for ch in name
        )
    if rng.random() < 0.1:
        name = name.upper()
    return name


def _copy(rng: random.Random, e: dict[str, str], number: int, source: str) -> dict[str, str]:
    def maybe(value: str, p_missing: float) -> str:
        return "" if rng.random() < p_missing else value

    cc = e["cc"]
    phone = e["phone"]
    phone = rng.choice(
        [
            f"+{cc} {phone[:3]} {phone[3:6]} {phone[6:]}",
            f"+{cc}{phone}",
            f"00{cc} {phone}",
            f"({phone[:3]}) {phone[3:6]}-{phone[6:]}" if cc == "1" else f"0{phone}",
        ]
    )
    if rng.random() < 0.05:
        phone = _typo(rng, phone)
    website = rng.choice(
        [
            e["domain"],
            f"www.{e['domain']}",
            f"https://www.{e['domain']}/",
            f"http://{e['domain']}/contact",
        ]
    )
    mailbox = f"{e['contact']}@{e['free'] if rng.random() < 0.15 else e['domain']}"
    if rng.random() < 0.3:
        mailbox = f"{rng.choice(['info', 'billing', 'ap', 'sales'])}@{e['domain']}"
    stype = e["stype_long"] if rng.random() < 0.5 else e["stype_short"]
    line1 = f"{e['street_no']} {e['street']} {stype}"
    if rng.random() < 0.1:
        line1 = _typo(rng, line1)
    name_parts = {"first_name": e["first_name"], "last_name": e["last_name"]}
    if e["kind"] == "person" and rng.random() < 0.2:
        name_parts["first_name"] = _typo(rng, e["first_name"])
    _, _, _, long_name, iso3 = COUNTRIES[e["country"]]
    country = rng.choice([e["country"], e["country"], long_name, iso3])
    tax = e["tax_id"]
    if tax and rng.random() < 0.3:
        tax = tax[2:] if tax[:2].isalpha() else tax.replace("-", "")
    return {
        "id": f"{source}-{number}",
        "source": source,
        "entity_id": e["entity_id"],
        "kind": e["kind"],
        "name": "" if e["kind"] == "person" else _name(rng, e),
        "first_name": name_parts["first_name"],
        "last_name": name_parts["last_name"],
        "legal_form": "",
        "tax_id": maybe(tax, 0.5 if source in ("crm", "support") else 0.15),
        "registration_number": maybe(e["registration_number"], 0.5),
        "email": maybe(mailbox, 0.3),
        "phone": maybe(phone, 0.3),
        "website": maybe(website, 0.4 if source != "crm" else 0.15),
        "address_line1": maybe(line1, 0.2),
        "address_line2": "",
        "city": maybe(e["city"], 0.1),
        "region": "",
        "postcode": maybe(e["postcode"], 0.2),
        "country": maybe(country, 0.1),
    }


def generate(records: int, seed: int = 7) -> Iterator[dict[str, str]]:
    """Yield about ``records`` rows (exactly ``records``), copies of one entity adjacent-free."""
    rng = random.Random(seed)
    # each row is kept as its values joined by a unit separator until the shuffle is
    # done: a tenth of a dict's memory, so ten million rows fit a 24 GB machine
    rows: list[str] = []
    keys: tuple[str, ...] = ()
    number = 0
    previous: dict[str, str] | None = None
    while len(rows) < records:
        twin = previous if previous is not None and rng.random() < 0.03 else None
        entity = _entity(rng, number, twin)
        copies = rng.choices([1, 2, 3, 4, 5], [30, 30, 20, 12, 8])[0]
        sources = rng.sample(SOURCES, min(copies, 4)) + rng.choices(SOURCES, k=max(copies - 4, 0))
        for source in sources[: records - len(rows)]:
            row = _copy(rng, entity, len(rows), source)
            keys = keys or tuple(row)
            rows.append("\x1f".join(row.values()))
        previous, number = entity, number + 1
    rng.shuffle(rows)
    for packed in rows:
        yield dict(zip(keys, packed.split("\x1f"), strict=True))


def generate_base_and_probes(
    records: int, probes: int, seed: int = 7, *, probe_seed: int = 0
) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ``("base", row)`` for ``records`` entities with exactly one copy each, then
    ``("probe", row)`` ``probes`` times, for incremental matching against a large hub.

    Even-numbered probes are a fresh copy, from another source, of a base entity picked
    at random (``duplicate_of`` is that base row's id); odd-numbered ones are new
    entities (``duplicate_of`` is empty). Only the picked entities are kept in memory,
    so a base of millions streams. Base ids are ``<source>-<n>`` with n below
    ``records``; probe ids continue from ``records``. The base depends on ``seed``
    only; ``probe_seed`` picks another set of probes against the same base. Uses
    its own random streams: :func:`generate` is unaffected.
    """
    rng = random.Random(seed)
    prng = random.Random(f"{seed}/probes/{probe_seed}")
    duplicates = (probes + 1) // 2
    picked = prng.sample(range(records), min(duplicates, records))
    wanted = set(picked)
    kept: dict[int, tuple[dict[str, str], str, str]] = {}
    previous: dict[str, str] | None = None
    for number in range(records):
        twin = previous if previous is not None and rng.random() < 0.03 else None
        entity = _entity(rng, number, twin)
        row = _copy(rng, entity, number, rng.choice(SOURCES))
        if number in wanted:
            kept[number] = (entity, row["source"], row["id"])
        yield "base", row
        previous = entity
    for j in range(probes):
        number = records + j
        if j % 2 == 0 and j // 2 < len(picked):
            entity, base_source, base_id = kept[picked[j // 2]]
            source = prng.choice([s for s in SOURCES if s != base_source])
            row = _copy(prng, entity, number, source)
            row["duplicate_of"] = base_id
        else:
            row = _copy(prng, _entity(prng, number, None), number, prng.choice(SOURCES))
            row["duplicate_of"] = ""
        yield "probe", row


def write_csv(path: Path, records: int, seed: int = 7) -> Path:
    """Write ``records`` synthetic rows to ``path`` (CSV with :data:`COLUMNS`)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(generate(records, seed))
    return path


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--seed" else 7
    write_csv(target, count, seed)
