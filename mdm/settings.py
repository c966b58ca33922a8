"""One settings object, read from ``MDM_*`` environment variables, built lazily."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

DEFAULT_DATA_DIR = Path(".mdm")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MDM_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'mdm.db'}"
    max_body_bytes: int = 1024 * 1024
    max_batch_items: int = 1000
    load_chunk_size: int = 1000
    sql_echo: bool = False
    admin_api_key: str | None = None
    # probabilistic: fuzzy Fellegi-Sunter matching (the default); exact: link only on
    # shared strong identifiers (tax id, registration number, email, sku), e.g. for a
    # first bulk load of systems already deduplicated by identifier
    matcher: Literal["probabilistic", "exact"] = "probabilistic"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
