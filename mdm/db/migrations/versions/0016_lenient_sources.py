"""a source's validation mode: ``lenient`` (the default) takes in a record whose only faults
are malformed optional values, leaving them out and keeping them as a data-quality issue;
``strict`` refuses the whole record, as every source did before. And canonical customer v1
widened in place: a person carries something that identifies a person (a family name, a
given name, a name, an email, a phone or a tax id), not necessarily a family name

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

Existing sources become lenient, the product's default: what they sent before and was
refused stays in quarantine as it was. The customer schema only accepts more, so every
record valid before stays valid; a hub whose registry holds the document 0015 wrote gets
the widened one under the same version 1 (a version someone registered is left alone).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from mdm.db.migrations.shipped import widen_in_place

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the customer document 0015 wrote -> the one shipped now
CUSTOMER = (
    "616a68743ed92a9efc90b431d5e6d0556ae9f71256a3f6f1e9f26b5c107092a9",
    "55604c600dd9b247df1d42cdfad64404c2ac9e4f9b28296c951a6989971771ea",
)

def upgrade() -> None:
    with op.batch_alter_table("source_system") as batch:
        batch.add_column(
            sa.Column(
                "validation",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="lenient",
            )
        )
    widen_in_place("customer", *CUSTOMER)


def downgrade() -> None:
    # the widened customer document stays: records accepted under it must stay valid
    with op.batch_alter_table("source_system") as batch:
        batch.drop_column("validation")
