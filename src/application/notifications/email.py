"""`email.*` outbox messages: re-read the booking, pick the template in the customer's language, send."""

from __future__ import annotations

import logging

from application.errors import ProviderRejected
from application.ports import CatalogSource, ClaimedMessage, EmailGateway, Sender, UnitOfWorkFactory
from domain.notifications import email_for, pick_template, placeholders
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.notifications")


class EmailNotificationSender:
    """The topic names the event (`email.booking_confirmed`). An offering with no email template for it
    in any language has nothing to send: the message is settled as skipped."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, email: EmailGateway) -> None:
        self._uow, self._catalog, self._email = uow, catalog, email

    async def send(self, message: ClaimedMessage) -> OutboxState:
        event = message.topic.partition(".")[2]
        if message.booking_id is None:
            raise ProviderRejected(f"{message.topic} without a booking id")
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(message.booking_id)
            customer = None if booking is None else await uow.customers.get(booking.customer_id)
        if booking is None or customer is None:
            raise ProviderRejected(f"booking {message.booking_id} is gone")
        offering = self._catalog.catalog.offerings.get(booking.offering_id)
        template = None if offering is None else pick_template(offering, event, "email", customer.locale)
        if offering is None or template is None:
            log.info("no email template for %s of booking %s: skipped", event, booking.id)
            return OutboxState.SKIPPED
        email = email_for(template, customer, placeholders(booking, customer, offering))
        await self._email.send_email(email, idempotency_key=message.idempotency_key)
        return OutboxState.DELIVERED


_: type[Sender] = EmailNotificationSender
