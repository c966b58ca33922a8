"""Migrations go down and up again on both backends, so a release can be rolled back."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from mdm.db.migrate import alembic_config, upgrade


def _downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_the_latest_migrations_roll_back_and_forward(engine: Engine) -> None:
    _downgrade(engine, "0004")
    assert not inspect(engine).has_table("match_settings")

    upgrade(engine)

    assert inspect(engine).has_table("match_settings")
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("golden_record")}
    assert "ix_golden_record_merged_into" in indexes  # (SQLite hides expression indexes)
