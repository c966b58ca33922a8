"""source records keep the matcher's prepared form

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26

``source_record.match_std`` holds what ``Matcher.prepare`` made of the payload
(for the probabilistic matcher: the standardized fields, tagged with the
standardizer's version). Scoring a candidate then reads it instead of
standardizing the member again; rows written before this migration, or by an
older standardizer, are standardized on the fly as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_record") as batch:
        batch.add_column(
            sa.Column(
                "match_std",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("source_record") as batch:
        batch.drop_column("match_std")
