"""Reference vocabularies the standardizers use, kept as plain data.

Keys are folded (lower-case ASCII, dots removed) because the standardizers
fold first and look up second.
"""

from __future__ import annotations

__all__ = [
    "FREE_MAIL_DOMAINS",
    "GENERATIONAL_SUFFIXES",
    "LEGAL_FORMS",
    "MULTI_LABEL_SUFFIXES",
    "NAME_ABBREVIATIONS",
    "PERSON_TITLES",
    "PRODUCT_ABBREVIATIONS",
    "PRODUCT_SIZE_WORDS",
    "STOP_WORDS",
    "STREET_TYPES",
]

_LEGAL_FORM_VARIANTS: dict[str, tuple[str, ...]] = {
    # family code: every folded way of writing a form of that family
    "INC": ("inc", "incorporated", "incorporation", "incorp"),
    "CORP": ("corp", "corporation", "corpn", "corporacion", "corporativo"),
    "CO": ("co", "company", "cie", "compagnie", "compania", "cia"),
    "LLC": ("llc", "l l c", "limited liability company", "limited liability co", "lc"),
    "PLLC": ("pllc", "professional limited liability company"),
    "LLP": ("llp", "l l p", "limited liability partnership"),
    "LP": ("lp", "l p", "limited partnership"),
    "LTD": ("ltd", "limited", "co ltd", "company limited", "co limited"),
    "PLC": ("plc", "p l c", "public limited company"),
    "PTY LTD": ("pty ltd", "pty limited", "proprietary limited", "pty"),
    "PTE LTD": ("pte ltd", "pte limited", "pte"),
    "PVT LTD": ("pvt ltd", "private ltd", "private limited", "pvt"),
    "SDN BHD": ("sdn bhd", "sendirian berhad"),
    "BHD": ("bhd", "berhad"),
    "GMBH": (
        "gmbh",
        "gesellschaft mit beschrankter haftung",
        "gesellschaft mit beschraenkter haftung",
        "gesellschaft mbh",
        "ges mbh",
        "gesmbh",
        "mbh",
    ),
    "GMBH CO KG": ("gmbh co kg", "gmbh and co kg", "gmbh cokg"),
    "KG": ("kg", "kommanditgesellschaft"),
    "KGAA": ("kgaa", "kommanditgesellschaft auf aktien", "ag co kgaa"),
    "OHG": ("ohg", "offene handelsgesellschaft"),
    "AG": ("ag", "aktiengesellschaft"),
    "UG": ("ug", "ug haftungsbeschrankt", "ug haftungsbeschraenkt"),
    "EK": ("ek", "e k", "eingetragener kaufmann", "eingetragene kauffrau"),
    "EG": ("eg", "e g", "eingetragene genossenschaft"),
    "EV": ("ev", "e v", "eingetragener verein"),
    "SE": ("se", "societas europaea"),
    "SA": ("sa", "s a", "sociedad anonima", "societe anonyme", "sa de cv", "s a de c v"),
    "SAS": ("sas", "s a s", "societe par actions simplifiee", "sasu"),
    "SARL": ("sarl", "s a r l", "sa rl", "societe a responsabilite limitee", "eurl"),
    "SNC": ("snc", "societe en nom collectif"),
    "SRL": ("srl", "s r l", "societa a responsabilita limitata", "srls"),
    "SPA": ("spa", "s p a", "societa per azioni"),
    "SL": ("sl", "s l", "sociedad limitada", "slu", "s l u"),
    "LTDA": ("ltda", "limitada", "sociedade limitada"),
    "BV": ("bv", "b v", "besloten vennootschap", "bvba"),
    "NV": ("nv", "n v", "naamloze vennootschap", "sa nv"),
    "VOF": ("vof", "vennootschap onder firma"),
    "AB": ("ab", "aktiebolag", "aktiebolaget", "ab publ"),
    "AS": ("as", "a s", "asa", "aksjeselskap", "aktieselskab"),
    "APS": ("aps", "anpartsselskab"),
    "OY": ("oy", "oyj", "osakeyhtio"),
    "KK": ("kk", "k k", "kabushiki kaisha", "kabushikigaisha"),
    "GK": ("gk", "godo kaisha"),
    "OOO": ("ooo",),
    "AO": ("ao", "zao", "oao", "pao"),
    "SP Z OO": ("sp z oo", "spolka z ograniczona odpowiedzialnoscia"),
    "SRO": ("sro", "s r o", "spol s r o"),
    "KFT": ("kft",),
    "ZRT": ("zrt", "nyrt"),
    "DOO": ("doo", "d o o"),
    "GROUP": ("holding", "holdings"),
}
"""Legal-form families: ``Corp`` = ``Corporation`` = ``Corp.``; the code names the family.

``Co`` and ``Group`` are kept as codes but are not a legal form on their own when a
real one follows (``Acme Co. Ltd.`` is an ``LTD``)."""

LEGAL_FORMS: dict[tuple[str, ...], str] = {
    tuple(variant.split()): code
    for code, variants in _LEGAL_FORM_VARIANTS.items()
    for variant in variants
}
"""Folded token sequence of a legal form -> its family code."""

