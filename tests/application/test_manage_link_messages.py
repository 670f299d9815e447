"""`{manage_url}` in messages: a working link for every booking, a Payment Link's one included, and the
payment-failure message's way back to paying."""

from __future__ import annotations

from dataclasses import dataclass, replace

from adapters.memory.email import FakeEmailGateway
from adapters.memory.outbox import InMemoryOutboxQueue
from application.bookings.commands import CreateBooking, CustomerDetails
from application.notifications.email import EmailNotificationSender
from application.outbox.deliver import DeliverOutboxMessages
from application.payments.commands import PaymentFailureReported, PaymentLinkPaid
from application.payments.payment_links import PaymentLinkPaidHandler
from application.tokens import opens
from domain.catalog import Catalog, Template
from domain.outbox import RetryPolicy
from tests.application.builders import LINKS, PUBLIC_URL, TUESDAY_TEN, Handlers, build
from tests.application.test_deliver_outbox import LEASE

WITH_LINK = Template("{offering_name}", "Manage it here: {manage_url}")
TEMPLATES = {
    "booking_confirmed": {"email": {"en": WITH_LINK}},
    "payment_failed": {"email": {"en": Template("Payment failed", "Try again here: {payment_url}")}},
}


@dataclass
class Source:
    catalog: Catalog


def _source(app: Handlers) -> Source:
    catalog = app.catalog.catalog
    van = replace(
        catalog.offerings["van-transfer"], notification_templates=TEMPLATES, stripe_payment_link_id="plink_1"
    )
    return Source(replace(catalog, offerings={**catalog.offerings, "van-transfer": van}))


async def _emails(app: Handlers, source: Source) -> list[str]:
    gateway = FakeEmailGateway()
    sender = EmailNotificationSender(app.uow, source, gateway, LINKS)
    queue = InMemoryOutboxQueue(app.state)
    await DeliverOutboxMessages(queue, {"email": sender}, app.clock, policy=RetryPolicy(), lease=LEASE)()
    return [email.text for email, _ in gateway.sent]


async def _opens_its_booking(link: str, booking_id: object) -> bool:
    assert link.startswith(f"{PUBLIC_URL}/manage/")
    grant = await LINKS.grant_of_link(link.rsplit("/", 1)[1])
    return grant is not None and grant.booking_id == booking_id


async def test_a_payment_link_bookings_confirmation_carries_a_link_that_opens_it() -> None:
    app = build()
    source = _source(app)
    paid = PaymentLinkPaid(
        "stripe", "evt_1", "plink_1", "cs_1", 8500, "EUR", "ada@example.com", "Ada", None, "pi_1"
    )
    await PaymentLinkPaidHandler(app.uow, source, app.clock)(paid)
    [text] = await _emails(app, source)
    [booking] = app.state.bookings.values()

    link = text.removeprefix("Manage it here: ")
    assert await _opens_its_booking(link, booking.id)
    grant = await LINKS.grant_of_link(link.rsplit("/", 1)[1])
    assert grant is not None
    assert opens(grant, booking.id, booking.token_hash)


async def test_the_payment_failure_message_links_to_the_booking_to_try_again() -> None:
    app = build()
    source = _source(app)
    customer = CustomerDetails(name="Ada Lovelace", email="ada@example.com")
    created = await app.create(CreateBooking("van-transfer", customer, start=TUESDAY_TEN))
    stored = app.state.bookings[created.booking_id]
    stored.references.pop("payment_url", None)  # a PaymentIntent: no provider page to go back to
    await app.payment_event(PaymentFailureReported("stripe", "evt_f", created.booking_id))
    [text] = await _emails(app, source)

    link = text.removeprefix("Try again here: ")
    assert await _opens_its_booking(link, created.booking_id)
