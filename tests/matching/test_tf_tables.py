"""Term-frequency tables kept with trained settings: every value shared beyond one entity is
kept for exclusive name levels, however many there are."""

from __future__ import annotations

from dataclasses import replace

from matching.settings import default_settings
from matching.table import RecordTable
from matching.tf_tables import top_term_frequencies


def test_every_organization_name_held_by_several_entities_is_kept() -> None:
    # 3,000 names, each carried by four records of (say) four different firms, and 3,000
    # names carried once: more shared names than the 2,000 an ordinary level keeps
    shared = [f"firm {i:04d}" for i in range(3000) for _ in range(4)]
    unique = [f"solo {i:04d}" for i in range(3000)]
    table = RecordTable.from_columns({"org_name": shared + unique})
    settings = replace(default_settings("customer"), prior=1e-7)

    kept = top_term_frequencies(settings, table)["org_name"]

    assert len(kept) == 3000
    assert set(kept) == set(shared)
    assert all(share > 0 for share in kept.values())
