"""Email messages on in-memory adapters: the customer's template, the outbox key, skipped when none."""

from __future__ import annotations

from dataclasses import dataclass, replace

from adapters.memory.email import FakeEmailGateway
from adapters.memory.outbox import InMemoryOutboxQueue
from application.bookings.commands import CreateBooking, CustomerDetails
from application.errors import ProviderUnavailable
from application.notifications.email import EmailNotificationSender
from application.outbox.commands import DeliveryOutcome
from application.outbox.deliver import DeliverOutboxMessages
from application.payments.commands import PaymentSucceeded
from domain.catalog import Catalog, Template
from domain.outbox import RetryPolicy
from tests.application.builders import LINKS, TUESDAY_TEN, build
from tests.application.test_deliver_outbox import LEASE

TEMPLATES = {
    "booking_confirmed": {
        "email": {
            "en": Template("Booked: {offering_name}", "Hello {customer_name}, see you on {start_local}."),
            "fr": Template("Réservé : {offering_name}", "Bonjour {customer_name}, à {start_local}."),
        }
    }
}


@dataclass
class Source:
    catalog: Catalog


def _with_templates(catalog: Catalog) -> Source:
    van = replace(catalog.offerings["van-transfer"], notification_templates=TEMPLATES)
    return Source(replace(catalog, offerings={**catalog.offerings, "van-transfer": van}))


async def _deliver(
    locale: str, gateway: FakeEmailGateway, *, offering: str = "van-transfer"
) -> list[DeliveryOutcome]:
    app = build()
    customer = CustomerDetails(name="Ada Lovelace", email="ada@example.com", locale=locale)
    created = await app.create(CreateBooking(offering, customer, start=TUESDAY_TEN))
    if offering == "van-transfer":
        await app.payment_event(PaymentSucceeded("sandbox", "evt_1", created.booking_id, 8500, "EUR"))
    sender = EmailNotificationSender(app.uow, _with_templates(app.catalog.catalog), gateway, LINKS)
    queue = InMemoryOutboxQueue(app.state)
    deliver = DeliverOutboxMessages(queue, {"email": sender}, app.clock, policy=RetryPolicy(), lease=LEASE)
    return [d.outcome for d in await deliver() if d.topic.startswith("email.")]


async def test_a_confirmed_booking_is_emailed_in_the_customers_language_with_the_outbox_key() -> None:
    gateway = FakeEmailGateway()
    assert await _deliver("fr", gateway) == [DeliveryOutcome.DELIVERED]
    [(email, key)] = gateway.sent
    assert (email.to, email.subject) == ("ada@example.com", "Réservé : Transfer in the one van")
    assert email.text == "Bonjour Ada Lovelace, à 2026-06-02 10:00."
    assert key.startswith("email.booking_confirmed:")


async def test_a_language_without_a_template_falls_back_to_english() -> None:
    gateway = FakeEmailGateway()
    await _deliver("de", gateway)
    assert gateway.sent[0][0].subject == "Booked: Transfer in the one van"


async def test_an_offering_without_a_template_for_the_event_is_skipped() -> None:
    gateway = FakeEmailGateway()
    assert await _deliver("en", gateway, offering="coaching") == [DeliveryOutcome.SKIPPED]
    assert gateway.sent == []


async def test_a_gateway_that_is_down_is_retried() -> None:
    gateway = FakeEmailGateway(ProviderUnavailable("resend answered HTTP 503"))
    assert await _deliver("en", gateway) == [DeliveryOutcome.RETRYING]
