"""outbound sync: targets, deliveries and their attempts, the crosswalk, relay positions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

One ``delivery`` row per (target, golden record) carries the newest version the
target should have and the one it acknowledged; workers claim due rows with
``FOR UPDATE SKIP LOCKED``. ``crosswalk`` keeps the ids targets gave golden records.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import mdm.db.types

from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crosswalk",
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("target_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target", "golden_id"),
        sa.UniqueConstraint("source", "entity_type", "target_id", name="uq_crosswalk_source_id"),
    )
    op.create_index("ix_crosswalk_golden", "crosswalk", ["golden_id"], unique=False)
    op.create_table(
        "delivery",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("parent_golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("wanted_version", sa.Integer(), nullable=False),
        sa.Column("delivered_version", sa.Integer(), nullable=True),
        sa.Column("delivered_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column(
            "last_error",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("changed_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("target", "golden_id", name="uq_delivery_target_golden"),
    )
    op.create_index("ix_delivery_due", "delivery", ["target", "state", "next_attempt_at"], unique=False)
    op.create_index("ix_delivery_golden", "delivery", ["golden_id"], unique=False)
    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("delivery_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("golden_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "error",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_delivery_attempt_delivery", "delivery_attempt", ["delivery_id"], unique=False
    )
    op.create_table(
        "relay_position",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "sync_target",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("base_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("credentials", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column(
            "entity_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("rate_limit_per_s", sa.Float(), nullable=True),
        sa.Column(
            "mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused_until", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("pause_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("tokens_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("sync_target")
    op.drop_table("relay_position")
    op.drop_index("ix_delivery_attempt_delivery", table_name="delivery_attempt")
    op.drop_table("delivery_attempt")
    op.drop_index("ix_delivery_golden", table_name="delivery")
    op.drop_index("ix_delivery_due", table_name="delivery")
    op.drop_table("delivery")
    op.drop_index("ix_crosswalk_golden", table_name="crosswalk")
    op.drop_table("crosswalk")
