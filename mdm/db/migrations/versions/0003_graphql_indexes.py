"""graphql read indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

Indexes the GraphQL read model needs; no table changes.

* ``ix_golden_record_page``: keyset pages of one entity type (``WHERE entity_type
  AND status ORDER BY id``).
* ``ix_golden_record_merged_into``: the ids merged into a survivor (children of a
  survivor include the children of the records merged into it).
* Expression indexes on the JSON attributes that hold golden ids or lookup keys:
  customer ``parent`` (hierarchy), price ``product`` and product ``sku``. The
  expressions are written exactly as ``mdm.graphql.sql.attr`` renders them,
  ``json_extract(attributes, '$.parent')`` on SQLite and ``(attributes ->> 'parent')``
  on PostgreSQL, because both planners match expression indexes textually.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON_KEYS = {"parent": "ix_golden_record_parent", "product": "ix_golden_record_product",
              "sku": "ix_golden_record_sku"}


def _expr(key: str) -> sa.TextClause:
    if op.get_bind().dialect.name == "postgresql":
        return sa.text(f"(attributes ->> '{key}')")
    return sa.text(f"json_extract(attributes, '$.{key}')")


def upgrade() -> None:
    op.create_index("ix_golden_record_page", "golden_record", ["entity_type", "status", "id"])
    op.create_index("ix_golden_record_merged_into", "golden_record", ["merged_into"])
    for key, name in _JSON_KEYS.items():
        op.create_index(name, "golden_record", [_expr(key)])


def downgrade() -> None:
    for name in _JSON_KEYS.values():
        op.drop_index(name, table_name="golden_record")
    op.drop_index("ix_golden_record_merged_into", table_name="golden_record")
    op.drop_index("ix_golden_record_page", table_name="golden_record")
