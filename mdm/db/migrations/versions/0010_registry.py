"""schema registry: subjects and their versions, seeded with the shipped v1 schemas

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Version 1 of every canonical entity type is ``canonical/schemas/<entity>.v1.json`` and
version 1 of every golden event type is ``contracts/events/<type>.json``, exactly as they
were shipped: each file must still have the fingerprint recorded here, so a registered
version is never changed by editing its file (add a new version instead).
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources

import sqlalchemy as sa
import sqlmodel
from alembic import op

import mdm.db.types

from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTITIES = {
    "customer": "420b1eb56839ab573daaa4a88e6e891e3b6747ea9b32d429e7d0bdc558f44042",
    "product": "ea9752f2770e418c263781019062aecc490e8ccadc8b6dc88d8dd601ba1e134d",
    "price": "bc3d59c8581020d621246e06e50fabc579c9b05e87d0ba8ea538d72c218ab07c",
}
EVENTS = {
    "mdm.golden.customer.created.v1": "22d48fc39a7f0da6f1c2674d9dfe170e572bdfe267f035bd4f026f535f444833",
    "mdm.golden.customer.updated.v1": "8d9eea2b1e3ca0af6cc4b76fe244b7ef6671650e11a74d21575b0bc006c097c3",
    "mdm.golden.customer.merged.v1": "f72342fe9165034de1957d6dc3c7271e5087cc561968ef54665c43cae1f4e10a",
    "mdm.golden.customer.unmerged.v1": "329940b8500d1075ddfb8025d754be3be309d3a3577b506969635f8190f10f37",
    "mdm.golden.product.created.v1": "eecc1c40d8b3cdb5993cfca62c74a52e84e58a0746067e0b9e2f5717abada2e5",
    "mdm.golden.product.updated.v1": "3e27b2daa9e5f9c067e663264736ea35b59a56dd80f2f42d6447c23c9e6a7459",
    "mdm.golden.product.merged.v1": "fcc99d33ff6920b57beef1b766cf38c8cb5f9ad980722147638b501becd90ac4",
    "mdm.golden.product.unmerged.v1": "d40753a0c741898d855b907a3c6aefb6ecd613367f8b79a53ed548d35caab134",
    "mdm.golden.price.created.v1": "4ba7400f53e340dcbc594d99538a78bfa52794695a448fa5bcd275b7c8213554",
    "mdm.golden.price.updated.v1": "cf7d6216e78cc8d43006c557565142772f77a608e4f4220bc0f9fd123ae28703",
    "mdm.golden.price.merged.v1": "0b25c085d08aa80e230561eb0a6288bf2313bfc542dfd9d0996427b3c8c57abf",
    "mdm.golden.price.unmerged.v1": "559c82152c53df298c2e565fae6c1604bb75f839ad560b9cfc027fdc4d6d8f17",
}


def _seed(package: str, path: str, expected: str) -> tuple[dict, str]:
    document = json.loads(resources.files(package).joinpath(path).read_text(encoding="utf-8"))
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    found = hashlib.sha256(text.encode()).hexdigest()
    if found != expected:
        raise RuntimeError(
            f"{package}/{path} is not the version 1 that was registered (fingerprint {found}, "
            f"registered {expected}): a registered schema never changes; ship a new version "
            "and register it instead"
        )
    return document, found


def upgrade() -> None:
    subject = op.create_table(
        "registry_subject",
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("updated_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    version = op.create_table(
        "registry_version",
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("derived_from", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("registered_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("registered_at", mdm.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "version"),
    )
    now = datetime.now(UTC)
    seeds = [
        ("entity", name, *_seed("canonical", f"schemas/{name}.v1.json", fp))
        for name, fp in ENTITIES.items()
    ] + [
        ("event", name, *_seed("contracts", f"events/{name}.json", fp))
        for name, fp in EVENTS.items()
    ]
    op.bulk_insert(
        subject, [{"subject": s, "kind": k, "mode": None, "updated_at": now} for k, s, _, _ in seeds]
    )
    op.bulk_insert(
        version,
        [
            {
                "subject": s,
                "version": 1,
                "document": doc,
                "fingerprint": fp,
                "derived_from": None,
                "registered_by": "seed",
                "registered_at": now,
            }
            for _, s, doc, fp in seeds
        ],
    )


def downgrade() -> None:
    op.drop_table("registry_version")
    op.drop_table("registry_subject")
