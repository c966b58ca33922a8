"""The composition root: the one place that builds engines, matchers and apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from matching.engine import ProbabilisticMatcher
from matching.exact import ExactIdentifierMatcher
from matching.port import Matcher
from mdm.db.engine import make_engine
from mdm.db.migrate import upgrade
from mdm.services.learning import use_stored_settings
from mdm.settings import Settings, get_settings

__all__ = ["Container", "bootstrap"]


@dataclass
class Container:
    settings: Settings
    engine: Engine
    matcher: Matcher
    extras: dict[str, Any] = field(default_factory=dict)


def default_matcher(settings: Settings) -> Matcher:
    if settings.matcher == "exact":
        return ExactIdentifierMatcher()
    return ProbabilisticMatcher()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    matcher: Matcher | None = None,
    migrate: bool = False,
) -> Container:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url, echo=settings.sql_echo)
    if migrate:
        upgrade(engine)
    matcher = matcher or default_matcher(settings)
    use_stored_settings(engine, matcher)
    return Container(settings=settings, engine=engine, matcher=matcher)
