"""`sms.*` outbox messages: the same events as email, to customers who gave a phone number."""

from __future__ import annotations

import logging

from application.manage_links import ManageLinks
from application.notifications.recipient import event_of, load_recipient
from application.ports import CatalogSource, ClaimedMessage, Sender, SmsGateway, UnitOfWorkFactory
from domain.notifications import sms_for
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.notifications")


class SmsNotificationSender:
    """A customer without a phone, or an offering with no sms template for the event in any language,
    has nothing to send: the message is settled as skipped."""

    def __init__(
        self, uow: UnitOfWorkFactory, catalog: CatalogSource, sms: SmsGateway, links: ManageLinks
    ) -> None:
        self._uow, self._catalog, self._sms, self._links = uow, catalog, sms, links

    async def send(self, message: ClaimedMessage) -> OutboxState:
        event = event_of(message)
        recipient = await load_recipient(self._uow, self._catalog, self._links, message)
        phone = recipient.customer.phone
        template = recipient.template(event, "sms") if phone else None
        if phone is None or template is None:
            why = "no phone" if phone is None else "no sms template"
            log.info("%s for %s of booking %s: skipped", why, event, recipient.booking.id)
            return OutboxState.SKIPPED
        sms = sms_for(template, phone, recipient.values())
        await self._sms.send_sms(sms, idempotency_key=message.idempotency_key)
        return OutboxState.DELIVERED


_: type[Sender] = SmsNotificationSender
