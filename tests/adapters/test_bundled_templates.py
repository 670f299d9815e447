"""The bundled catalog speaks to customers in five languages about everything the hub tells them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from adapters.babel_formats import BabelFormats
from adapters.catalog.toml_catalog import EVENTS, EXAMPLE, load_catalog
from application.notifications.recipient import Recipient
from application.outbox_routes import outbox_messages_for
from domain import events as e
from domain.catalog import Money
from domain.customer import Customer
from domain.extension import Extension
from domain.notifications import email_for, sms_for
from domain.slot import Slot
from tests.domain.builders import a_booking

LANGUAGES = ("en", "fr", "es", "pt", "de")
CATALOG = load_catalog(EXAMPLE)
AT = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)

MANAGE_URL = "https://book.example/manage/opaque"


def customer_events() -> set[str]:
    """Every event the outbox routes tell a customer about, from one fact of each kind."""
    b, uid = uuid4(), "uid-1"
    facts = [
        e.BookingConfirmed(b, AT, paid=True),
        e.BookingCancelled(b, AT, paid=True),
        e.PaymentFailed(b, AT),
        e.RefundIssued(b, AT, full=True),
        e.BookingRescheduled(b, AT, AT, cal_booking_uid=uid),
        e.ReminderDue(b, AT, AT, 24, AT),
        e.ExtensionProposed(b, AT, uuid4()),
        e.VehiclePickedUp(b, AT),
        e.VehicleReturned(b, AT),
    ]
    return {
        m.topic.partition(".")[2]
        for f in facts
        for m in outbox_messages_for(f)
        if m.topic.startswith("email.")
    }


def test_the_catalog_knows_every_event_the_hub_tells_customers_about() -> None:
    assert customer_events() <= EVENTS


@pytest.mark.parametrize("offering_id", sorted(CATALOG.offerings))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_for_every_event_channel_and_language(offering_id: str, language: str) -> None:
    offering = CATALOG.offerings[offering_id]
    booking = a_booking(slot=Slot(AT, AT + offering.duration))
    customer = Customer(uuid4(), "ada@example.com", "Ada Lovelace", "+33 6 12 34 56 78", language)
    extension = Extension.propose(
        id=uuid4(), booking_id=booking.id, description="Brake pads", price=Money(12000, "EUR"), now=AT
    )
    for event in sorted(customer_events()):
        for channel in ("email", "sms"):
            template = offering.notification_templates.get(event, {}).get(channel, {}).get(language)
            assert template is not None, (event, channel, language)
            about = extension if event == "extension_proposed" else None
            values = Recipient(booking, customer, offering, MANAGE_URL, about).values(BabelFormats())
            texts = (
                [email_for(template, customer, values).subject, email_for(template, customer, values).text]
                if channel == "email"
                else [sms_for(template, customer.phone or "", values).body]
            )
            for text in texts:
                assert not set("{}") & set(text), (event, channel, language, text)


def test_french_messages_write_french_prices_and_dates_in_the_offerings_zone() -> None:
    offering = CATALOG.offerings["airport-transfer"]
    booking = a_booking(slot=Slot(AT, AT + timedelta(minutes=90)))
    booking.price = Money(8500, "EUR")
    customer = Customer(uuid4(), "ada@example.com", "Ada", None, "fr")
    values = Recipient(booking, customer, offering, MANAGE_URL).values(BabelFormats())
    assert values["amount"] == "85,00\xa0€"
    assert values["start_local"] == "mardi 2 juin 2026, 10:00 (Paris)"
    german = Recipient(booking, Customer(uuid4(), "a@b.de", "A", None, "de-AT"), offering, MANAGE_URL).values(
        BabelFormats()
    )
    assert german["start_local"].startswith("Dienstag, 2. Juni 2026, 10:00")
    unknown = Recipient(booking, Customer(uuid4(), "a@b.de", "A", None, "xx"), offering, MANAGE_URL).values(
        BabelFormats()
    )
    assert unknown["amount"] == "€85.00"
    assert ZoneInfo("Europe/Paris") == offering.timezone
