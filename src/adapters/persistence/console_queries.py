"""The staff console's overview read from SQL: a day's bookings, the booking search, hourly delivery
counts, webhook counts and events; and putting an integration's dead messages back in the queue.

The search reads the matching booking ids first, as a union of index lookups (the booking id prefix as a
range of the primary key; customers by email prefix or name), so no branch of it scans the bookings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from adapters.persistence import tables as t
from adapters.persistence.database import Database
from application.console.commands import BookingFilter, BookingRow, HourCount, ScheduledBooking, WebhookEvent
from application.outbox_routes import integration_of
from domain.outbox import OutboxState

b, c, ev = t.bookings.c, t.customers.c, t.inbound_events.c
_JOINED = t.bookings.join(t.customers, c.id == b.customer_id)


class SqlConsoleReadModel:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def bookings_starting(
        self, start: datetime, end: datetime, *, statuses: Sequence[str], now: datetime
    ) -> list[ScheduledBooking]:
        held = sa.or_(b.status != "pending_payment", b.hold_expires_at.is_(None), b.hold_expires_at > now)
        query = (
            sa.select(
                b.id, b.start_at, b.end_at, b.offering_id, b.status, b.payment_status, c.name, b.resource_id
            )
            .select_from(_JOINED)
            .where(b.start_at >= start, b.start_at < end, b.status.in_(list(statuses)), held)
            .order_by(b.start_at, b.id)
        )
        return [
            ScheduledBooking(
                r.id,
                r.start_at,
                r.end_at,
                r.offering_id,
                "",
                r.status,
                r.payment_status,
                r.name,
                r.resource_id,
            )
            for r in await self._rows(query)
        ]

    async def search_bookings(self, where: BookingFilter, *, offset: int, limit: int) -> list[BookingRow]:
        query = (
            sa.select(
                b.id,
                b.offering_id,
                b.status,
                b.payment_status,
                b.start_at,
                c.name,
                c.email,
                b.amount_cents,
                b.currency,
            )
            .select_from(_JOINED)
            .where(*_conditions(where))
            .order_by(b.start_at.desc().nulls_first(), b.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            BookingRow(
                r.id,
                r.offering_id,
                r.status,
                r.payment_status,
                r.start_at,
                r.name,
                r.email,
                r.amount_cents,
                r.currency,
            )
            for r in await self._rows(query)
        ]

    async def delivery_hours(self, since: datetime) -> dict[str, list[HourCount]]:
        a = t.delivery_attempts.c
        query = (
            sa.select(a.integration, a.hour, a.delivered, a.failed).where(a.hour >= since).order_by(a.hour)
        )
        hours: dict[str, list[HourCount]] = {}
        for r in await self._rows(query):
            hours.setdefault(r.integration, []).append(HourCount(r.hour, r.delivered, r.failed))
        return hours

    async def webhook_counts(self, providers: Sequence[str], since: datetime) -> dict[str, tuple[int, int]]:
        """Accepted events by the received_at index; refusals from their hourly counts."""
        r = t.webhook_refusals.c
        accepted = (
            sa.select(ev.provider, sa.func.count())
            .where(ev.provider.in_(list(providers)), ev.received_at >= since)
            .group_by(ev.provider)
        )
        refused = sa.select(r.provider, sa.func.sum(r.refused)).where(r.hour >= since).group_by(r.provider)
        counts: dict[str, list[int]] = {}
        for provider, n in await self._rows(accepted):
            counts.setdefault(provider, [0, 0])[0] = int(n)
        for provider, n in await self._rows(refused):
            counts.setdefault(provider, [0, 0])[1] = int(n)
        return {provider: (a, f) for provider, (a, f) in counts.items()}

    async def webhook_events(self, provider: str | None, *, offset: int, limit: int) -> list[WebhookEvent]:
        query = sa.select(ev.provider, ev.event_type, ev.received_at)
        if provider is None:
            query = query.order_by(ev.id.desc())
        else:
            query = query.where(ev.provider == provider).order_by(ev.received_at.desc(), ev.id.desc())
        return [
            WebhookEvent(r.provider, r.event_type, "accepted", r.received_at)
            for r in await self._rows(query.offset(offset).limit(limit))
        ]

    async def _rows(self, query: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
        async with self._db.engine.connect() as connection:
            return (await connection.execute(query)).all()


class SqlDeadLetters:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def retry_dead(self, integration: str, *, now: datetime) -> int:
        o = t.outbox_messages.c
        dead = OutboxState.DEAD.value
        async with self._db.writing() as connection:
            rows = await connection.execute(sa.select(o.id, o.topic).where(o.state == dead))
            ids = sorted(r.id for r in rows if integration_of(r.topic) == integration)
            if not ids:
                return 0
            result = await connection.execute(
                t.outbox_messages.update()
                .where(o.id.in_(ids), o.state == dead)
                .values(
                    state=OutboxState.PENDING.value,
                    attempts=0,
                    next_attempt_at=now,
                    claimed_until=None,
                    last_error=None,
                )
            )
        return int(result.rowcount)


def _conditions(where: BookingFilter) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    matching = _matching_ids(where)
    if matching is not None:
        found.append(b.id.in_(matching))
    if where.status is not None:
        found.append(b.status == where.status)
    if where.offering_id is not None:
        found.append(b.offering_id == where.offering_id)
    if where.start_from is not None:
        found.append(b.start_at >= where.start_from)
    if where.start_before is not None:
        found.append(b.start_at < where.start_before)
    return found


def _matching_ids(where: BookingFilter) -> sa.Select[Any] | None:
    """The ids of bookings whose id starts with the prefix, or whose customer's email starts with the
    text or name contains it: a union of index lookups (customers by email, bookings by customer)."""
    branches: list[sa.Select[Any]] = []
    if where.id_prefix is not None:
        low, high = (UUID(where.id_prefix.ljust(32, digit)) for digit in "0f")
        branches.append(sa.select(b.id).where(b.id >= low, b.id <= high))
    people: list[sa.ColumnElement[bool]] = []
    if where.email_prefix is not None:
        people.append(c.email.startswith(where.email_prefix, autoescape=True))
    if where.name_part is not None:
        people.append(c.name.icontains(where.name_part, autoescape=True))
    if people:
        customers = sa.select(c.id).where(sa.or_(*people))
        branches.append(sa.select(b.id).where(b.customer_id.in_(customers)))
    if not branches:
        return None
    return branches[0] if len(branches) == 1 else sa.union(*branches)  # type: ignore[return-value]
