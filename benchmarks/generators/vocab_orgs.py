"""Countries of the organisation generators: legal forms, cities, sectors and streets per
country (written for them; unlike synth_accounts.py). Name parts: ``vocab_org_names``."""

from __future__ import annotations

__all__ = ["COUNTRIES"]

# legal-form family -> the ways people write it
_US = {
    "Inc": ["Inc", "Inc.", "Incorporated", "INC.", ", Inc."],
    "Corp": ["Corp", "Corp.", "Corporation", "CORP", ", Corp."],
    "LLC": ["LLC", "L.L.C.", "Limited Liability Company", "llc", ", LLC"],
    "Co": ["Co.", "Company", "& Co.", "Co"],
}
_GB = {
    "Ltd": ["Ltd", "Ltd.", "Limited", "LTD"],
    "PLC": ["PLC", "plc", "Public Limited Company", "P.L.C."],
    "LLP": ["LLP", "L.L.P."],
}
_DE = {
    "GmbH": [
        "GmbH",
        "Gesellschaft mit beschraenkter Haftung",
        "Gesellschaft mit beschränkter Haftung",
        "GMBH",
        "G.m.b.H.",
        "Gmbh",
    ],
    "AG": ["AG", "Aktiengesellschaft", "A.G."],
    "GmbH & Co. KG": ["GmbH & Co. KG", "GmbH & Co KG", "GmbH u. Co. KG", "GmbH + Co. KG"],
    "e.K.": ["e.K.", "e. K.", "eingetragener Kaufmann"],
}
_FR = {
    "SARL": ["SARL", "S.A.R.L.", "Société à responsabilité limitée", "Sarl"],
    "SAS": ["SAS", "S.A.S.", "Société par actions simplifiée", "sas"],
    "SA": ["SA", "S.A.", "Société Anonyme", "Societe Anonyme"],
}
_NL = {
    "BV": ["B.V.", "BV", "Besloten Vennootschap", "b.v."],
    "NV": ["N.V.", "NV", "Naamloze Vennootschap"],
}
_ES = {
    "SL": ["S.L.", "SL", "Sociedad Limitada", "S.L"],
    "SA": ["S.A.", "SA", "Sociedad Anónima", "Sociedad Anonima"],
}
_IT = {
    "Srl": ["S.r.l.", "Srl", "SRL", "Società a responsabilità limitata"],
    "SpA": ["S.p.A.", "SpA", "SPA", "Società per azioni"],
}

