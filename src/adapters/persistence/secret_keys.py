"""The hub's signing key: BOOKHUB_SECRET_KEY, else one generated on first start and kept in the database,
so manage links survive restarts and every process of the hub signs alike."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.dialect import upsert

log = logging.getLogger("bookhub")
NAME = "secret_key"


class SqlSecretKeys:
    def __init__(self, database: Database, configured: str | None = None) -> None:
        self._db, self._configured = database, configured
        self._key: bytes | None = None
        self._lock = asyncio.Lock()

    async def secret_key(self) -> bytes:
        if self._key is None:
            async with self._lock:
                if self._key is None:
                    self._key = await self._load()
        return self._key

    async def _load(self) -> bytes:
        if self._configured:
            return _derive(self._configured)
        c = t.hub_secrets.c
        async with self._db.engine.connect() as connection:
            stored = (await connection.execute(sa.select(c.value).where(c.name == NAME))).scalar_one_or_none()
        if stored is None:
            stored = await self._generate()
        return _derive(stored)

    async def _generate(self) -> str:
        """Inserted unless another process got there first; everyone then reads the one that stayed."""
        c = t.hub_secrets.c
        async with self._db.writing() as connection:
            insert = upsert(connection, t.hub_secrets).values(
                name=NAME, value=secrets.token_urlsafe(48), created_at=datetime.now(UTC)
            )
            inserted = (await connection.execute(insert.on_conflict_do_nothing())).rowcount
            value = (await connection.execute(sa.select(c.value).where(c.name == NAME))).scalar_one()
        if inserted:
            log.warning(
                "BOOKHUB_SECRET_KEY is not set: generated a signing key and kept it in the database "
                "(manage links survive restarts; set BOOKHUB_SECRET_KEY to choose your own)"
            )
        return str(value)


def _derive(text: str) -> bytes:
    """A key of any length, made 32 bytes and kept apart from other uses of the same text."""
    return hashlib.sha256(b"bookhub-secret-key:" + text.encode()).digest()
