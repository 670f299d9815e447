"""Password hashes: argon2id (argon2-cffi, RFC 9106's low-memory profile by default), computed in a
thread so the event loop keeps serving while one takes its tens of milliseconds."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

DUMMY_PASSWORD = "bookhub: no account has this email"  # noqa: S105 - hashed once, matches nothing


class Argon2Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        # The dummy is made by the first verification of either kind, so no kind is the slow one.
        if self._dummy is None:
            self._dummy = await self.hash(DUMMY_PASSWORD)
        if password_hash is None:
            await asyncio.to_thread(self._matches, self._dummy, password)
            return False
        return await asyncio.to_thread(self._matches, password_hash, password)

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
