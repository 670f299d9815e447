"""Statements run on asyncpg's own connection: the webhook ingest's hot path on PostgreSQL (ADR 0021).

SQLAlchemy compiles each statement once, for the engine's dialect: the very text it would send, its
parameters in order and each one's bind processor (JSON serialised as SQLAlchemy does, datetimes
checked aware and turned to UTC). A call then only puts the values in that order and runs the statement
on the connection that SQLAlchemy's pool lent the unit of work, prepared once per connection by asyncpg:
no greenlet switch, no compiled-cache lookup, no parameters processed through an execution context, no
result rows wrapped a second time. The connection, its pool and its transaction stay SQLAlchemy's.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.types import TypeEngine

from adapters.persistence.dialect import driver_connection
from adapters.persistence.tables import UtcDateTime

_Processor = Callable[[Any], Any] | None


class DriverStatement:
    """One statement as SQLAlchemy compiles it for `dialect`, run with asyncpg's `fetchrow`. Its row reads
    by attribute, as SQLAlchemy's rows do (the mappers read either): a named tuple made from the first
    row's columns."""

    __slots__ = ("_defaults", "_names", "_processed", "_row", "_values", "sql")

    def __init__(self, construct: ClauseElement, dialect: Dialect) -> None:
        compiled = construct.compile(dialect=dialect)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} binds parameters by name: not a driver-level statement")
        binds = compiled.binds  # type: ignore[attr-defined] - an SQLCompiler's
        self.sql: str = compiled.string
        self._names = names = tuple(compiled.positiontup)
        # The parameters' values in order, taken in one call; then the few whose type has a bind
        # processor (SQLAlchemy's own, or `_processor`'s), by position.
        self._values: Callable[[Mapping[str, Any]], Sequence[Any]] = _getter(names)
        processors = ((i, _processor(binds[name].type, dialect)) for i, name in enumerate(names))
        self._processed: Sequence[tuple[int, Callable[[Any], Any]]] = tuple(
            (i, process) for i, process in processors if process is not None
        )
        # Values bound in the construct itself (a literal), used when the call does not name them.
        self._defaults: Mapping[str, Any] = {
            name: binds[name].value for name in names if not binds[name].required
        }
        self._row: Any = None

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        if self._defaults:
            params = {**self._defaults, **params}
        return self.args_in(self._values(params))

    def reorder(self, names: Sequence[str]) -> Callable[[Sequence[Any]], Sequence[Any]]:
        """For values listed in the order of `names` (every parameter once), what puts them in the
        statement's order: a caller that builds many values builds a list, not a mapping (`fetchrow_in`).
        Made once per statement and order; a name missing or unknown is a mistake caught here."""
        if sorted(names) != sorted(self._names):
            raise ValueError("the names are not this statement's parameters")
        position = {name: i for i, name in enumerate(names)}
        return _getter(tuple(position[name] for name in self._names))

    def args_in(self, values: Sequence[Any]) -> list[Any]:
        """The values, given in the statement's order, as asyncpg binds them."""
        processed = list(values)
        for i, process in self._processed:
            processed[i] = process(processed[i])
        return processed

    async def fetchrow(self, connection: AsyncConnection, params: Mapping[str, Any]) -> Any:
        """Run it on the unit of work's connection; its one row (a statement without one is a mistake)."""
        return await self._fetchrow(connection, self.args(params))

    async def fetchrow_in(self, connection: AsyncConnection, values: Sequence[Any]) -> Any:
        """`fetchrow` with the values already in the statement's order (see `reorder`)."""
        return await self._fetchrow(connection, self.args_in(values))

    async def _fetchrow(self, connection: AsyncConnection, args: list[Any]) -> Any:
        driver = await driver_connection(connection)
        try:
            record = await driver.fetchrow(self.sql, *args)
        except BaseException:
            if driver.is_closed():  # as SQLAlchemy does when it sees a disconnect: the pool replaces it
                await connection.invalidate()
            raise
        if record is None:
            raise LookupError("a driver-level statement answered no row")
        if self._row is None:
            self._row = namedtuple("Row", record.keys())  # type: ignore[misc]
        return self._row._make(record.values())


def _getter(keys: tuple[Any, ...]) -> Callable[[Any], Sequence[Any]]:
    """The values under `keys`, as a tuple, in one call (`itemgetter` of one key answers the value)."""
    if len(keys) == 1:
        (key,) = keys
        return lambda items: (items[key],)
    return itemgetter(*keys) if keys else lambda _items: ()


def _processor(type_: TypeEngine[Any], dialect: Dialect) -> _Processor:
    """SQLAlchemy's bind processor for `type_`, but for aware datetimes (a third of the ingest's values):
    asyncpg turns any aware datetime to UTC itself, so only the check that it is aware is left."""
    if isinstance(type_, UtcDateTime):
        return _aware
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return value


# What a driver-level statement raises where SQLAlchemy would raise its DBAPIError (dialect.slot_taken
# reads either).
DriverError = asyncpg.PostgresError