# code -> (weight, legal forms, country spellings, cities with (postcode prefix, region),
#          phone (country code, area codes, subscriber length), tld, sector words, streets)
COUNTRIES: dict[str, dict] = {
    "US": {
        "weight": 34,
        "forms": _US,
        "spellings": ["US", "USA", "United States", "United States of America", "U.S.A."],
        "cities": {
            "San Francisco": ("941", "CA", "California"),
            "Chicago": ("606", "IL", "Illinois"),
            "Boston": ("021", "MA", "Massachusetts"),
            "Austin": ("787", "TX", "Texas"),
            "Houston": ("770", "TX", "Texas"),
            "Denver": ("802", "CO", "Colorado"),
            "Atlanta": ("303", "GA", "Georgia"),
            "Columbus": ("432", "OH", "Ohio"),
            "Portland": ("972", "OR", "Oregon"),
            "Raleigh": ("276", "NC", "North Carolina"),
            "Phoenix": ("850", "AZ", "Arizona"),
            "Minneapolis": ("554", "MN", "Minnesota"),
        },
        "area": {
            "San Francisco": "415",
            "Chicago": "312",
            "Boston": "617",
            "Austin": "512",
            "Houston": "713",
            "Denver": "303",
            "Atlanta": "404",
            "Columbus": "614",
            "Portland": "503",
            "Raleigh": "919",
            "Phoenix": "602",
            "Minneapolis": "612",
        },
        "tld": ".com",
        "sectors": [
            "Plumbing",
            "Dental Group",
            "Roofing",
            "Freight",
            "Robotics",
            "Optics",
            "Brewing",
            "Insurance Brokers",
            "Architects",
            "Printing",
            "Hydraulics",
            "Biotech",
        ],
        "streets": [
            "Market",
            "Mission",
            "Lakeshore",
            "Commerce",
            "Industrial",
            "Elmwood",
            "Peachtree",
            "Congress",
            "Colfax",
            "Hennepin",
            "Glenwood",
            "Camelback",
        ],
    },
    "GB": {
        "weight": 14,
        "forms": _GB,
        "spellings": ["GB", "UK", "United Kingdom", "Great Britain", "England"],
        "cities": {
            "London": ("EC", None, None),
            "Manchester": ("M", None, None),
            "Birmingham": ("B", None, None),
            "Leeds": ("LS", None, None),
            "Bristol": ("BS", None, None),
        },
        "area": {"London": "20", "Manchester": "161", "Birmingham": "121", "Leeds": "113"}
        | {"Bristol": "117"},
        "tld": ".co.uk",
        "sectors": [
            "Joinery",
            "Surveyors",
            "Lettings",
            "Engineering",
            "Catering",
            "Haulage",
            "Solicitors",
            "Opticians",
            "Interiors",
        ],
        "streets": ["High", "Station", "Mill", "Victoria", "Church", "Deansgate", "Park"],
    },
    "DE": {
        "weight": 16,
        "forms": _DE,
        "spellings": ["DE", "Germany", "Deutschland", "DEU", "GERMANY"],
        "cities": {
            "Berlin": ("10", "BE", "Berlin"),
            "Hamburg": ("20", "HH", "Hamburg"),
            "München": ("80", "BY", "Bayern"),
            "Köln": ("50", "NW", "Nordrhein-Westfalen"),
            "Stuttgart": ("70", "BW", "Baden-Württemberg"),
            "Leipzig": ("04", "SN", "Sachsen"),
        },
        "area": {"Berlin": "30", "Hamburg": "40", "München": "89", "Köln": "221"}
        | {"Stuttgart": "711", "Leipzig": "341"},
        "tld": ".de",
        "sectors": [
            "Maschinenbau",
            "Elektrotechnik",
            "Logistik",
            "Druckerei",
            "Metallbau",
            "Haustechnik",
            "Bauunternehmung",
            "Software",
        ],
        "streets": ["Haupt", "Bahnhof", "Industrie", "Garten", "Schiller", "Goethe", "Linden"],
    },
    "FR": {
        "weight": 12,
        "forms": _FR,
        "spellings": ["FR", "France", "FRA", "FRANCE", "République française"],
        "cities": {
            "Paris": ("75", None, None),
            "Lyon": ("69", None, None),
            "Toulouse": ("31", None, None),
            "Nantes": ("44", None, None),
            "Lille": ("59", None, None),
        },
        "area": {"Paris": "1", "Lyon": "4", "Toulouse": "5", "Nantes": "2", "Lille": "3"},
        "tld": ".fr",
        "sectors": [
            "Menuiserie",
            "Transports",
            "Boulangerie",
            "Ingénierie",
            "Conseil",
            "Imprimerie",
            "Électricité",
        ],
        "streets": ["de la Paix", "Victor Hugo", "de la République", "Pasteur", "du Moulin"],
    },
    "NL": {
        "weight": 8,
        "forms": _NL,
        "spellings": ["NL", "Netherlands", "Nederland", "Holland", "The Netherlands"],
        "cities": {
            "Amsterdam": ("10", None, None),
            "Rotterdam": ("30", None, None),
            "Utrecht": ("35", None, None),
            "Eindhoven": ("56", None, None),
        },
        "area": {"Amsterdam": "20", "Rotterdam": "10", "Utrecht": "30", "Eindhoven": "40"},
        "tld": ".nl",
        "sectors": ["Bouw", "Techniek", "Installatie", "Transport", "Advies"],
        "streets": ["Keizersgracht", "Stationsweg", "Kerkstraat", "Dorpsstraat", "Industrieweg"],
    },
    "ES": {
        "weight": 8,
        "forms": _ES,
        "spellings": ["ES", "Spain", "España", "Espana", "ESP"],
        "cities": {
            "Madrid": ("28", None, None),
            "Barcelona": ("08", None, None),
            "Valencia": ("46", None, None),
            "Sevilla": ("41", None, None),
        },
        "area": {"Madrid": "91", "Barcelona": "93", "Valencia": "96", "Sevilla": "95"},
        "tld": ".es",
        "sectors": ["Construcciones", "Transportes", "Distribuciones", "Asesores"],
        "streets": ["Mayor", "Gran Vía", "del Sol", "de Alcalá", "Colón"],
    },
    "IT": {
        "weight": 8,
        "forms": _IT,
        "spellings": ["IT", "Italy", "Italia", "ITA"],
        "cities": {
            "Milano": ("201", None, None),
            "Roma": ("001", None, None),
            "Torino": ("101", None, None),
            "Bologna": ("401", None, None),
        },
        "area": {"Milano": "02", "Roma": "06", "Torino": "011", "Bologna": "051"},
        "tld": ".it",
        "sectors": ["Costruzioni", "Meccanica", "Arredamenti", "Trasporti", "Impianti"],
        "streets": ["Roma", "Garibaldi", "Mazzini", "Dante", "Verdi", "Cavour"],
    },
}
