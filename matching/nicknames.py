"""Given-name variants folded to one form, so ``bob`` and ``robert`` can agree.

A small table of common English diminutives (the kind Splink's name
comparisons handle with a lookup): each key is a variant, each value the form
the whole group folds to. Names not in the table fold to themselves. It is
kept short on purpose: only variants a clerk would recognise as the same
person, because a nickname level that fires on strangers costs precision.
"""

from __future__ import annotations

__all__ = ["NICKNAMES", "canonical_given_name"]

_GROUPS = {
    "alexander": "alex alec sandy xander",
    "alexandra": "alexa sandra lexi",
    "andrew": "andy drew",
    "anthony": "tony",
    "barbara": "barb babs",
    "benjamin": "ben benny benji",
    "catherine": "cathy kate katie kathryn katherine kathy cat",
    "charles": "charlie chuck chas",
    "christopher": "chris kit topher",
    "christine": "chris christina chrissy tina",
    "daniel": "dan danny",
    "david": "dave davy",
    "deborah": "debbie deb debra",
    "donald": "don donny",
    "dorothy": "dot dottie",
    "edward": "ed eddie ted ned",
    "elizabeth": "liz lizzie beth betty eliza libby elisabeth",
    "frederick": "fred freddie",
    "gregory": "greg",
    "harold": "harry hal",
    "henry": "hank",
    "jacob": "jake",
    "james": "jim jimmy jamie",
    "jennifer": "jen jenny",
    "jessica": "jess jessie",
    "john": "jack johnny jon",
    "jonathan": "jonny",
    "joseph": "joe joey",
    "joshua": "josh",
    "kenneth": "ken kenny",
    "lawrence": "larry laurence",
    "margaret": "maggie meg peggy marge margie",
    "matthew": "matt",
    "michael": "mike mick mickey",
    "nicholas": "nick nicky",
    "patricia": "pat patty trish tricia",
    "patrick": "paddy",
    "peter": "pete",
    "philip": "phil phillip",
    "rebecca": "becky becca",
    "richard": "rick ricky dick rich",
    "robert": "bob bobby rob robbie bert",
    "ronald": "ron ronnie",
    "samuel": "sam sammy",
    "stephen": "steve steven stevie",
    "susan": "sue susie suzanne",
    "theodore": "theo",
    "thomas": "tom tommy",
    "timothy": "tim timmy",
    "victoria": "vicky tori",
    "william": "bill billy will willy liam",
    "zachary": "zach zack",
}

NICKNAMES: dict[str, str] = {
    variant: name for name, variants in _GROUPS.items() for variant in (name, *variants.split())
}


def canonical_given_name(name: str) -> str:
    """The form ``name`` (folded, lower-case) shares with its variants."""
    return NICKNAMES.get(name, name)
