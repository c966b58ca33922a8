"""Use case: find matches for a record without storing anything ("search before create").

The same candidate lookup and decision an ingest makes, read-only: a CRM can
ask which golden record a new account would join before a user saves it, and
the benchmark times exactly the matching part of an ingest with it.
"""

from __future__ import annotations

from typing import Any

from canonical.errors import InvalidInput, UnknownSource
from canonical.privacy import is_personal_record, mask_attributes, scrub
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain import candidates
from mdm.domain.schemas import current_schema

__all__ = ["find_matches"]


def find_matches(
    uow: UnitOfWork,
    matcher: Matcher,
    *,
    entity_type: str,
    record: Any,
    pii: bool = False,
    source: str | None = None,
) -> dict[str, Any]:
    """The decision an ingest of ``record`` would make now, with every candidate scored;
    candidates' personal data masked unless ``pii``. With ``source``, the record is read
    as that source's (its default region places national phone numbers)."""
    schema = current_schema(uow, entity_type)
    region = None
    if source is not None:
        if not uow.sources.exists(source):
            raise UnknownSource(f"unknown source '{source}'")
        region = uow.sources.default_region(source)
    if not isinstance(record, dict):
        raise InvalidInput("a record must be a JSON object")
    errors = schema.errors(record)
    if errors:
        raise InvalidInput(f"the record breaks canonical {schema.id}", errors)
    keys = matcher.keys(entity_type, record, default_region=region)
    key_index = candidates.lookup(uow, entity_type, keys)
    pool = candidates.read_pool(uow, candidates.shortlist([keys], key_index))
    found = candidates.build(None, pool, keys, key_index)
    decision = matcher.decide(entity_type, record, found, default_region=region)
    scored = {
        c["golden_id"]: c.get("match_probability")
        for c in decision.explanation.get("candidates", ())
        if isinstance(c, dict)
    }
    personal = any(is_personal_record(entity_type, c.attributes) for c in found)
    explanation = dict(decision.explanation)
    return {
        "entity_type": entity_type,
        "decision": {
            "action": decision.action,
            "golden_id": decision.golden_id,
            "score": decision.score,
            "settings_version": decision.settings_version,
            "explanation": explanation if pii or not personal else scrub(explanation),
            "other_candidates": list(decision.other_candidates),
        },
        "keys": keys,
        "candidates": [
            {
                "golden_id": c.golden_id,
                "shared_keys": candidates.shared_keys(keys, key_index, c.golden_id),
                "match_probability": scored.get(c.golden_id),
                "attributes": mask_attributes(entity_type, c.attributes, pii)[0],
            }
            for c in found
        ],
    }
