"""Where PostgreSQL and SQLite differ, said once: upserts, row locks, array binds, the driver's own
connection, and which database error means "the slot was taken"."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence.on_demand import OnDemandConnection

_DEADLOCK = "40P01"
_TEXT_ARRAY = postgresql.ARRAY(sa.String)
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}

Built = TypeVar("Built")
Query = TypeVar("Query", bound=sa.Select[Any])


def is_postgres(connection: AsyncConnection) -> bool:
    return connection.dialect.name == "postgresql"


def per_dialect(build: Callable[[Any], Built]) -> dict[str, Built]:
    """A statement built once for each dialect's own constructs (its `insert` with `ON CONFLICT`), by
    dialect name."""
    return {name: build(dialect) for name, dialect in _DIALECTS.items()}


def upsert(connection: AsyncConnection, table: sa.Table) -> Any:
    """The connection's dialect's INSERT, which knows `on_conflict_do_*`."""
    return _DIALECTS[connection.dialect.name].insert(table)


def locked(connection: AsyncConnection, query: Query, **for_update: Any) -> Query:
    """The query with FOR UPDATE on PostgreSQL; SQLite's one writer needs no row locks."""
    return query.with_for_update(**for_update) if is_postgres(connection) else query


def one_of(
    connection: AsyncConnection, column: sa.ColumnElement[Any], values: Sequence[str]
) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL bound as one array, so the statement's text and its prepared
    plan stay the same whatever the number of values (an expanding IN is re-rendered per call)."""
    if is_postgres(connection):
        return column == sa.any_(sa.bindparam("one_of", list(values), type_=_TEXT_ARRAY))
    return column.in_(values)


async def driver_connection(connection: AsyncConnection) -> Any:
    """asyncpg's own connection under this one: records as they come, without SQLAlchemy's rows and
    type processing around each value (asyncpg already gives aware UTC datetimes). Read as an attribute
    while the connection holds its pooled connection (no greenlet switch), through SQLAlchemy when it
    must first get one back. A unit of work's on-demand connection lends it without SQLAlchemy's
    `Connection` until a statement needs one (ADR 0023)."""
    if isinstance(connection, OnDemandConnection) and not connection.started:
        return await connection.driver()
    if connection.invalidated or connection.closed:
        driver = (await connection.get_raw_connection()).driver_connection
    else:
        driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    assert driver is not None  # noqa: S101 - an open connection has its driver connection
    return driver


def slot_taken(exc: DBAPIError | Exception) -> bool:
    """The availability rule refused the write (the loser of a deadlock lost the race too). `exc`: as
    SQLAlchemy raises it, or as the driver does (a driver-level statement)."""
    message = str(_driver_error(exc))
    taken = "slot_unavailable" in message or "bookings_resource_no_overlap" in message
    return taken or _sqlstate(exc) == _DEADLOCK


def credits_exceeded(exc: DBAPIError | Exception) -> bool:
    """The database refused a package's count of sessions beyond what it bought (ADR 0018)."""
    message = str(_driver_error(exc))
    return "no_sessions_left" in message or "ck_bookings_session_credits" in message


def _driver_error(exc: DBAPIError | Exception) -> object:
    return exc.orig if isinstance(exc, DBAPIError) else exc


def _sqlstate(exc: DBAPIError | Exception) -> str | None:
    orig = _driver_error(exc)
    return getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", None)
