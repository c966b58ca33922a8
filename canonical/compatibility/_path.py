"""Where a walk over two schema documents is."""

from __future__ import annotations

from dataclasses import dataclass

from canonical.compatibility._keywords import escape

__all__ = ["At"]


@dataclass(frozen=True, slots=True)
class At:
    """Where the walk is: the data pointer, and the node's place in each document
    (None on the side where the node does not exist)."""

    pointer: str
    old: str | None
    new: str | None

    def down(self, *tokens: object) -> At:
        suffix = "".join("/" + escape(t) for t in tokens)
        return At(
            self.pointer + suffix,
            None if self.old is None else self.old + suffix,
            None if self.new is None else self.new + suffix,
        )

    def located(self, suffix: str = "") -> str:
        base = self.new if self.new is not None else self.old
        return (base or "") + suffix
