"""The unit of work: one connection, one transaction; commit writes state, audit and outbox together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from adapters.persistence.bookings import SqlAlchemyBookingRepository
from adapters.persistence.customers import SqlAlchemyCustomerRepository
from adapters.persistence.database import Database
from adapters.persistence.dialect import credits_exceeded, is_postgres, slot_taken, upsert
from adapters.persistence.driver import DriverError
from adapters.persistence.extensions import SqlAlchemyExtensionRepository
from adapters.persistence.idempotency import SqlAlchemyIdempotencyStore
from adapters.persistence.inbound_events import SqlAlchemyInboundEventLog, inbound_event
from adapters.persistence.ledger import SqlPaymentLedger
from adapters.persistence.mappers import booking_state
from adapters.persistence.on_demand import OnDemandConnection
from adapters.persistence.one_statement import (
    rows_only,
    rows_only_params,
    update_with_rows,
    update_with_rows_at_driver_level,
    update_with_rows_params,
    update_with_rows_values,
)
from adapters.persistence.outbox_queue import SqlAlchemyOutboxReader
from adapters.persistence.records import audit_rows, ledger_rows, outbox_rows
from adapters.persistence.scope import TransactionScope
from application.audit.ports import current_actor
from application.ports import Contended
from domain.booking import Booking
from domain.errors import DomainError, NoSessionsLeft, SlotUnavailable

_Rows = list[dict[str, Any]]
_Changed = tuple[int, Booking, dict[str, Any]]  # the version read, the booking, its columns now


class ConcurrentUpdate(DomainError):
    code = "conflict"


class SqlAlchemyUnitOfWork(TransactionScope):
    def __init__(
        self,
        database: Database,
        *,
        read_only: bool = False,
        single_write: bool = False,
        optimistic: bool = False,
        actor: str | None = None,
    ) -> None:
        super().__init__(database, read_only=read_only)
        self._single_write = single_write
        self._actor = actor if actor is not None else current_actor()
        # Only PostgreSQL: SQLite's writers hold the one write lock for the whole unit of work anyway.
        self._optimistic = optimistic and database.dialect == "postgresql" and not read_only
        # Each statement atomic by itself: no BEGIN and COMMIT round trips around it (PostgreSQL).
        one_statement_each = read_only or single_write or self._optimistic
        self._autocommit = database.dialect == "postgresql" and one_statement_each
        # The inbound event an optimistic unit of work records with its commit's one statement.
        self._event: dict[str, Any] | None = None

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        connection = self._c
        self.bookings = SqlAlchemyBookingRepository(
            connection, begin=self._begin, actor=self._actor, optimistic=self._optimistic
        )
        self.customers = SqlAlchemyCustomerRepository(connection)
        self.idempotency = SqlAlchemyIdempotencyStore(connection)
        self.inbound_events = SqlAlchemyInboundEventLog(connection)
        self.outbox = SqlAlchemyOutboxReader(connection)
        self.extensions = SqlAlchemyExtensionRepository(connection)
        self.payments = SqlPaymentLedger(connection)
        return self

    async def _open(self) -> AsyncConnection:
        autocommit = self._db.autocommit_engine
        if autocommit is not None and (self._read_only or self._optimistic):
            # Nothing checked out yet; driver-level statements alone never make a Connection (ADR 0023).
            return OnDemandConnection(autocommit)
        if self._autocommit and autocommit is not None:  # PostgreSQL: no writer to mark
            return await autocommit.connect()
        connection = await super()._open()
        if self._autocommit:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        return connection

    async def get_for_event(
        self, booking_id: UUID, *, provider: str, event_id: str, event_type: str, now: datetime
    ) -> tuple[bool, Booking | None]:
        event = inbound_event(provider, event_id, event_type=event_type, now=now, booking_id=booking_id)
        if not self._optimistic:
            return await self.bookings.get_for_event(booking_id, event, lock=True)
        if self._event is not None or booking_id in self.bookings.seen:
            raise Contended("one inbound event per optimistic unit of work")
        unknown, booking = await self.bookings.get_for_event(booking_id, event, lock=False)
        if unknown:
            self._event = event  # recorded by `commit`, with the change, only while still unknown
        return unknown, booking

    async def _begin(self) -> None:
        """Called by a repository before a write of several statements that must be one (a booking's
        careful path). A single-write unit of work becomes an ordinary one from here: on PostgreSQL it
        leaves autocommit, and `commit` commits the transaction with the rest."""
        assert self._connection is not None  # noqa: S101 - used inside `async with`
        if self._optimistic:
            raise Contended("a write of several statements needs a transaction")
        self._single_write = False
        if self._autocommit and not self._read_only:
            await self._connection.commit()  # no round trip: autocommit left no transaction open
            default = self._connection.default_isolation_level
            await self._connection.execution_options(isolation_level=default)
            self._autocommit = False

    async def commit(self) -> None:
        assert self._connection is not None  # noqa: S101 - used inside `async with`
        if self._single_write:
            self._check_nothing_left()
            await self._connection.commit()  # SQLite's writer holds its transaction (BEGIN IMMEDIATE)
            return
        now = datetime.now(UTC)
        if self.inbound_events.unlinked and len(self.bookings.seen) == 1:
            await self.inbound_events.link(next(iter(self.bookings.seen)))
        changed, audit, outbox, ledger = self._changes(now)
        if self._optimistic:
            await self._commit_in_one_statement(changed, audit, outbox, ledger, now)
            return
        if len(changed) == 1 and (audit or outbox or ledger) and is_postgres(self._connection):
            # The common case (a payment event, a cancellation): one round trip for all of them.
            await self._update(*changed[0], now, audit=audit, outbox=outbox, ledger=ledger)
        else:
            for version, booking, state in changed:
                await self._update(version, booking, state, now)
            await self._write_rows(audit, outbox, ledger)
        await self._connection.commit()

    def _changes(self, now: datetime) -> tuple[list[_Changed], _Rows, _Rows, _Rows]:
        """The bookings changed since they were read (with the version read and the columns now), and their
        audit, outbox and payments ledger rows."""
        audit: _Rows = []
        outbox: _Rows = []
        ledger: _Rows = []
        changed: list[_Changed] = []
        for tracked in self.bookings.seen.values():
            booking = tracked.booking
            if tracked.state is not None and (state := booking_state(booking)) != tracked.state:
                changed.append((tracked.version, booking, state))
            audit += audit_rows(booking.events, actor=self._actor)
            outbox += outbox_rows(booking.events, now=now)
            ledger += ledger_rows(booking.events)
            booking.events.clear()
        return changed, audit, outbox, ledger

    async def _commit_in_one_statement(
        self,
        changed: list[_Changed],
        audit: _Rows,
        outbox: _Rows,
        ledger: _Rows,
        now: datetime,
    ) -> None:
        """An optimistic unit of work's one write: the booking it read at that version, its audit, outbox and
        ledger rows and the inbound event, or only the event when nothing changed. Anything else is
        `Contended`."""
        assert self._connection is not None  # noqa: S101 - used inside `async with`
        event = self._event
        if event is None or len(changed) > 1 or (not changed and (audit or outbox or ledger)):
            raise Contended("more than one statement to write")
        if not changed:
            if not await self.inbound_events.record(
                event["provider"],
                event["event_id"],
                event_type=event["event_type"],
                now=event["received_at"],
                booking_id=event["booking_id"],
            ):
                raise Contended("the event was just recorded by another delivery")
            return
        version, booking, state = changed[0]
        try:
            await self._update(
                version, booking, state, now, audit=audit, outbox=outbox, ledger=ledger, event=event
            )
        except (SlotUnavailable, ConcurrentUpdate) as exc:
            raise Contended("the booking or the event changed since they were read") from exc

    async def _write_rows(self, audit: _Rows, outbox: _Rows, ledger: _Rows) -> None:
        assert self._connection is not None  # noqa: S101 - used inside `async with`
        if (bool(audit) + bool(outbox) + bool(ledger)) > 1 and is_postgres(self._connection):
            # One round trip for all, in a statement built once per shape.
            statement = rows_only(len(audit), len(outbox), len(ledger))
            await self._connection.execute(statement, rows_only_params(audit, outbox, ledger))
            return
        if audit:
            await self._connection.execute(t.audit_entries.insert(), audit)
        if outbox:
            outbox_insert = upsert(self._connection, t.outbox_messages).on_conflict_do_nothing()
            await self._connection.execute(outbox_insert, outbox)
        if ledger:
            ledger_insert = upsert(self._connection, t.payment_ledger).on_conflict_do_nothing()
            await self._connection.execute(ledger_insert, ledger)

    def _check_nothing_left(self) -> None:
        """A single-write unit of work wrote its one statement already; anything more would not be atomic."""
        for tracked in self.bookings.seen.values():
            changed = tracked.state is not None and booking_state(tracked.booking) != tracked.state
            if changed or tracked.booking.events:
                raise RuntimeError("a single-write unit of work has more than one write to make")

    async def _update(
        self,
        version: int,
        booking: Booking,
        state: dict[str, Any],
        now: datetime,
        *,
        audit: _Rows | None = None,
        outbox: _Rows | None = None,
        ledger: _Rows | None = None,
        event: dict[str, Any] | None = None,
    ) -> None:
        """Write the booking (its columns `state`) if it is still at `version`; on PostgreSQL its audit,
        outbox and ledger rows, and the inbound event of an optimistic unit of work (then only while that
        event is unknown), may ride along as data-modifying CTEs of the same statement (undone with it when
        the version moved)."""
        assert self._connection is not None  # noqa: S101 - used inside `async with`
        if booking.version == version:
            booking.version += 1
        b = t.bookings.c
        try:
            if not (audit or outbox or ledger or event):
                update = (
                    t.bookings.update()
                    .where(b.id == booking.id, b.version == version)
                    .values(**state, version=booking.version, updated_at=now)
                )
                rowcount = (await self._connection.execute(update)).rowcount
            else:
                rows = (audit or [], outbox or [], ledger or [])
                rowcount = await _update_with_rows(
                    self._connection, version, booking, state, now, *rows, event
                )
        except (DBAPIError, DriverError) as exc:  # a booking moved onto a taken resource or a full slot
            if slot_taken(exc):
                raise SlotUnavailable("that slot was just taken") from exc
            if credits_exceeded(exc):
                raise NoSessionsLeft("the package's last session was just taken") from exc
            raise
        if rowcount != 1:
            raise ConcurrentUpdate(f"booking {booking.id} changed under us")


async def _update_with_rows(
    connection: AsyncConnection,
    version: int,
    booking: Booking,
    state: dict[str, Any],
    now: datetime,
    audit: _Rows,
    outbox: _Rows,
    ledger: _Rows,
    event: dict[str, Any] | None,
) -> int:
    """The one statement's count of bookings updated (0 or 1). An optimistic unit of work's (with the
    inbound `event`), the webhook ingest's hot path, runs at driver level (ADR 0021)."""
    shape = (tuple(state), len(audit), len(outbox))
    of = {"booking_id": booking.id, "version": booking.version, "old_version": version, "updated_at": now}
    if event is None:
        statement = update_with_rows(*shape, ledger_rows=len(ledger))
        params = update_with_rows_params(state, **of, audit=audit, outbox=outbox, ledger=ledger)
        return int((await connection.execute(statement, params)).one().updated)
    at_driver_level, in_its_order = update_with_rows_at_driver_level(connection.dialect, *shape, len(ledger))
    values = update_with_rows_values(state, **of, event=event, audit=audit, outbox=outbox, ledger=ledger)
    return int((await at_driver_level.fetchrow_in(connection, in_its_order(values))).updated)


class SqlAlchemyUnitOfWorkFactory:
    def __init__(self, database: Database) -> None:
        self._db = database

    def __call__(
        self, *, read_only: bool = False, single_write: bool = False, optimistic: bool = False
    ) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(
            self._db, read_only=read_only, single_write=single_write, optimistic=optimistic
        )
