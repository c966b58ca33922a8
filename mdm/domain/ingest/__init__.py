"""Use case core: take source records in (one, a batch, or a bulk file's chunk).

In one unit of work, step by step, each a module that returns a new value
(:mod:`.run` describes them):

1. *validate* (:mod:`.validate`) every item against the newest registered canonical
   schema (:func:`mdm.domain.schemas.current_schema`, live in every process); invalid
   ones are reported with every error and kept in quarantine;
2. *prepare* (:mod:`.prepare`): lock the records' and identities' keys, load what exists;
3. *decide* (:mod:`.decide`) every new record in one batch pass;
4. *apply* (:mod:`.apply`), per item in order: *store version* (:mod:`.store`:
   unchanged, stale or a new version) or, for a new record, its decision (the batch
   pass's while it holds) applied: link, review or new golden record, each followed by
   *survivorship*; *resolve references* (:mod:`.references`) refuses parents that
   would close a loop and, at the end, lets waiting children and prices resolve and
   opens parent-disagreement tasks;
5. *emit* (:mod:`.emit`): source versions, golden versions, decisions, tasks and
   outbox events, written together.
"""

from __future__ import annotations

from canonical.commands import IngestRecords
from canonical.errors import UnknownSource
from matching.port import Matcher
from mdm.db.uow import UnitOfWork
from mdm.domain.golden_book import GoldenBook
from mdm.domain.ingest.applied import Applied
from mdm.domain.ingest.apply import apply_all
from mdm.domain.ingest.decide import decide_batch
from mdm.domain.ingest.emit import emit
from mdm.domain.ingest.prepare import prepare
from mdm.domain.ingest.run import Intake, ItemResult
from mdm.domain.ingest.validate import validate
from mdm.domain.schemas import current_schema

__all__ = ["ItemResult", "ingest"]


def ingest(uow: UnitOfWork, matcher: Matcher, cmd: IngestRecords) -> list[ItemResult]:
    """Ingest ``cmd.items`` of one source and entity type; one result per item, in order."""
    schema = current_schema(uow, cmd.entity_type)
    if not uow.sources.exists(cmd.source):
        raise UnknownSource(f"unknown source '{cmd.source}'; register it first")
    intake = Intake(
        matcher=matcher,
        source=cmd.source,
        entity_type=cmd.entity_type,
        schema=schema,
        correlation_id=cmd.correlation_id,
        quarantine_invalid=cmd.quarantine_invalid,
        now=uow.clock.now(),
        default_region=uow.sources.default_region(cmd.source),
        lenient=uow.sources.validation(cmd.source) == "lenient",
    )
    book = GoldenBook(uow, correlation_id=cmd.correlation_id)
    validated = validate(intake, cmd.items)
    applied = Applied.nothing()
    if validated.valid:
        prepared = prepare(uow, book, intake, validated.valid)
        decided = decide_batch(intake, book, prepared)
        applied = apply_all(uow, book, intake, validated, prepared, decided)
    emit(uow, book, intake, validated, applied)
    return validated.results
