"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import mdm.db.types
from sqlalchemy.dialects import postgresql


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "golden_record",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("merged_into", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "lineage",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_golden_record_type", "golden_record", ["entity_type", "status"], unique=False
    )
    op.create_table(
        "golden_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "lineage",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "members",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "changed",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("cause", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("recorded_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("golden_id", "version", name="uq_golden_version"),
    )
    op.create_index(
        "ix_golden_version_time", "golden_version", ["golden_id", "recorded_at"], unique=False
    )
    op.create_table(
        "match_decision",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("settings_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "explanation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("decided_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_match_decision_record", "match_decision", ["record_id"], unique=False)
    op.create_table(
        "match_key",
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("entity_type", "key", "golden_id"),
    )
    op.create_index("ix_match_key_golden", "match_key", ["golden_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "envelope",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["published_at", "id"], unique=False)
    op.create_table(
        "quarantine",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("received_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("resolved_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quarantine_status", "quarantine", ["status", "source"], unique=False)
    op.create_table(
        "source_record",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("payload_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("schema_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ref_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "entity_type", "source_id", name="uq_source_record_key"),
    )
    op.create_index("ix_source_record_golden", "source_record", ["golden_id"], unique=False)
    op.create_index("ix_source_record_ref", "source_record", ["ref_key"], unique=False)
    op.create_table(
        "source_record_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("payload_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("schema_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source_updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("record_id", "version", name="uq_source_record_version"),
    )
    op.create_table(
        "source_system",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "steward_task",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("record_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "candidate_golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("settings_version", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column(
            "explanation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_steward_task_status", "steward_task", ["status", "entity_type"], unique=False
    )

    source_system = sa.table(
        "source_system",
        sa.column("name", sa.String),
        sa.column("description", sa.String),
        sa.column("created_at", mdm.db.types.UtcDateTime()),
    )
    now = mdm.db.types.utcnow()
    op.bulk_insert(
        source_system,
        [
            {"name": "crm", "description": "Customer relationship management", "created_at": now},
            {"name": "cpq", "description": "Configure, price, quote", "created_at": now},
            {"name": "billing", "description": "Subscription billing", "created_at": now},
            {"name": "erp", "description": "Enterprise resource planning", "created_at": now},
            {"name": "support", "description": "Customer support", "created_at": now},
        ],
    )


def downgrade() -> None:

    op.drop_index("ix_steward_task_status", table_name="steward_task")
    op.drop_table("steward_task")
    op.drop_table("source_system")
    op.drop_table("source_record_version")
    op.drop_index("ix_source_record_ref", table_name="source_record")
    op.drop_index("ix_source_record_golden", table_name="source_record")
    op.drop_table("source_record")
    op.drop_index("ix_quarantine_status", table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_match_key_golden", table_name="match_key")
    op.drop_table("match_key")
    op.drop_index("ix_match_decision_record", table_name="match_decision")
    op.drop_table("match_decision")
    op.drop_index("ix_golden_version_time", table_name="golden_version")
    op.drop_table("golden_version")
    op.drop_index("ix_golden_record_type", table_name="golden_record")
    op.drop_table("golden_record")
