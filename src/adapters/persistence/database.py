"""Engines for PostgreSQL (asyncpg) and the embedded SQLite, with SQLite's writes serialised."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

WRITE = "bookhub_write"


def json_text(value: Any) -> str:
    """A JSON column's text: msgspec's encoder, several times faster than the standard library's for the
    small documents the hub stores (UTF-8 as it is, no spaces)."""
    return msgspec.json.encode(value).decode()


JSON_CODEC: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": msgspec.json.decode}


@dataclass(slots=True)
class Database:
    engine: AsyncEngine
    # SQLite has one writer: writes queue here in-process instead of spinning on the file lock.
    write_lock: asyncio.Lock | None = field(default=None)
    # PostgreSQL: the same pool, its connections lent in autocommit (each statement its own
    # transaction), so a unit of work of single statements sets nothing on its connection per checkout.
    autocommit_engine: AsyncEngine | None = field(default=None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction, committed on success; on SQLite it waits its turn for the writer."""
        if self.write_lock is None:
            async with self.engine.begin() as connection:
                yield connection
            return
        async with self.write_lock, self.engine.connect() as connection:
            connection = await connection.execution_options(**{WRITE: True})
            async with connection.begin():
                yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_database(url: str, *, pool_size: int = 20) -> Database:
    # hide_parameters: an error's text and SQLAlchemy's own logs never quote the values (names, emails).
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **JSON_CODEC)
        _configure_sqlite(engine)
        return Database(engine, asyncio.Lock())
    # No overflow: past `pool_size` a request waits for a pooled connection instead of opening (and
    # closing) one of its own, which costs a PostgreSQL backend fork per request under load.
    engine = create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_pre_ping=False, hide_parameters=True, **JSON_CODEC
    )
    return Database(engine, autocommit_engine=engine.execution_options(isolation_level="AUTOCOMMIT"))


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the lock up front, so its check-then-insert cannot interleave with another's.
        immediate = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
