"""Export: everything the hub holds about one person, as the person may ask for it."""

from __future__ import annotations

from collections import defaultdict

from application.errors import NotFound
from application.outbox_routes import CUSTOMER_CHANNELS
from application.privacy.commands import (
    CustomerExport,
    ExportedBooking,
    ExportedCustomer,
    ExportedExtension,
)
from application.privacy.ports import PersonalDataFactory
from domain.booking import Booking
from domain.customer import normalise_email
from domain.extension import Extension


class ExportCustomerData:
    """The customer, every booking with its intake answers, addresses, vehicle and extensions, and the
    messages sent to them that the outbox still holds (delivered or not, and which). Raises NotFound
    for an email the hub does not know."""

    def __init__(self, personal_data: PersonalDataFactory) -> None:
        self._data = personal_data

    async def __call__(self, email: str) -> CustomerExport:
        async with self._data(read_only=True) as data:
            customer = await data.customer(email=normalise_email(email))
            if customer is None:
                raise NotFound("no customer has that email")
            bookings = await data.bookings_of(customer.id)
            ids = [b.id for b in bookings]
            extensions = await data.extensions_of(ids)
            messages = await data.messages_to(ids, CUSTOMER_CHANNELS)
        by_booking: dict[object, list[Extension]] = defaultdict(list)
        for extension in extensions:
            by_booking[extension.booking_id].append(extension)
        exported = ExportedCustomer(
            customer.id, customer.name, customer.email, customer.phone, customer.locale, customer.references
        )
        return CustomerExport(exported, [_booking(b, by_booking[b.id]) for b in bookings], messages)


def _booking(b: Booking, extensions: list[Extension]) -> ExportedBooking:
    dispatch = b.dispatch
    return ExportedBooking(
        booking_id=b.id,
        offering_id=b.offering_id,
        status=b.status.value,
        payment_status=b.payment_status.value,
        amount_cents=b.price.amount_cents,
        currency=b.price.currency,
        start=b.slot.start if b.slot else None,
        end=b.slot.end if b.slot else None,
        created_at=b.created_at,
        notes=b.notes,
        intake=dict(b.intake),
        pickup_address=dispatch.pickup if dispatch else None,
        delivery_address=dispatch.delivery if dispatch else None,
        vehicle=dispatch.vehicle if dispatch else None,
        references=dict(b.references),
        extensions=[
            ExportedExtension(
                e.id, e.description, e.price.amount_cents, e.price.currency, e.status.value, e.created_at
            )
            for e in extensions
        ],
    )
