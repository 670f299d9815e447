"""What every customer message needs: the booking, its customer and offering (and the extension it is
about, if any), re-read at delivery."""

from __future__ import annotations

from dataclasses import dataclass

from application.errors import ProviderRejected
from application.manage_links import ManageLinks
from application.outbox_routes import extension_of
from application.ports import CatalogSource, ClaimedMessage, UnitOfWorkFactory
from domain.booking import Booking
from domain.catalog import Offering, Template
from domain.customer import Customer
from domain.extension import Extension
from domain.notifications import pick_template, placeholders


@dataclass(frozen=True, slots=True)
class Recipient:
    booking: Booking
    customer: Customer
    offering: Offering | None
    manage_url: str
    extension: Extension | None = None

    def template(self, event: str, channel: str) -> Template | None:
        """The offering's template for the event and channel in the customer's language, or none."""
        if self.offering is None:
            return None
        return pick_template(self.offering, event, channel, self.customer.locale)

    def values(self) -> dict[str, str]:
        assert self.offering is not None  # noqa: S101 - called once a template was found
        return placeholders(
            self.booking, self.customer, self.offering, self.extension, manage_url=self.manage_url
        )


def event_of(message: ClaimedMessage) -> str:
    """`email.booking_confirmed` and `sms.booking_confirmed` both name the event `booking_confirmed`."""
    return message.topic.partition(".")[2]


async def load_recipient(
    uow: UnitOfWorkFactory, catalog: CatalogSource, links: ManageLinks, message: ClaimedMessage
) -> Recipient:
    if message.booking_id is None:
        raise ProviderRejected(f"{message.topic} without a booking id")
    extension_id = extension_of(message.topic, message.idempotency_key, message.payload)
    extension = None
    async with uow(read_only=True) as work:
        booking = await work.bookings.get(message.booking_id)
        customer = None if booking is None else await work.customers.get(booking.customer_id)
        if booking is not None and extension_id is not None:
            extension = await work.extensions.get(extension_id, booking_id=booking.id)
    if booking is None or customer is None:
        raise ProviderRejected(f"booking {message.booking_id} is gone")
    if extension_id is not None and extension is None:
        raise ProviderRejected(f"extension {extension_id} of booking {booking.id} is gone")
    offering = catalog.catalog.offerings.get(booking.offering_id)
    manage_url = await links.url(booking.id, booking.token_hash)
    return Recipient(booking, customer, offering, manage_url, extension)
