"""Every statement a piece of code sends PostgreSQL, whichever way it goes: through SQLAlchemy, or at driver
level on asyncpg's own connection (the webhook ingest's hot path, ADR 0021)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


@asynccontextmanager
async def statements_sent(engine: AsyncEngine) -> AsyncIterator[list[str]]:
    """The statements sent while inside, in order: SQLAlchemy's executions as it runs them, driver-level
    ones as asyncpg's query loggers see them on every connection checked out meanwhile."""
    sent: list[str] = []
    watched: list[Any] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    def queried(record: Any) -> None:
        sent.append(record.query)

    def checked_out(dbapi_connection: Any, *_: Any) -> None:
        driver = dbapi_connection.driver_connection
        if all(driver is not w for w in watched):
            driver.add_query_logger(queried)
            watched.append(driver)

    sync = engine.sync_engine
    sa.event.listen(sync, "before_cursor_execute", executed)
    sa.event.listen(sync, "checkout", checked_out)
    try:
        yield sent
        for _ in range(3):  # asyncpg hands its loggers each query on the loop's next turn
            await asyncio.sleep(0)
    finally:
        sa.event.remove(sync, "before_cursor_execute", executed)
        sa.event.remove(sync, "checkout", checked_out)
        for driver in watched:
            driver.remove_query_logger(queried)
