"""transactional events: their history (and dedup tracking), object states, webhook secrets

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

``transactional_event`` keeps every event a source reported; its unique
``(source, event_id)`` is the tracking row written with the event's effect.
``transactional_object`` holds each object's newest applied state (amounts in integer
millionths). Both carry the customer's anchor (xref record or crosswalk golden record)
and the golden id it stands for now; NULL while parked, found through partial indexes.
``source_webhook`` keeps each source's webhook scheme and its sealed secret.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import mdm.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_PARKED = {
    "sqlite_where": sa.text("golden_id IS NULL"),
    "postgresql_where": sa.text("golden_id IS NULL"),
}


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, mdm.db.types.UtcDateTime(timezone=True), nullable=nullable)


def _link_columns() -> list[sa.Column]:
    return [
        _text("customer_source", 64),
        _text("customer_id", 200),
        _text("golden_id", 32, nullable=True),
        _text("record_id", 32, nullable=True),
        _text("anchor_golden_id", 32, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "transactional_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        _text("source", 64),
        _text("event_id", 200),
        _text("event_type", 64),
        _text("object_type", 32),
        _text("object_id", 200),
        *_link_columns(),
        _text("outcome", 16),
        _time("occurred_at"),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("payload", _JSON, nullable=False),
        _text("origin", 16),
        _text("correlation_id", 100, nullable=True),
        _time("received_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "event_id", name="uq_transactional_event_key"),
    )
    op.create_index(
        "ix_transactional_event_golden", "transactional_event", ["golden_id", "occurred_at"]
    )
    op.create_index("ix_transactional_event_record", "transactional_event", ["record_id"])
    op.create_index(
        "ix_transactional_event_parked",
        "transactional_event",
        ["customer_source", "customer_id"],
        **_PARKED,
    )
    op.create_table(
        "transactional_object",
        _text("source", 64),
        _text("object_type", 32),
        _text("object_id", 200),
        *_link_columns(),
        _text("status", 32),
        _text("currency", 3, nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("amount_paid", sa.BigInteger(), nullable=True),
        sa.Column("amount_due", sa.BigInteger(), nullable=True),
        sa.Column("amount_refunded", sa.BigInteger(), nullable=True),
        _text("reference", 200, nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        _time("renews_at", nullable=True),
        _time("occurred_at"),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=True),
        _text("event_id", 200),
        _text("event_type", 64),
        sa.Column("data", _JSON, nullable=False),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("source", "object_type", "object_id"),
    )
    op.create_index(
        "ix_transactional_object_golden", "transactional_object", ["golden_id", "object_type"]
    )
    op.create_index("ix_transactional_object_record", "transactional_object", ["record_id"])
    op.create_index(
        "ix_transactional_object_parked",
        "transactional_object",
        ["customer_source", "customer_id"],
        **_PARKED,
    )
    op.create_table(
        "source_webhook",
        _text("source", 64),
        _text("scheme", 32),
        _text("secret", 1000),
        _text("previous_secret", 1000, nullable=True),
        _time("previous_until", nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("source_webhook")
    for table in ("transactional_object", "transactional_event"):
        for suffix in ("parked", "record", "golden"):
            op.drop_index(f"ix_{table}_{suffix}", table_name=table)
        op.drop_table(table)
