"""stewardship

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import mdm.db.types

from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_target", "audit_log", ["target_id"], unique=False)
    op.create_table(
        "match_label",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "left_record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "right_record",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_match", sa.Boolean(), nullable=False),
        sa.Column("task_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "merge_event",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("survivor_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("merged_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column(
            "moved_records",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "moved_keys",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("task_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("merged_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_merge_event_pair", "merge_event", ["survivor_id", "merged_id"], unique=False
    )
    op.create_table(
        "not_a_match",
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("left_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("right_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity_type", "left_id", "right_id"),
    )
    op.add_column(
        "steward_task",
        sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "steward_task",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.add_column(
        "steward_task",
        sa.Column("assignee", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    )
    op.add_column(
        "steward_task",
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    )
    op.add_column(
        "steward_task",
        sa.Column("decided_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "steward_task",
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    )

    op.create_index("ix_steward_task_queue", "steward_task", ["status", "priority", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_steward_task_queue", table_name="steward_task")

    op.drop_column("steward_task", "reason")
    op.drop_column("steward_task", "decided_at")
    op.drop_column("steward_task", "decided_by")
    op.drop_column("steward_task", "assignee")
    op.drop_column("steward_task", "source")
    op.drop_column("steward_task", "priority")
    op.drop_table("not_a_match")
    op.drop_index("ix_merge_event_pair", table_name="merge_event")
    op.drop_table("merge_event")
    op.drop_table("match_label")
    op.drop_index("ix_audit_target", table_name="audit_log")
    op.drop_table("audit_log")
