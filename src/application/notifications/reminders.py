"""`reminders.plan` outbox messages: a booking got a (new) start; its offering's `reminder_hours` say
when to remind the customer. Each reminder is an `email.reminder` and `sms.reminder` message due at its
time, keyed by the start, so a move leaves the old ones stale (their senders skip them)."""

from __future__ import annotations

import logging
from datetime import datetime

from application.errors import ProviderRejected
from application.outbox_routes import START
from application.ports import CatalogSource, ClaimedMessage, Clock, Sender, UnitOfWorkFactory
from domain.outbox import OutboxState
from domain.reminders import plan_reminders

log = logging.getLogger("bookhub.notifications")


class PlanReminders:
    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def send(self, message: ClaimedMessage) -> OutboxState:
        if message.booking_id is None or START not in message.payload:
            raise ProviderRejected(f"{message.topic} without a booking or a start")
        start = datetime.fromisoformat(str(message.payload[START]))
        since = datetime.fromisoformat(str(message.payload.get("at") or message.payload[START]))
        async with self._uow() as uow:
            booking = await uow.bookings.get(message.booking_id, for_update=True)
            if booking is None:
                raise ProviderRejected(f"booking {message.booking_id} is gone")
            offering = self._catalog.catalog.offerings.get(booking.offering_id)
            hours = offering.reminder_hours if offering is not None else ()
            planned = plan_reminders(booking, start, hours, since=since, now=self._clock.now())
            if not planned:
                return OutboxState.SKIPPED
            await uow.commit()
        log.info("%s reminders planned for booking %s", planned, message.booking_id)
        return OutboxState.DELIVERED


_: type[Sender] = PlanReminders
