"""a source's default region: the ISO 3166 alpha-2 country its national phone numbers
are read in when a record's address names none (null: no default)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

Records stored before keep their standardized form until they are standardized again
(the standardizer's version changed with this release, so the matcher re-reads them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_system") as batch:
        batch.add_column(
            sa.Column("default_region", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("source_system") as batch:
        batch.drop_column("default_region")
