"""Idempotency keys: a retried request answers as its first one did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.dialect import upsert
from application.ports import IdempotencyRecord


class SqlAlchemyIdempotencyStore:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def get(self, key_hash: str) -> IdempotencyRecord | None:
        k = t.idempotency_keys.c
        row = (await self._c.execute(sa.select(t.idempotency_keys).where(k.key_hash == key_hash))).first()
        if row is None:
            return None
        return IdempotencyRecord(
            row.key_hash, row.request_hash, row.booking_id, row.token_cipher, row.response
        )

    async def add(self, record: IdempotencyRecord, *, now: datetime) -> bool:
        statement = (
            upsert(self._c, t.idempotency_keys)
            .values(
                key_hash=record.key_hash,
                request_hash=record.request_hash,
                booking_id=record.booking_id,
                token_cipher=record.token_cipher,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(t.idempotency_keys.c.key_hash)
        )
        return (await self._c.execute(statement)).first() is not None

    async def set_response(self, key_hash: str, response: Any) -> None:
        k = t.idempotency_keys.c
        await self._c.execute(
            t.idempotency_keys.update().where(k.key_hash == key_hash).values(response=response)
        )
