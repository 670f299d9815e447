"""Statements run on asyncpg's own connection: the webhook ingest's hot path on PostgreSQL (ADR 0021).

SQLAlchemy compiles each statement once, for the engine's dialect: the very text it would send, its
parameters in order and each one's bind processor (JSON serialised as SQLAlchemy does, datetimes
checked aware and turned to UTC). A call then only puts the values in that order and runs the statement
on the connection that SQLAlchemy's pool lent the unit of work, prepared once per connection by asyncpg:
no greenlet switch, no compiled-cache lookup, no parameters processed through an execution context, no
result rows wrapped a second time. The connection, its pool and its transaction stay SQLAlchemy's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement

from adapters.persistence.dialect import driver_connection

_Processor = Callable[[Any], Any] | None


class DriverRow(asyncpg.Record):  # type: ignore[misc] - asyncpg's Record is untyped
    """A record whose columns read as attributes, as SQLAlchemy's rows do (the mappers read either)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class DriverStatement:
    """One statement as SQLAlchemy compiles it for `dialect`, ready for asyncpg's `fetchrow`."""

    __slots__ = ("_defaults", "_names", "_processors", "sql")

    def __init__(self, construct: ClauseElement, dialect: Dialect) -> None:
        compiled = construct.compile(dialect=dialect)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} binds parameters by name: not a driver-level statement")
        self.sql: str = compiled.string
        self._names: Sequence[str] = tuple(compiled.positiontup)
        binds = compiled.binds  # type: ignore[attr-defined] - an SQLCompiler's
        self._processors: Sequence[_Processor] = tuple(
            binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in self._names
        )
        # Values bound in the construct itself (a literal), used when the call does not name them.
        self._defaults: Mapping[str, Any] = compiled.params

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, process in zip(self._names, self._processors, strict=True):
            value = params[name] if name in params else self._defaults[name]
            values.append(value if process is None else process(value))
        return values

    async def fetchrow(self, connection: AsyncConnection, params: Mapping[str, Any]) -> DriverRow:
        """Run it on the unit of work's connection; its one row (a statement without one is a mistake)."""
        driver = await driver_connection(connection)
        row: DriverRow | None = await driver.fetchrow(self.sql, *self.args(params), record_class=DriverRow)
        if row is None:
            raise LookupError("a driver-level statement answered no row")
        return row


# What a driver-level statement raises where SQLAlchemy would raise its DBAPIError (dialect.slot_taken
# reads either).
DriverError = asyncpg.PostgresError
