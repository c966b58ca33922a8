"""What every resolver sees as ``info.context``: the caller, the open read
transaction's connection, and the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from mdm.graphql.errors import forbidden
from mdm.graphql.loaders import Loaders
from mdm.services.keys import Principal

__all__ = ["RequestContext"]


@dataclass
class RequestContext:
    conn: Connection
    principal: Principal
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.conn)

    @property
    def may_see_pii(self) -> bool:
        return self.principal.has("pii")

    def require(self, role: str) -> None:
        """Raise a ``FORBIDDEN`` GraphQL error unless the caller holds ``role``."""
        if not self.principal.has(role):
            raise forbidden(role)
