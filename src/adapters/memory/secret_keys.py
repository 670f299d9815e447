"""A fixed signing key, for tests and tools."""

from __future__ import annotations

import hashlib


class StaticSecretKeys:
    def __init__(self, key: str = "test-secret-key") -> None:
        self._key = hashlib.sha256(key.encode()).digest()

    async def secret_key(self) -> bytes:
        return self._key
