"""One booking's history for staff: who did what (audit entries), what went out (outbox deliveries),
what came in (provider events applied to it), and the money (the payments ledger), as one list by time."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.bookings.commands import BookingTimeline, TimelineItem
from application.bookings.ports import AuditRecord, InboundRecord, TimelineReader
from application.errors import NotFound
from application.ports import LedgerEntry, UnitOfWorkFactory


class GetBookingTimeline:
    def __init__(self, uow: UnitOfWorkFactory, reader: TimelineReader) -> None:
        self._uow, self._reader = uow, reader

    async def __call__(self, booking_id: UUID) -> BookingTimeline:
        """404 `not_found` for an unknown booking."""
        async with self._uow(read_only=True) as uow:
            if await uow.bookings.get(booking_id) is None:
                raise NotFound("no such booking")
            payments = await uow.payments.of_bookings([booking_id])
        records = await self._reader.records(booking_id)
        items: list[TimelineItem] = [*records.inbound, *records.audit, *payments, *records.deliveries]
        items.sort(key=_when)
        return BookingTimeline(booking_id, items, payments)


def _when(item: TimelineItem) -> tuple[datetime, int]:
    """By time; of two things at the same instant, the cause first: a provider's event, the change it
    made, the money it recorded, then what the change sent out."""
    if isinstance(item, LedgerEntry):
        return item.occurred_at, 2
    rank = 0 if isinstance(item, InboundRecord) else 1 if isinstance(item, AuditRecord) else 3
    return item.at, rank
