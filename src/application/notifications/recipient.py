"""What every customer message needs: the booking, its customer and offering (and the extension it is
about, if any), re-read at delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.errors import ProviderRejected
from application.manage_links import ManageLinks
from application.outbox_routes import START, extension_of
from application.ports import CatalogSource, ClaimedMessage, MessageFormats, UnitOfWorkFactory
from domain.booking import Booking
from domain.catalog import Offering, Template
from domain.customer import Customer
from domain.extension import Extension
from domain.notifications import pick_template, placeholders
from domain.reminders import is_at


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

    def values(self, formats: MessageFormats | None = None) -> dict[str, str]:
        """The placeholders' values; with `formats`, dates and prices as the customer's language writes
        them, in the offering's time zone."""
        assert self.offering is not None  # noqa: S101 - called once a template was found
        values = placeholders(
            self.booking, self.customer, self.offering, self.extension, manage_url=self.manage_url
        )
        if formats is None:
            return values
        locale, zone, slot = self.customer.locale, self.offering.timezone, self.booking.slot
        if slot is not None:
            values["start_local"] = formats.datetime(slot.start, zone, locale)
            values["end_local"] = formats.datetime(slot.end, zone, locale)
        price = self.extension.price if self.extension is not None else self.booking.price
        values["amount"] = formats.money(price, locale)
        return values


def outdated(message: ClaimedMessage, booking: Booking, now: datetime) -> bool:
    """A message about one start of the booking (a reminder, a move's notice) that the booking has left:
    moved again, cancelled or ended since; or a reminder that comes once its start has passed."""
    text = message.payload.get(START)
    if text is None:
        return False
    start = datetime.fromisoformat(str(text))
    return not is_at(booking, start) or (event_of(message) == "reminder" and now >= start)


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
