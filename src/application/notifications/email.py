"""`email.*` outbox messages: re-read the booking, pick the template in the customer's language, send."""

from __future__ import annotations

import logging

from application.manage_links import ManageLinks
from application.notifications.recipient import event_of, load_recipient
from application.ports import CatalogSource, ClaimedMessage, EmailGateway, Sender, UnitOfWorkFactory
from domain.notifications import email_for
from domain.outbox import OutboxState
from domain.privacy import is_erased

log = logging.getLogger("bookhub.notifications")


class EmailNotificationSender:
    """The topic names the event (`email.booking_confirmed`). An offering with no email template for it
    in any language has nothing to send: the message is settled as skipped."""

    def __init__(
        self, uow: UnitOfWorkFactory, catalog: CatalogSource, email: EmailGateway, links: ManageLinks
    ) -> None:
        self._uow, self._catalog, self._email, self._links = uow, catalog, email, links

    async def send(self, message: ClaimedMessage) -> OutboxState:
        event = event_of(message)
        recipient = await load_recipient(self._uow, self._catalog, self._links, message)
        if is_erased(recipient.customer.email):  # erased while this message was on its way
            log.info("%s of booking %s: the customer was erased, skipped", event, recipient.booking.id)
            return OutboxState.SKIPPED
        template = recipient.template(event, "email")
        if template is None:
            log.info("no email template for %s of booking %s: skipped", event, recipient.booking.id)
            return OutboxState.SKIPPED
        email = email_for(template, recipient.customer, recipient.values())
        await self._email.send_email(email, idempotency_key=message.idempotency_key)
        return OutboxState.DELIVERED


_: type[Sender] = EmailNotificationSender
