"""indexes for the console's operations pages: audit log search (newest first, by actor
or action) and recent delivery attempts per target (success rates)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_at", "audit_log", ["at", "id"], unique=False)
    op.create_index("ix_audit_actor_at", "audit_log", ["actor", "at", "id"], unique=False)
    op.create_index("ix_audit_action_at", "audit_log", ["action", "at", "id"], unique=False)
    op.create_index(
        "ix_delivery_attempt_at", "delivery_attempt", ["at", "target", "outcome"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_delivery_attempt_at", table_name="delivery_attempt")
    op.drop_index("ix_audit_action_at", table_name="audit_log")
    op.drop_index("ix_audit_actor_at", table_name="audit_log")
    op.drop_index("ix_audit_at", table_name="audit_log")
