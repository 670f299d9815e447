"""One transaction on one connection for a store used as `async with store: ... await commit()`: a
writing one waits for SQLite's one writer and is marked as writing; leaving without a commit rolls back.
The unit of work is one, with connections of its own kinds (`_open`)."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.database import WRITE, Database


class TransactionScope:
    def __init__(self, database: Database, *, read_only: bool = False) -> None:
        self._db, self._read_only = database, read_only
        self._connection: AsyncConnection | None = None
        self._locked = False

    async def __aenter__(self) -> Self:
        lock = self._db.write_lock
        if lock is not None and not self._read_only:
            await lock.acquire()
            self._locked = True
        try:
            self._connection = await self._open()
        except BaseException:
            self._release()
            raise
        return self

    async def _open(self) -> AsyncConnection:
        """The scope's connection; a writing one is marked so (SQLite begins it with `BEGIN IMMEDIATE`)."""
        connection = await self._db.engine.connect()
        if not self._read_only:
            connection = await connection.execution_options(**{WRITE: True})
        return connection

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            if self._connection is not None:
                if self._connection.in_transaction():  # nothing begun (driver-level statements only): no-op
                    await self._connection.rollback()  # a no-op after commit, undoes everything else
                await self._connection.close()
        finally:
            self._connection = None
            self._release()

    def _release(self) -> None:
        if self._locked and self._db.write_lock is not None:
            self._db.write_lock.release()
            self._locked = False

    @property
    def _c(self) -> AsyncConnection:
        assert self._connection is not None  # noqa: S101 - used inside `async with`
        return self._connection
