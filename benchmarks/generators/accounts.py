"""B2B accounts unlike ``synth_accounts.py``: other names, legal forms spelled out, human phones.

Entities are companies in seven countries. Their copies (1-4, as CRM, ERP,
billing and a trade-show list would hold them) differ in: legal form written
out or abbreviated (Corp / Corporation / Corp.; GmbH / Gesellschaft mit
beschraenkter Haftung), abbreviations (Intl, Mfg, &/and), typos and case;
phones written the human ways (``(415) 555-0199``, ``+1.415.555.0199``,
``030/1234567``, ``0044 20 ...``, national without country code); VAT/EIN
numbers with or without the country prefix, spaced, now and then one digit
wrong; website written many ways, email on the company domain or on a free
mail domain; street types abbreviated, moves; country as code or name; and
missing values everywhere. Hard negatives: generic names (``ABC Cleaning``)
carried by unrelated firms in other cities, and sister companies sharing a
core name (``Veltra Robotics GmbH`` vs ``Veltra Optics AG``).

Columns: id, name, tax_id, email, phone, website, address_line1, city,
postcode, region, country.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from stdnum import luhn
from stdnum.es import cif
from stdnum.eu import vat as eu_vat
from stdnum.iso7064 import mod_11_10

from .common import copies_count, typo
from .orgnames import OrgName, make_name, write_name
from .vocab_census import COMMON_SURNAMES
from .vocab_org_names import COMMON_BUSINESS_NAMES
from .vocab_orgs import COUNTRIES
from .vocab_persons import FIRST_NAMES

__all__ = ["ACCOUNT_COLUMNS", "account_rows"]

ACCOUNT_COLUMNS = [
    "id",
    "name",
    "tax_id",
    "email",
    "phone",
    "website",
    "address_line1",
    "city",
    "postcode",
    "region",
    "country",
]
FREE_MAIL = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "gmx.de", "orange.fr"]
EIN_PREFIXES = ["12", "20", "27", "33", "45", "46", "47", "52", "81", "84", "94", "95"]


@dataclass(frozen=True)
class Account:
    entity: int
    country: str
    name: OrgName
    tax: str  # compact, with the country prefix for VAT numbers
    phone: str  # national significant number
    phone2: str
    domain: str
    number: int
    street: str
    city: str
    postcode: str


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _tax_id(rng: random.Random, country: str) -> str:
    if country == "US":
        return rng.choice(EIN_PREFIXES) + _digits(rng, 7)
    if country == "DE":
        body = str(rng.randint(1, 9)) + _digits(rng, 7)
        return "DE" + body + mod_11_10.calc_check_digit(body)
    if country == "GB":
        body = str(rng.randint(1, 9)) + _digits(rng, 6)
        check = -sum(w * int(d) for w, d in zip(range(8, 1, -1), body, strict=True)) % 97
        return f"GB{body}{check:02d}"
    if country == "FR":
        siren = str(rng.randint(1, 9)) + _digits(rng, 7)
        siren += luhn.calc_check_digit(siren)
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    if country == "IT":
        body = _digits(rng, 7) + f"{rng.randint(1, 100):03d}"
        return "IT" + body + luhn.calc_check_digit(body)
    if country == "ES":
        body = "B" + _digits(rng, 7)
        return "ES" + body + cif.calc_check_digits(body)[0]
    while True:  # NL: about one in eleven bodies has a valid check digit
        candidate = f"NL{rng.randint(1, 9)}{_digits(rng, 8)}B01"
        if eu_vat.is_valid(candidate):
            return candidate


def _written_tax(rng: random.Random, tax: str, noise: float) -> str | None:
    if rng.random() < 0.35:
        return None
    if rng.random() < 0.03 * noise:  # one digit wrong or two swapped
        tax = tax[:2] + typo(rng, tax[2:]) if tax[:2].isalpha() else typo(rng, tax)
    if tax[:2].isalpha():
        roll = rng.random()
        if roll < 0.2 * noise:
            return tax[2:]  # the national number without the country prefix
        if roll < 0.3 * noise:
            return tax[:2] + " " + " ".join(tax[i : i + 3] for i in range(2, len(tax), 3))
        if roll < 0.36 * noise:
            return tax.lower()
        if roll < 0.4 * noise:
            return tax[:2] + "-" + tax[2:]
        return tax
    return tax[:2] + "-" + tax[2:] if rng.random() < 0.7 else tax


def _phone(rng: random.Random, account: Account, number: str, noise: float) -> str:
    """The national number written the way a person in that country (or abroad) would."""
    info = COUNTRIES[account.country]
    cc = {"US": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31", "ES": "34", "IT": "39"}
    code = cc[account.country]
    area = info["area"].get(account.city, "")
    rest = number[len(area) :]
    trunk = "" if account.country in ("US", "ES", "IT") else "0"
    if account.country == "US":
        a, b, c = number[:3], number[3:6], number[6:]
        styles = [f"({a}) {b}-{c}", f"+1.{a}.{b}.{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}"]
        styles += [f"+1 {a} {b} {c}", f"1-{a}-{b}-{c}", f"{a}{b}{c}", f"+1{a}{b}{c}"]
        styles += [f"({a}) {b}-{c} ext. {rng.randint(2, 40)}"]
    else:
        national = f"{trunk}{area} {rest}"
        styles = [f"+{code} {area} {rest}", national, f"00{code} {area} {rest}"]
        styles += [f"+{code} (0){area} {rest}" if trunk else f"+{code}{number}"]
        styles += [f"{trunk}{area}/{rest}", f"{trunk}{area}-{rest}", f"+{code}{number}"]
        if account.country == "FR":
            pairs = " ".join(number[i : i + 2] for i in range(1, 9, 2))
            styles += [f"0{number[0]} {pairs}", f"0{number[0]}.{pairs.replace(' ', '.')}"]
    written = styles[0] if rng.random() > noise else rng.choice(styles)
    if rng.random() < 0.03 * noise:
        written = typo(rng, written)
    return written


def _website(rng: random.Random, domain: str, noise: float) -> str:
    styles = [f"https://www.{domain}", f"www.{domain}", domain, f"http://{domain}/"]
    styles += [f"https://{domain}/contact", f"HTTPS://WWW.{domain.upper()}", f"www.{domain}/"]
    return styles[0] if rng.random() > noise else rng.choice(styles)


def _email(rng: random.Random, account: Account) -> str:
    roll = rng.random()
    if roll < 0.1:
        return f"{account.name.slug.replace('-', '')}@{rng.choice(FREE_MAIL)}"
    first, last = rng.choice(FIRST_NAMES).lower(), rng.choice(COMMON_SURNAMES).lower()
    last = last.replace("'", "").replace(" ", "")
    local = rng.choice(
        ["info", "sales", "accounts", "office", f"{first}.{last}", f"{first[0]}{last}"]
    )
    return f"{local}@{account.domain}"


def _street(rng: random.Random, account: Account, noise: float) -> str:
    number, street, country = account.number, account.street, account.country
    if country == "US":
        kind = rng.choice([("Street", "St"), ("Avenue", "Ave"), ("Boulevard", "Blvd")])
        suite = f" Suite {number % 900 + 100}" if number % 3 == 0 else ""
        if rng.random() < 0.5 * noise:
            suite = suite.replace("Suite", rng.choice(["Ste", "Ste.", "#"]))
            return f"{number} {street} {kind[1]}{suite}"
        return f"{number} {street} {kind[0]}{suite}"
    if country == "GB":
        kind = "Street" if rng.random() > 0.5 * noise else "St"
        return f"{number} {street} {kind}"
    if country == "DE":
        suffix = rng.choice(["straße", "str.", "strasse"]) if rng.random() < noise else "straße"
        return f"{street}{suffix} {number}"
    if country == "FR":
        rue = rng.choice(["rue", "Rue", "r."]) if rng.random() < noise else "rue"
        return f"{number}{',' if rng.random() < 0.3 * noise else ''} {rue} {street}"
    if country == "ES":
        calle = rng.choice(["Calle", "C/", "c."]) if rng.random() < noise else "Calle"
        return f"{calle} {street}, {number}"
    if country == "IT":
        via = rng.choice(["Via", "V.", "via"]) if rng.random() < noise else "Via"
        return f"{via} {street}{',' if rng.random() < 0.5 else ''} {number}"
    return f"{street} {number}"


def _new_account(rng: random.Random, entity: int, country: str | None = None) -> Account:
    codes = list(COUNTRIES)
    country = country or rng.choices(codes, weights=[COUNTRIES[c]["weight"] for c in codes])[0]
    info = COUNTRIES[country]
    name = make_name(rng, info["sectors"], info["forms"])
    city = rng.choice(list(info["cities"]))
    area = info["area"][city]
    length = {"US": 10, "GB": 10, "DE": 10, "FR": 9, "NL": 9, "ES": 9, "IT": 10}[country]
    first = (
        str(rng.randint(2, 9)) if country in ("US", "GB", "DE", "NL") else str(rng.randint(1, 8))
    )
    phone = area + first + _digits(rng, length - len(area) - 1)
    phone2 = phone[:-3] + _digits(rng, 3)
    prefix = info["cities"][city][0]
    if country == "US":
        postcode = prefix + _digits(rng, 2)
    elif country == "GB":
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        district, sector = rng.randint(1, 20), rng.randint(1, 9)
        postcode = f"{prefix}{district} {sector}{rng.choice(letters)}{rng.choice(letters)}"
    elif country == "NL":
        letters = "ABCDEGHJKLMNPRST"
        postcode = f"{prefix}{_digits(rng, 2)} {rng.choice(letters)}{rng.choice(letters)}"
    else:
        postcode = prefix + _digits(rng, 5 - len(prefix))
    return Account(
        entity,
        country,
        name,
        _tax_id(rng, country),
        phone,
        phone2,
        name.slug + info["tld"] if rng.random() < 0.7 else name.slug + ".com",
        rng.randint(1, 400),
        rng.choice(info["streets"]),
        city,
        postcode,
    )


def _related(rng: random.Random, base: Account, entity: int) -> Account:
    """Another firm that looks like ``base``: generic name elsewhere, or a sister company."""
    if base.name.core in COMMON_BUSINESS_NAMES:  # generic name: same name, another place
        other = _new_account(rng, entity)
        return replace(other, name=replace(base.name, form=other.name.form, forms=other.name.forms))
    other = _new_account(rng, entity, base.country)
    info = COUNTRIES[base.country]
    sectors = [s for s in info["sectors"] if s != base.name.sector]
    sister = replace(base.name, sector=rng.choice(sectors))
    return replace(other, name=sister, domain=sister.slug + info["tld"])


def _record(rng: random.Random, a: Account, noise: float) -> dict[str, str | None]:
    info = COUNTRIES[a.country]
    moved = rng.random() < 0.07 * noise
    account = a
    if moved:  # another office of the same firm, or the firm moved
        other = _new_account(rng, a.entity, a.country)
        account = replace(
            a, number=other.number, street=other.street, city=other.city, postcode=other.postcode
        )
    _, region_code, region_name = info["cities"][account.city]
    phone_number = account.phone if rng.random() > 0.15 * noise else account.phone2
    missing = 0.12 + 0.18 * noise

    def keep(p: float = missing) -> bool:
        return rng.random() >= p

    city = account.city
    if rng.random() < 0.05 * noise:
        city = typo(rng, city)
    elif rng.random() < 0.08 * noise:
        city = city.upper()
    postcode = account.postcode
    if a.country in ("GB", "NL") and rng.random() < 0.3 * noise:
        postcode = postcode.replace(" ", "")
    if a.country == "US" and rng.random() < 0.2 * noise:
        postcode += "-" + _digits(rng, 4)
    return {
        "entity_id": str(a.entity),
        "name": write_name(rng, a.name, noise),
        "tax_id": _written_tax(rng, a.tax, noise),
        "email": _email(rng, a) if keep(0.35) else None,
        "phone": _phone(rng, account, phone_number, noise) if keep() else None,
        "website": _website(rng, a.domain, noise) if keep(0.4) else None,
        "address_line1": _street(rng, account, noise) if keep(0.1) else None,
        "city": city if keep(0.08) else None,
        "postcode": postcode if keep() else None,
        "region": (region_code if rng.random() < 0.6 else region_name)
        if region_code and keep()
        else None,
        "country": rng.choice(info["spellings"]) if keep(0.15) else None,
    }


def account_rows(
    records: int = 5000, seed: int = 21, duplicate_share: float = 0.3
) -> Iterator[dict[str, str | None]]:
    """``records`` B2B account rows with ``entity_id``, shuffled, ids ``a00001`` ..."""
    rng = random.Random(seed)
    rows: list[dict[str, str | None]] = []
    entity = 0
    previous: Account | None = None
    while len(rows) < records:
        generic = previous is not None and previous.name.core in COMMON_BUSINESS_NAMES
        related = previous is not None and rng.random() < (0.6 if generic else 0.05)
        account = (
            _related(rng, previous, entity) if related and previous else _new_account(rng, entity)
        )
        entity += 1
        previous = account
        for copy in range(copies_count(rng, duplicate_share)):
            rows.append(_record(rng, account, 0.4 if copy == 0 else 1.0))
    rows = rows[:records]
    rng.shuffle(rows)
    for i, row in enumerate(rows, 1):
        yield {"id": f"a{i:05d}", **row}
