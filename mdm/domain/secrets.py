"""Secrets the hub must use again (a target's API token, a source's webhook secret) are
stored encrypted, never in clear: Fernet (AES-128-CBC with HMAC-SHA256) with a key
derived from ``MDM_SECRET_KEY``, or, where that is not set, from a key file made on
first use (next to the embedded database). Every process of one deployment needs the
same key: set ``MDM_SECRET_KEY`` on PostgreSQL deployments."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken

__all__ = ["Sealer", "SecretUnreadable", "sealer_from"]


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with this deployment's key."""


class Sealer:
    """Seals JSON values; the key is read when first needed."""

    def __init__(self, passphrase: Callable[[], str]) -> None:
        self._passphrase = passphrase

    @cached_property
    def _fernet(self) -> Fernet:
        digest = hashlib.sha256(self._passphrase().encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, value: Mapping[str, Any]) -> str:
        return self._fernet.encrypt(orjson.dumps(dict(value))).decode()

    def open(self, token: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = orjson.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, orjson.JSONDecodeError) as exc:
            raise SecretUnreadable("a stored secret does not open with this key") from exc
        return data


def _key_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def sealer_from(secret_key: str | None, key_file: Path) -> Sealer:
    """The sealer for ``secret_key``, else for the key in ``key_file`` (made if missing)."""
    if secret_key:
        return Sealer(lambda: secret_key)
    return Sealer(lambda: _key_file(key_file))
