"""Reconciliation checkpoints in SQL: one row per provider."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.dialect import upsert


class SqlCheckpointStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, provider: str) -> datetime | None:
        c = t.provider_checkpoints.c
        async with self._db.engine.connect() as connection:
            query = sa.select(c.last_event_at).where(c.provider == provider)
            return (await connection.execute(query)).scalar_one_or_none()

    async def set(self, provider: str, last_event_at: datetime) -> None:
        async with self._db.writing() as connection:
            statement = upsert(connection, t.provider_checkpoints).values(
                provider=provider, last_event_at=last_event_at, updated_at=datetime.now(UTC)
            )
            new = statement.excluded
            await connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[t.provider_checkpoints.c.provider],
                    set_={"last_event_at": new.last_event_at, "updated_at": new.updated_at},
                )
            )