NAME_ABBREVIATIONS: dict[str, str] = {
    "intl": "international",
    "int": "international",
    "mfg": "manufacturing",
    "tech": "technologies",
    "technology": "technologies",
    "svcs": "services",
    "svc": "services",
    "srvcs": "services",
    "grp": "group",
    "bros": "brothers",
    "natl": "national",
    "assoc": "associates",
    "assn": "association",
    "sys": "systems",
    "sol": "solutions",
    "solns": "solutions",
    "dist": "distribution",
    "mgmt": "management",
    "ent": "enterprises",
    "ind": "industries",
    "inds": "industries",
    "labs": "laboratories",
    "lab": "laboratories",
    "univ": "university",
    "dept": "department",
    "ctr": "center",
    "centre": "center",
    "hldgs": "holdings",
}
"""Folded abbreviation -> folded full word, applied to organization and product names."""

PRODUCT_ABBREVIATIONS: dict[str, str] = {
    "blk": "black",
    "bk": "black",
    "wht": "white",
    "wh": "white",
    "gry": "grey",
    "gray": "grey",
    "slv": "silver",
    "rd": "red",
    "blu": "blue",
    "grn": "green",
    "asst": "assorted",
    "assrtd": "assorted",
    "stnls": "stainless",
    "ss": "stainless steel",
    "stl": "steel",
    "alum": "aluminium",
    "aluminum": "aluminium",
    "org": "organic",
    "nat": "natural",
    "choc": "chocolate",
    "strwb": "strawberry",
    "orig": "original",
    "reg": "regular",
    "lt": "light",
    "lite": "light",
    "w": "with",
    "wo": "without",
    "pkg": "package",
    "acc": "accessory",
    "accs": "accessories",
    "subscr": "subscription",
    "lic": "license",
    "licence": "license",
    "yr": "year",
    "yrs": "years",
    "mo": "month",
    "mth": "month",
    "ann": "annual",
    "std": "standard",
    "ed": "edition",
    "edn": "edition",
    "ver": "version",
    "usr": "user",
}
"""Folded product-name abbreviation -> folded word (applied after the organization ones)."""

PRODUCT_SIZE_WORDS: frozenset[str] = frozenset(
    {"xxs", "xs", "xl", "xxl", "xxxl", "2xl", "3xl", "4xl", "5xl", "xxxxl"}
)
"""Garment-size tokens: variant noise in a product name, kept as its size instead."""

STOP_WORDS: frozenset[str] = frozenset({"the", "and", "of", "de", "la", "le", "der", "die", "das"})

PERSON_TITLES: frozenset[str] = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "herr", "frau", "mme", "mlle"}
)

GENERATIONAL_SUFFIXES: dict[str, str] = {
    # a folded name token -> the generation it names; kept apart from the name, since a
    # father and his junior son share everything else
    "jr": "jr",
    "junior": "jr",
    "sr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
}

STREET_TYPES: dict[str, str] = {
    "street": "st",
    "str": "st",
    "strasse": "st",
    "strass": "st",
    "avenue": "ave",
    "av": "ave",
    "avenida": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "bd": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "square": "sq",
    "highway": "hwy",
    "parkway": "pkwy",
    "terrace": "ter",
    "circle": "cir",
    "suite": "ste",
    "floor": "fl",
    "building": "bldg",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "apartment": "apt",
    "weg": "wg",
    "platz": "pl",
    "rue": "r",
    "via": "v",
    "calle": "c",
}

MULTI_LABEL_SUFFIXES: frozenset[str] = frozenset(
    f"{second}.{tld}"
    for tld, seconds in {
        "uk": ("co", "org", "ac", "gov", "ltd", "plc", "me", "net"),
        "au": ("com", "net", "org", "edu", "gov", "asn", "id"),
        "nz": ("co", "org", "net", "govt", "ac"),
        "jp": ("co", "or", "ne", "ac", "go"),
        "br": ("com", "net", "org", "gov"),
        "za": ("co", "org", "gov", "ac"),
        "in": ("co", "net", "org", "firm", "gen", "ind"),
        "cn": ("com", "net", "org", "gov"),
        "mx": ("com", "org", "gob"),
        "ar": ("com", "org", "gob"),
        "tr": ("com", "org", "gov"),
        "kr": ("co", "or", "go"),
        "sg": ("com", "org", "gov"),
        "hk": ("com", "org", "gov"),
        "il": ("co", "org", "gov"),
        "tw": ("com", "org", "gov"),
        "my": ("com", "org", "gov"),
        "id": ("co", "or", "go"),
        "th": ("co", "or", "go"),
        "ph": ("com", "org", "gov"),
        "pl": ("com", "org", "net"),
        "es": ("com", "org", "nom"),
        "cy": ("com", "org"),
    }.items()
    for second in seconds
)
"""Public suffixes of two labels, so ``acme.co.uk`` keeps its three labels."""

FREE_MAIL_DOMAINS: frozenset[str] = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "hotmail.de",
        "outlook.com",
        "outlook.de",
        "live.com",
        "live.co.uk",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "web.de",
        "t-online.de",
        "freenet.de",
        "orange.fr",
        "wanadoo.fr",
        "free.fr",
        "laposte.net",
        "sfr.fr",
        "libero.it",
        "virgilio.it",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "zoho.com",
        "yandex.ru",
        "yandex.com",
        "mail.ru",
        "bk.ru",
        "inbox.ru",
        "list.ru",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "naver.com",
        "hanmail.net",
        "rediffmail.com",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
        "interia.pl",
        "btinternet.com",
        "sky.com",
        "comcast.net",
        "verizon.net",
        "att.net",
        "bigpond.com",
        "shaw.ca",
        "rogers.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "mail.com",
        "email.com",
        "usa.net",
        "bluewin.ch",
    }
)
"""Consumer mailbox providers: shared by unrelated people, never an organization identifier."""
