"""key lifecycle (expiry after rotation, last use), quarantine lifecycle (one entry per
rejected payload with a count, resolution) and the request log behind traces

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import mdm.db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(
            sa.Column("expires_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("rotated_to", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(
            sa.Column("last_used_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(
            sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("last_received_at", mdm.db.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )
        batch.add_column(
            sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
    op.create_index("ix_quarantine_fingerprint", "quarantine", ["fingerprint"], unique=False)
    op.create_index(
        "ix_quarantine_record", "quarantine", ["source", "entity_type", "source_id"], unique=False
    )
    op.create_table(
        "request_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("correlation_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_request_log_correlation", "request_log", ["correlation_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_request_log_correlation", table_name="request_log")
    op.drop_table("request_log")
    op.drop_index("ix_quarantine_record", table_name="quarantine")
    op.drop_index("ix_quarantine_fingerprint", table_name="quarantine")
    with op.batch_alter_table("quarantine") as batch:
        for column in ("resolved_by", "resolution", "last_received_at", "count", "fingerprint"):
            batch.drop_column(column)
    with op.batch_alter_table("api_key") as batch:
        for column in ("last_used_at", "rotated_to", "expires_at"):
            batch.drop_column(column)
