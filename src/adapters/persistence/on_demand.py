"""A unit of work's connection, checked out only as far as its statements need (PostgreSQL, ADR 0023).

A unit of work whose statements each commit on their own (read-only, optimistic) and which runs only
driver-level statements (ADR 0021) needs nothing of SQLAlchemy's `Connection`: the pool's raw connection
does, checked out in one greenlet switch, with no `Connection` made, no isolation level set and reset, and
no shielded close. asyncpg runs each statement outside a transaction, so these statements commit on their
own as they would in autocommit. The first statement that goes through SQLAlchemy wraps that same pooled
connection in a `Connection` of the autocommit engine: a unit of work never holds two connections, and the
pool, its size and its invalidation stay SQLAlchemy's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn


class OnDemandConnection(AsyncConnection):
    """An `AsyncConnection` of `engine` (the autocommit one) that checks out nothing until asked: `driver()`
    lends the pooled connection's asyncpg connection; any statement through SQLAlchemy starts the
    `Connection` first, on the connection already lent if there is one."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine)
        self._pooled: PoolProxiedConnection | None = None

    @property
    def dialect(self) -> Dialect:
        return self.sync_engine.dialect

    @property
    def started(self) -> bool:
        return self.sync_connection is not None

    async def driver(self) -> Any:
        """asyncpg's connection under this one, checked out of the pool on first use."""
        if self.sync_connection is not None:
            return self.sync_connection.connection.driver_connection
        if self._pooled is None:
            self._pooled = await self.engine.raw_connection()
        return self._pooled.driver_connection

    async def _started(self) -> None:
        if self.sync_connection is not None:
            return
        if self._pooled is None:
            await self.start()
            return
        # The engine's connect events run as for any checkout: the autocommit engine sets its isolation
        # level here, and the pool resets it when the connection goes back.
        pooled, self._pooled = self._pooled, None
        self.sync_connection = self._assign_proxied(Connection(self.sync_engine, connection=pooled))

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        await self._started()
        return await super().execute(*args, **kwargs)

    async def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        await self._started()
        return await super().exec_driver_sql(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        await self._started()
        return await super().scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        await self._started()
        return await super().scalars(*args, **kwargs)

    async def stream(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        await self._started()
        return await super().stream(*args, **kwargs)

    async def run_sync(self, *args: Any, **kwargs: Any) -> Any:
        await self._started()
        return await super().run_sync(*args, **kwargs)

    async def execution_options(self, **options: Any) -> AsyncConnection:
        await self._started()
        return await super().execution_options(**options)

    def in_transaction(self) -> bool:
        return self.sync_connection is not None and super().in_transaction()

    async def commit(self) -> None:
        if self.sync_connection is not None:
            await super().commit()

    async def rollback(self) -> None:
        if self.sync_connection is not None:
            await super().rollback()

    async def invalidate(self, exception: BaseException | None = None) -> None:
        """As SQLAlchemy does on a lost connection: the pool discards it and opens another."""
        if self.sync_connection is not None:
            await super().invalidate(exception)
        elif self._pooled is not None:
            pooled, self._pooled = self._pooled, None
            await greenlet_spawn(pooled.invalidate, exception)  # and back to the pool, to be replaced

    async def close(self) -> None:
        if self.sync_connection is not None:
            await super().close()
        elif self._pooled is not None:
            pooled, self._pooled = self._pooled, None
            await greenlet_spawn(pooled.close)
