"""`odoo.*` outbox messages: the customer becomes a partner when they book; a paid booking is invoiced
with its payment; a paid extension gets a supplementary invoice with its payment; each refund the
provider reported is a credit note of the refunded amount. The booking, customer and extension are
re-read when the message is delivered; every step is found before it is made (the gateway's rule)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from uuid import UUID

from application.accounting.ports import AccountingGateway
from application.errors import ProviderRejected
from application.outbox_routes import AMOUNT_CENTS, EXTENSION_ID
from application.ports import CatalogSource, ClaimedMessage, Sender, UnitOfWorkFactory
from domain.accounting import CreditNote, Invoice, Partner, extension_reference, refund_reference
from domain.booking import Booking
from domain.catalog import Money
from domain.customer import Customer
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.accounting")

INVOICE_REFERENCE = "odoo_invoice_id"
PARTNER_REFERENCE = "odoo_partner_id"  # on the customer
_FACTS = ("booking_created", "booking_paid", "extension_paid", "credit_note", "booking_refunded")


class AccountingSender:
    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, gateway: AccountingGateway) -> None:
        self._uow, self._catalog, self._gateway = uow, catalog, gateway

    async def send(self, message: ClaimedMessage) -> OutboxState:
        fact = message.topic.partition(".")[2]
        if fact not in _FACTS or message.booking_id is None:
            raise ProviderRejected(f"{message.topic} is not an accounting message of a booking")
        booking, customer = await self._read(message.booking_id)
        partner = _partner(booking, customer)
        if fact == "booking_created":
            await self._remember_partner(customer, await self._gateway.partner(partner))
            return OutboxState.DELIVERED
        if booking.price.is_free:
            return OutboxState.SKIPPED
        on = _date(message, booking)
        if fact == "booking_paid":
            invoice = Invoice(booking.id, partner, booking.price, self._label(booking), on)
            await self._remember_invoice(booking.id, await self._gateway.invoice_paid(invoice))
        elif fact == "extension_paid":
            await self._gateway.invoice_paid(await self._extension_invoice(message, booking, partner, on))
        else:
            await self._gateway.credit(self._credit_note(message, booking, partner, on))
        return OutboxState.DELIVERED

    async def _read(self, booking_id: UUID) -> tuple[Booking, Customer]:
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(booking_id)
            customer = None if booking is None else await uow.customers.get(booking.customer_id)
        if booking is None or customer is None:
            raise ProviderRejected(f"booking {booking_id} is gone")
        return booking, customer

    def _label(self, booking: Booking) -> str:
        offering = self._catalog.catalog.offerings.get(booking.offering_id)
        return f"{offering.name if offering else booking.offering_id} ({booking.id})"

    async def _extension_invoice(
        self, message: ClaimedMessage, booking: Booking, partner: Partner, on: date
    ) -> Invoice:
        extension_id = UUID(str(message.payload[EXTENSION_ID]))
        async with self._uow(read_only=True) as uow:
            extension = await uow.extensions.get(extension_id, booking_id=booking.id)
        if extension is None:
            raise ProviderRejected(f"extension {extension_id} of booking {booking.id} is gone")
        label = f"Ergänzungsrechnung / supplementary invoice: {extension.description} ({booking.id})"
        reference = extension_reference(booking.id, extension.id)
        return Invoice(booking.id, partner, extension.price, label[:500], on, reference, extension.id)

    def _credit_note(
        self, message: ClaimedMessage, booking: Booking, partner: Partner, on: date
    ) -> CreditNote:
        payload = message.payload
        if message.topic.endswith(".booking_refunded"):  # written before refunds were credited one by one
            reference, invoice_ref = f"refund:{booking.id}", str(booking.id)
            amount = _amount(booking.price, payload.get(AMOUNT_CENTS))
            return CreditNote(booking.id, partner, amount, self._label(booking), on, reference, invoice_ref)
        amount = Money(int(payload[AMOUNT_CENTS]), str(payload.get("currency") or booking.price.currency))
        extension = UUID(str(payload[EXTENSION_ID])) if payload.get(EXTENSION_ID) else None
        invoice_ref = extension_reference(booking.id, extension) if extension else str(booking.id)
        reference = refund_reference(booking.id, str(payload["provider"]), str(payload["refund_ref"]))
        label = f"Refund of {invoice_ref}"
        return CreditNote(booking.id, partner, amount, label, on, reference, invoice_ref, extension)

    async def _remember_partner(self, customer: Customer, partner_id: str) -> None:
        if customer.references.get(PARTNER_REFERENCE) != partner_id:
            async with self._uow() as uow:
                await uow.customers.set_reference(customer.id, PARTNER_REFERENCE, partner_id)
                await uow.commit()
        log.info("accounting: customer %s is partner %s", customer.id, partner_id)

    async def _remember_invoice(self, booking_id: UUID, value: str) -> None:
        """Keep the invoice id on the booking (under its row lock, so no other change is lost)."""
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is not None and booking.references.get(INVOICE_REFERENCE) != value:
                await uow.bookings.set_references(
                    booking.id, {**booking.references, INVOICE_REFERENCE: value}
                )
                await uow.commit()
        log.info("accounting: booking %s is invoice %s", booking_id, value)


def _partner(booking: Booking, customer: Customer) -> Partner:
    """The customer, with the pickup address of a booking that sends a driver, and their kept id."""
    address = booking.dispatch.pickup if booking.dispatch is not None else None
    ref = customer.references.get(PARTNER_REFERENCE)
    return Partner(customer.name, customer.email, customer.phone, address, ref)


def _date(message: ClaimedMessage, booking: Booking) -> date:
    """A document is dated by its fact, so a late delivery dates it the same."""
    return datetime.fromisoformat(str(message.payload.get("at") or booking.created_at.isoformat())).date()


def _amount(price: Money, partial: object) -> Money:
    """The booking's price, or the part of it a legacy `booking_refunded` message names."""
    return Money(partial, price.currency) if isinstance(partial, int) else price


_: type[Sender] = AccountingSender
