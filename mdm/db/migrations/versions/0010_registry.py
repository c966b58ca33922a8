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
    "customer": "55604c600dd9b247df1d42cdfad64404c2ac9e4f9b28296c951a6989971771ea",
    "product": "699ca8f3371874494d97edbfc65fbf1260077756804dbc940a95acde6dda9b08",
    "price": "bc3d59c8581020d621246e06e50fabc579c9b05e87d0ba8ea538d72c218ab07c",
}
EVENTS = {
    "mdm.golden.customer.created.v1": "f18901e889a935c6935e72e4b22f554f556fe5ff1fbda8ae96ce099787a7f8f5",
    "mdm.golden.customer.updated.v1": "cd2d5437e73415eefae6e1285a5ed10412d4b2d1a3bc21f0c4163b01ea363ba5",
    "mdm.golden.customer.merged.v1": "8413d497ceb2fb11d876848b1df89b630ed181253a2e053c294f819a2873b873",
    "mdm.golden.customer.unmerged.v1": "dd5abf0954829cfdef6f99716b1bd349c3b81c07af3be2c163a66e9393085df6",
    "mdm.golden.product.created.v1": "c92d24d8f383820b9940ac1b6c912a00884a343432ba757e67e670f171f62bf4",
    "mdm.golden.product.updated.v1": "67e14b8537c7aa56fdc386eb8df206aea1bf8476b8f9384f31a7a83b70e5517f",
    "mdm.golden.product.merged.v1": "4312432ebaae633d882ea2b156a811fa127462c1037e27f7e41db54dd7c8b69e",
    "mdm.golden.product.unmerged.v1": "7e68811cccb011d1b91d06d519f5f82130d516ddfe2d6b3f5766874c17dc0b01",
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
