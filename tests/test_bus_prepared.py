"""A Prepared handler reads first, read-only, then writes: its long read (training on every
record) holds no write lock, so other writers carry on meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from mdm.bus import MessageBus, Prepared
from mdm.db.types import utcnow
from mdm.db.uow import UnitOfWork, run_in_transaction


@dataclass(frozen=True)
class Count:
    name: str


def test_another_writer_commits_while_a_prepared_handler_reads(engine: Engine) -> None:
    def prepare(cmd: Count, uow: UnitOfWork) -> int:
        before = len(uow.sources.all())
        # a writer elsewhere (another request, another process) during the long read
        row = {"name": cmd.name, "description": "", "created_at": utcnow()}
        run_in_transaction(engine, lambda other: other.sources.add(row))
        return before

    def handle(cmd: Count, uow: UnitOfWork, before: int) -> dict[str, Any]:
        names = [s["name"] for s in uow.sources.all()]
        return {"before": before, "after": len(names), "added": cmd.name in names}

    bus = MessageBus(engine, {Count: Prepared(prepare, handle)})

    out = bus.handle(Count("late"))

    assert out["added"] is True
    assert out["after"] == out["before"] + 1


def test_called_as_a_plain_handler_both_steps_run_in_the_one_transaction(engine: Engine) -> None:
    steps: list[str] = []
    handler = Prepared(
        lambda cmd, uow: steps.append("prepare") or 41,
        lambda cmd, uow, prepared: steps.append("handle") or prepared + 1,
    )

    assert run_in_transaction(engine, lambda uow: handler(Count("x"), uow)) == 42
    assert steps == ["prepare", "handle"]
