"""`odoo.*` outbox messages: a paid booking is invoiced and its payment registered; a cancelled paid
booking gets a credit note. The booking and customer are re-read when the message is delivered."""

from __future__ import annotations

import logging
from datetime import datetime

from application.errors import ProviderRejected
from application.outbox_routes import AMOUNT_CENTS
from application.ports import AccountingGateway, CatalogSource, ClaimedMessage, Sender, UnitOfWorkFactory
from domain.accounting import Invoice, Partner
from domain.catalog import Money
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.accounting")

INVOICE_REFERENCE = "odoo_invoice_id"
CREDIT_NOTE_REFERENCE = "odoo_credit_note_id"


class AccountingSender:
    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, gateway: AccountingGateway) -> None:
        self._uow, self._catalog, self._gateway = uow, catalog, gateway

    async def send(self, message: ClaimedMessage) -> OutboxState:
        fact = message.topic.partition(".")[2]
        if fact not in ("booking_paid", "booking_refunded") or message.booking_id is None:
            raise ProviderRejected(f"{message.topic} is not an accounting message of a booking")
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(message.booking_id)
            customer = None if booking is None else await uow.customers.get(booking.customer_id)
        if booking is None or customer is None:
            raise ProviderRejected(f"booking {message.booking_id} is gone")
        if booking.price.is_free:
            return OutboxState.SKIPPED
        offering = self._catalog.catalog.offerings.get(booking.offering_id)
        at = datetime.fromisoformat(str(message.payload.get("at") or booking.created_at.isoformat()))
        invoice = Invoice(
            booking_id=booking.id,
            partner=Partner(customer.name, customer.email),
            amount=_amount(booking.price, message.payload.get(AMOUNT_CENTS)),
            label=f"{offering.name if offering else booking.offering_id} ({booking.id})",
            on=at.date(),
        )
        if fact == "booking_paid":
            reference = INVOICE_REFERENCE, await self._gateway.invoice_paid(invoice)
        else:
            reference = CREDIT_NOTE_REFERENCE, await self._gateway.credit(invoice)
        await self._remember(message, *reference)
        return OutboxState.DELIVERED

    async def _remember(self, message: ClaimedMessage, key: str, value: str) -> None:
        """Keep the accounting id on the booking (under its row lock, so no other change is lost)."""
        assert message.booking_id is not None  # noqa: S101 - checked by the caller
        async with self._uow() as uow:
            booking = await uow.bookings.get(message.booking_id, for_update=True)
            if booking is not None and booking.references.get(key) != value:
                await uow.bookings.set_references(booking.id, {**booking.references, key: value})
                await uow.commit()
        log.info("accounting: %s for booking %s is %s %s", message.topic, message.booking_id, key, value)


def _amount(price: Money, partial: object) -> Money:
    """The booking's price, or the amount a credit note names (what the cancellation gave back)."""
    return Money(partial, price.currency) if isinstance(partial, int) else price


_: type[Sender] = AccountingSender
