"""SMS messages on in-memory adapters: the same events as email, to customers with a phone."""

from __future__ import annotations

from dataclasses import dataclass, replace

from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.memory.sms import FakeSmsGateway
from application.bookings.commands import CreateBooking, CustomerDetails
from application.errors import ProviderUnavailable
from application.notifications.sms import SmsNotificationSender
from application.outbox.commands import DeliveryOutcome
from application.outbox.deliver import DeliverOutboxMessages
from application.payments.commands import PaymentSucceeded
from domain.catalog import Catalog, Template
from domain.outbox import RetryPolicy
from tests.application.builders import LINKS, TUESDAY_TEN, build
from tests.application.test_deliver_outbox import LEASE

TEMPLATES = {
    "booking_confirmed": {
        "email": {"en": Template("Booked", "Hello {customer_name}.")},
        "sms": {
            "en": Template(None, "{offering_name}: see you on {start_local}."),
            "fr": Template(None, "{offering_name} : à {start_local}."),
        },
    }
}


@dataclass
class Source:
    catalog: Catalog


def _with_templates(catalog: Catalog) -> Source:
    van = replace(catalog.offerings["van-transfer"], notification_templates=TEMPLATES)
    return Source(replace(catalog, offerings={**catalog.offerings, "van-transfer": van}))


async def _deliver(
    gateway: FakeSmsGateway, *, locale: str = "en", phone: str | None = "+33 6 12-34-56-78"
) -> list[DeliveryOutcome]:
    app = build()
    customer = CustomerDetails(name="Ada Lovelace", email="ada@example.com", phone=phone, locale=locale)
    created = await app.create(CreateBooking("van-transfer", customer, start=TUESDAY_TEN))
    await app.payment_event(PaymentSucceeded("sandbox", "evt_1", created.booking_id, 8500, "EUR"))
    sender = SmsNotificationSender(app.uow, _with_templates(app.catalog.catalog), gateway, LINKS)
    queue = InMemoryOutboxQueue(app.state)
    deliver = DeliverOutboxMessages(queue, {"sms": sender}, app.clock, policy=RetryPolicy(), lease=LEASE)
    return [d.outcome for d in await deliver() if d.topic.startswith("sms.")]


async def test_a_confirmed_booking_is_texted_in_the_customers_language_next_to_its_email() -> None:
    gateway = FakeSmsGateway()
    assert await _deliver(gateway, locale="fr") == [DeliveryOutcome.DELIVERED]
    [(sms, key)] = gateway.sent
    assert (sms.to, sms.body) == ("+33612345678", "Transfer in the one van : à 2026-06-02 10:00.")
    assert key.startswith("sms.booking_confirmed:")


async def test_a_language_without_an_sms_template_falls_back_to_english() -> None:
    gateway = FakeSmsGateway()
    await _deliver(gateway, locale="pt-BR")
    assert gateway.sent[0][0].body == "Transfer in the one van: see you on 2026-06-02 10:00."


async def test_a_customer_without_a_phone_is_not_texted() -> None:
    gateway = FakeSmsGateway()
    assert await _deliver(gateway, phone=None) == [DeliveryOutcome.SKIPPED]
    assert gateway.sent == []


async def test_a_gateway_that_is_down_is_retried() -> None:
    gateway = FakeSmsGateway(ProviderUnavailable("twilio answered HTTP 503"))
    assert await _deliver(gateway) == [DeliveryOutcome.RETRYING]
