"""The payments ledger: reads only; the unit of work writes its rows with the change that caused them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.persistence import tables as t
from application.ports import LedgerEntry


class SqlPaymentLedger:
    def __init__(self, connection: AsyncConnection) -> None:
        self._c = connection

    async def entry(self, provider: str, provider_ref: str, kind: str) -> LedgerEntry | None:
        p = t.payment_ledger.c
        query = sa.select(t.payment_ledger).where(
            p.provider == provider, p.provider_ref == provider_ref, p.kind == kind
        )
        row = (await self._c.execute(query)).first()
        return entry_from_row(row) if row is not None else None

    async def of_bookings(self, booking_ids: Sequence[UUID]) -> list[LedgerEntry]:
        if not booking_ids:
            return []
        p = t.payment_ledger.c
        query = sa.select(t.payment_ledger).where(p.booking_id.in_(list(booking_ids))).order_by(p.id)
        return [entry_from_row(row) for row in await self._c.execute(query)]

    async def moved_between(self, start: datetime, end: datetime) -> list[UUID]:
        p = t.payment_ledger.c
        first = sa.func.min(p.occurred_at)
        query = (
            sa.select(p.booking_id)
            .where(p.occurred_at >= start, p.occurred_at < end)
            .group_by(p.booking_id)
            .order_by(first, p.booking_id)
        )
        return [row.booking_id for row in await self._c.execute(query)]


def entry_from_row(row: Any) -> LedgerEntry:
    return LedgerEntry(
        provider=row.provider,
        provider_ref=row.provider_ref,
        kind=row.kind,
        amount_cents=row.amount_cents,
        currency=row.currency,
        booking_id=row.booking_id,
        extension_id=row.extension_id,
        payment_ref=row.payment_ref,
        occurred_at=row.occurred_at,
    )
