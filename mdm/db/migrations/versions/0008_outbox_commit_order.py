"""the outbox gains a commit-ordered sequence and the golden version

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

``outbox.seq`` is handed out from ``outbox_sequence`` as the last statement of the
writing transaction, whose row lock is held until the commit, so ``seq`` order is
commit order and a reader paging by it never skips an event that commits late.
``entity_type`` and ``golden_version`` let a relay plan deliveries without opening
the envelope. Rows written before this migration get ``seq = id`` (they were all
committed, so any order consistent with ``id`` is a valid commit order for them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("entity_type", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("golden_version", sa.Integer(), nullable=True))
    op.execute("UPDATE outbox SET seq = id")
    op.create_index("ix_outbox_seq", "outbox", ["seq"], unique=True)
    op.create_table(
        "outbox_sequence",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.execute(
        "INSERT INTO outbox_sequence (name, last) SELECT 'outbox', COALESCE(MAX(id), 0) FROM outbox"
    )


def downgrade() -> None:
    op.drop_table("outbox_sequence")
    op.drop_index("ix_outbox_seq", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("golden_version")
        batch.drop_column("entity_type")
        batch.drop_column("seq")
