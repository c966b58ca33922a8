"""a target's readiness rules: which attributes a golden record must carry (and whether its
parent must be there first) before it is sent to that target; null: the kind's defaults

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08

Targets stored before get null, so they follow their kind's defaults from now on (NetSuite
holds customers without a billing address, payment terms, a tax id where the country issues
one, or a parent it has not received; the other kinds hold nothing). A delivery held for
them has state ``held``, a value the ``state`` column takes as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("sync_target") as batch:
        batch.add_column(sa.Column("readiness", _JSON, nullable=True))


def downgrade() -> None:
    # held deliveries become pending again: without rules nothing holds them
    op.execute("UPDATE delivery SET state = 'pending' WHERE state = 'held'")
    with op.batch_alter_table("sync_target") as batch:
        batch.drop_column("readiness")
