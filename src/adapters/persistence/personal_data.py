"""Everything the hub stores about a person, in one transaction: read for an export, rewritten for an
erasure. Rows that are linked to the person (a `customer_id` or `booking_id` column) in any table of
the schema are searched for their values, so a table added later is erased without a change here."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from adapters.persistence.dialect import locked, upsert
from adapters.persistence.extensions import extension_from_row
from adapters.persistence.mappers import booking_from_row, booking_state, customer_from_row
from adapters.persistence.records import outbox_message_row
from adapters.persistence.scope import TransactionScope
from adapters.persistence.uow import ConcurrentUpdate
from application.privacy.commands import ErasurePlan, SentMessage
from domain.booking import Booking
from domain.customer import Customer
from domain.extension import Extension
from domain.outbox import OutboxState, target_of
from domain.privacy import scrub

_ERASED_EMAIL = ("erased-", "@invalid")
_SETTLE = (OutboxState.PENDING.value, OutboxState.DEAD.value)
_ID_SUFFIXES = ("_id", "_ref", "_key", "_hash")


class SqlPersonalData(TransactionScope):
    """`read_only`: an export reads without locks; otherwise one write transaction that locks the
    customer and their bookings (on SQLite: the one writer's turn)."""

    def __init__(self, database: Database, *, read_only: bool = False) -> None:
        super().__init__(database, read_only=read_only)
        self._versions: dict[UUID, int] = {}

    def _for_update(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query if self._read_only else locked(self._c, query)

    async def customer(self, *, email: str | None = None, customer_id: UUID | None = None) -> Customer | None:
        c = t.customers.c
        where = c.email == email if email is not None else c.id == customer_id
        row = (await self._c.execute(self._for_update(sa.select(t.customers).where(where)))).first()
        return customer_from_row(row) if row is not None else None

    async def bookings_of(self, customer_id: UUID) -> list[Booking]:
        b = t.bookings.c
        query = (
            sa.select(t.bookings).where(b.customer_id == customer_id).order_by(b.created_at, b.start_at, b.id)
        )
        rows = (await self._c.execute(self._for_update(query))).all()
        self._versions.update((row.id, row.version) for row in rows)
        return [booking_from_row(row) for row in rows]

    async def extensions_of(self, booking_ids: Sequence[UUID]) -> list[Extension]:
        e = t.booking_extensions.c
        query = sa.select(t.booking_extensions).where(e.booking_id.in_(booking_ids))
        return [extension_from_row(row) for row in await self._c.execute(query.order_by(e.created_at, e.id))]

    async def messages_to(self, booking_ids: Sequence[UUID], channels: Sequence[str]) -> list[SentMessage]:
        o = t.outbox_messages.c
        query = (
            sa.select(o.topic, o.state, o.booking_id, o.created_at, o.delivered_at)
            .where(o.booking_id.in_(booking_ids), sa.or_(*(o.topic.startswith(f"{ch}.") for ch in channels)))
            .order_by(o.created_at, o.id)
        )
        return [
            SentMessage(
                topic=r.topic,
                channel=target_of(r.topic),
                at=r.delivered_at
                if r.state == OutboxState.DELIVERED.value and r.delivered_at
                else r.created_at,
                state=r.state,
                booking_id=r.booking_id,
            )
            for r in await self._c.execute(query)
        ]

    async def lapsed(self, *, ended_before: datetime, limit: int) -> list[UUID]:
        c, b = t.customers.c, t.bookings.c
        erased = sa.and_(c.email.startswith(_ERASED_EMAIL[0]), c.email.endswith(_ERASED_EMAIL[1]))
        kept = (
            sa.select(b.id)
            .where(b.customer_id == c.id)
            .where(
                sa.or_(
                    b.status == "in_service",
                    sa.and_(b.status.in_(("pending", "confirmed", "scheduled")), b.end_at.is_(None)),
                    sa.func.coalesce(b.end_at, b.created_at) >= ended_before,
                )
            )
        )
        # A customer with bookings is judged by them; one without (created, then never booked) by its age.
        booked = sa.select(b.id).where(b.customer_id == c.id)
        query = (
            sa.select(c.id)
            .where(~erased, ~sa.exists(kept), sa.or_(sa.exists(booked), c.created_at < ended_before))
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        return list((await self._c.execute(query)).scalars())

    async def erase(self, plan: ErasurePlan) -> int:
        now = datetime.now(UTC)
        customer = plan.customer
        await self._c.execute(
            t.customers.update()
            .where(t.customers.c.id == customer.id)
            .values(name=customer.name, email=customer.email, phone=customer.phone, refs=customer.references)
        )
        for booking in plan.bookings:
            await self._write_booking(booking, now)
        ids = [b.id for b in plan.bookings]
        await self._unreplayable(ids)
        skipped = await self._skip(ids, plan.skipped_targets, now)
        await self._scrub_linked(customer.id, ids, plan.secrets)
        if plan.messages:
            rows = [outbox_message_row(m, now=now) for m in plan.messages]
            await self._c.execute(upsert(self._c, t.outbox_messages).on_conflict_do_nothing(), rows)
        return skipped

    async def commit(self) -> None:
        await self._c.commit()

    async def _write_booking(self, booking: Booking, now: datetime) -> None:
        b = t.bookings.c
        version = self._versions[booking.id]
        statement = (
            t.bookings.update()
            .where(b.id == booking.id, b.version == version)
            .values(
                **booking_state(booking), token_hash=booking.token_hash, version=version + 1, updated_at=now
            )
        )
        if (await self._c.execute(statement)).rowcount != 1:
            raise ConcurrentUpdate(f"booking {booking.id} changed under us")

    async def _unreplayable(self, booking_ids: Sequence[UUID]) -> None:
        """A stored request's hash (of the name and email) and its sealed token, each made random: a retry
        of the old request is refused as another request, and opens nothing."""
        k = t.idempotency_keys.c
        rows = (await self._c.execute(sa.select(k.key_hash).where(k.booking_id.in_(booking_ids)))).scalars()
        for key_hash in rows:
            await self._c.execute(
                t.idempotency_keys.update()
                .where(k.key_hash == key_hash)
                .values(request_hash=secrets.token_hex(32), token_cipher=secrets.token_bytes(32))
            )

    async def _skip(self, booking_ids: Sequence[UUID], targets: frozenset[str], now: datetime) -> int:
        o = t.outbox_messages.c
        statement = (
            t.outbox_messages.update()
            .where(
                o.booking_id.in_(booking_ids),
                o.state.in_(_SETTLE),
                sa.or_(*(o.topic.startswith(f"{target}.") for target in sorted(targets))),
            )
            .values(state=OutboxState.SKIPPED.value, delivered_at=now, claimed_until=None, last_error=None)
        )
        return int((await self._c.execute(statement)).rowcount)

    async def _scrub_linked(
        self, customer_id: UUID, booking_ids: Sequence[UUID], secrets: frozenset[str]
    ) -> None:
        """The person's values replaced in the free text and JSON of every row linked to them."""
        if not secrets:
            return
        for table in t.metadata.sorted_tables:
            columns = [col for col in table.columns if _free_text(col)]
            link = _link(table, customer_id, booking_ids)
            if not columns or link is None:
                continue
            keys = list(table.primary_key.columns)
            for row in await self._c.execute(sa.select(*keys, *columns).where(link)):
                changes = {}
                for col in columns:
                    value = getattr(row, col.name)
                    scrubbed = scrub(value, secrets) if value is not None else None
                    if scrubbed != value:
                        changes[col.name] = scrubbed
                if changes:
                    where = [key == getattr(row, key.name) for key in keys]
                    await self._c.execute(table.update().where(*where).values(**changes))


def _free_text(column: sa.Column[Any]) -> bool:
    """JSON, and text long enough to hold a name or address that is not an id, key or hash."""
    if column.primary_key or column.name == "id" or column.name.endswith(_ID_SUFFIXES):
        return False
    kind = column.type
    if isinstance(kind, sa.JSON | sa.Text):
        return True
    return isinstance(kind, sa.String) and (kind.length is None or kind.length >= 100)


def _link(table: sa.Table, customer_id: UUID, booking_ids: Sequence[UUID]) -> sa.ColumnElement[bool] | None:
    if table is t.customers:
        return t.customers.c.id == customer_id
    if "booking_id" in table.c:
        return table.c.booking_id.in_(booking_ids)
    if "customer_id" in table.c:
        return table.c.customer_id == customer_id
    return None


class SqlPersonalDataFactory:
    def __init__(self, database: Database) -> None:
        self._db = database

    def __call__(self, *, read_only: bool = False) -> SqlPersonalData:
        return SqlPersonalData(self._db, read_only=read_only)
