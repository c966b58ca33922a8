"""What every resolver sees as ``info.context``: the caller, the open read
transaction's read model, and the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from mdm.db.read import ReadModel
from mdm.domain.principal import Principal
from mdm.graphql.errors import forbidden
from mdm.graphql.loaders import Loaders

__all__ = ["RequestContext"]


@dataclass
class RequestContext:
    reads: ReadModel
    principal: Principal
    today: date
    """The day the facts (open invoices, renewals, ...) are counted on: the hub's clock's."""
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.reads, today=self.today)

    @property
    def may_see_pii(self) -> bool:
        return self.principal.has("pii")

    def require(self, role: str) -> None:
        """Raise a ``FORBIDDEN`` GraphQL error unless the caller holds ``role``."""
        if not self.principal.has(role):
            raise forbidden(role)
