"""canonical v1 widened in place: a customer phone as people write it (``(415) 555-0199``,
``312-555-0142 ext. 12``) and the product master's brand, manufacturer, supplier, category,
list_price and currency; the golden event schemas built from them follow

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

Both changes only accept more (the phone is the old pattern or a human form, ``anyOf``;
the new product properties are optional), so every record and event valid before stays
valid: the compatibility check passes the new documents against the old ones. A hub
whose registry still holds the seeded documents gets the widened ones under the same
version 1; a version someone registered, or a seed that was changed, is left alone.
"""

from collections.abc import Sequence

from mdm.db.migrations.shipped import widen_in_place

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# subject -> (fingerprint seeded by 0010 before, fingerprint of the shipped file now)
WIDENED = {
    # widened again by 0016 (persons need not carry a family name): that is the file now
    "customer": (
        "420b1eb56839ab573daaa4a88e6e891e3b6747ea9b32d429e7d0bdc558f44042",
        "55604c600dd9b247df1d42cdfad64404c2ac9e4f9b28296c951a6989971771ea",
    ),
    "product": (
        "ea9752f2770e418c263781019062aecc490e8ccadc8b6dc88d8dd601ba1e134d",
        "699ca8f3371874494d97edbfc65fbf1260077756804dbc940a95acde6dda9b08",
    ),
    "mdm.golden.customer.created.v1": (
        "22d48fc39a7f0da6f1c2674d9dfe170e572bdfe267f035bd4f026f535f444833",
        "f18901e889a935c6935e72e4b22f554f556fe5ff1fbda8ae96ce099787a7f8f5",
    ),
    "mdm.golden.customer.updated.v1": (
        "8d9eea2b1e3ca0af6cc4b76fe244b7ef6671650e11a74d21575b0bc006c097c3",
        "cd2d5437e73415eefae6e1285a5ed10412d4b2d1a3bc21f0c4163b01ea363ba5",
    ),
    "mdm.golden.customer.merged.v1": (
        "f72342fe9165034de1957d6dc3c7271e5087cc561968ef54665c43cae1f4e10a",
        "8413d497ceb2fb11d876848b1df89b630ed181253a2e053c294f819a2873b873",
    ),
    "mdm.golden.customer.unmerged.v1": (
        "329940b8500d1075ddfb8025d754be3be309d3a3577b506969635f8190f10f37",
        "dd5abf0954829cfdef6f99716b1bd349c3b81c07af3be2c163a66e9393085df6",
    ),
    "mdm.golden.product.created.v1": (
        "eecc1c40d8b3cdb5993cfca62c74a52e84e58a0746067e0b9e2f5717abada2e5",
        "c92d24d8f383820b9940ac1b6c912a00884a343432ba757e67e670f171f62bf4",
    ),
    "mdm.golden.product.updated.v1": (
        "3e27b2daa9e5f9c067e663264736ea35b59a56dd80f2f42d6447c23c9e6a7459",
        "67e14b8537c7aa56fdc386eb8df206aea1bf8476b8f9384f31a7a83b70e5517f",
    ),
    "mdm.golden.product.merged.v1": (
        "fcc99d33ff6920b57beef1b766cf38c8cb5f9ad980722147638b501becd90ac4",
        "4312432ebaae633d882ea2b156a811fa127462c1037e27f7e41db54dd7c8b69e",
    ),
    "mdm.golden.product.unmerged.v1": (
        "d40753a0c741898d855b907a3c6aefb6ecd613367f8b79a53ed548d35caab134",
        "7e68811cccb011d1b91d06d519f5f82130d516ddfe2d6b3f5766874c17dc0b01",
    ),
}

def upgrade() -> None:
    for subject, (before, after) in WIDENED.items():
        widen_in_place(subject, before, after)


def downgrade() -> None:
    # the widened documents stay: records and events accepted under them must stay valid
    pass
