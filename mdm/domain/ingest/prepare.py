"""Ingest step *prepare*: lock the batch's records and keys, then read what exists: the
stored records of known source ids, the crosswalk, and the candidates of new records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matching.port import Candidate
from mdm.db.repositories.records import SourceRecord
from mdm.db.uow import UnitOfWork
from mdm.domain import candidates
from mdm.domain.golden_book import GoldenBook
from mdm.domain.golden_survival import ref_key_of
from mdm.domain.ingest.run import Intake, ValidItem
from mdm.domain.record_key import RecordKey

__all__ = ["Prepared", "prepare"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """What exists for the batch's valid items, read under its locks."""

    valid: list[ValidItem]
    keys_of: Mapping[int, list[str]]  # item index -> its blocking keys
    existing: Mapping[str, SourceRecord]  # source id -> the stored record
    # source id -> golden id, for records a target created and now sends back as a source
    crosswalk: Mapping[str, str]
    fresh: list[ValidItem]  # new records that are matched (neither stored nor crosswalked)
    key_index: Mapping[str, set[str]]  # the fresh records' keys -> golden ids holding them
    pool: Mapping[str, Candidate]  # the candidates, read light


def prepare(uow: UnitOfWork, book: GoldenBook, intake: Intake, valid: list[ValidItem]) -> Prepared:
    """Lock, then load the existing records (into ``book``, with the xrefs their
    references need), the crosswalk, and the candidates of new records."""
    entity_type = intake.entity_type
    keys_of = {
        item.index: intake.matcher.keys(
            entity_type, item.record, default_region=intake.default_region
        )
        for item in valid
    }
    uow.locks.lock_keys(
        [RecordKey(intake.source, entity_type, item.source_id).text for item in valid]
        + [f"{entity_type}|{k}" for ks in keys_of.values() for k in ks]
    )
    existing = uow.records.by_source_ids(
        intake.source, entity_type, [item.source_id for item in valid]
    )
    crosswalk = uow.crosswalk.golden_for(
        intake.source,
        entity_type,
        [item.source_id for item in valid if item.source_id not in existing],
    )
    fresh = [i for i in valid if i.source_id not in existing and i.source_id not in crosswalk]
    key_index = candidates.lookup(uow, entity_type, {k for i in fresh for k in keys_of[i.index]})
    book.load({r["golden_id"] for r in existing.values()})
    # candidates are read light (attributes and member payloads); the one a record
    # links to is loaded in full, and locked, only then
    shortlist = candidates.shortlist((keys_of[i.index] for i in fresh), key_index)
    pool = candidates.read_pool(uow, shortlist)
    book.resolve_refs(ref_key_of(entity_type, intake.source, item.record) for item in valid)
    return Prepared(valid, keys_of, dict(existing), crosswalk, fresh, key_index, pool)
