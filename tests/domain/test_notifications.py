"""Templates in the customer's language, rendered without code and escaped in HTML."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.booking import Booking
from domain.catalog import Money, Offering, OfferingKind, Template
from domain.customer import Customer
from domain.extension import Extension
from domain.notifications import email_for, pick_template, placeholders, render
from domain.slot import Slot
from domain.statuses import BookingStatus, PaymentStatus

EN = Template("Confirmed", "Hello {customer_name}")
FR = Template("Confirmée", "Bonjour {customer_name}")
MANAGE_URL = "https://book.example/manage/opaque"


def offering(**templates: Template) -> Offering:
    return Offering(
        "airport-transfer",
        "Airport transfer",
        OfferingKind.TRANSFER,
        timedelta(minutes=90),
        Money(8500, "EUR"),
        ZoneInfo("Europe/Paris"),
        {},
        notification_templates={"booking_confirmed": {"email": templates}},
    )


@pytest.mark.parametrize(
    ("locale", "expected"), [("fr", FR), ("fr-CA", FR), ("fr_BE", FR), ("de", EN), ("en", EN)]
)
def test_the_customers_language_then_its_base_language_then_english(locale: str, expected: Template) -> None:
    assert pick_template(offering(en=EN, fr=FR), "booking_confirmed", "email", locale) == expected


def test_no_template_for_the_event_or_channel_is_none() -> None:
    assert pick_template(offering(fr=FR), "booking_confirmed", "email", "de") is None
    assert pick_template(offering(en=EN), "booking_cancelled", "email", "en") is None
    assert pick_template(offering(en=EN), "booking_confirmed", "sms", "en") is None


def test_rendering_fills_known_placeholders_and_escapes_html_when_asked() -> None:
    values = {"customer_name": "<b>Ada</b> & co"}
    assert render("Hi {customer_name}!", values) == "Hi <b>Ada</b> & co!"
    assert render("Hi <{customer_name}>", values, escape=True) == "Hi &lt;&lt;b&gt;Ada&lt;/b&gt; &amp; co&gt;"
    assert render("{{literal}} {customer_name:>12}", {"customer_name": "Ada"}) == "{literal}          Ada"


@pytest.mark.parametrize(
    "text", ["{customer_name.__class__}", "{customer_name[0]}", "{customer_name!r}", "{secret}", "{0}"]
)
def test_rendering_refuses_attribute_access_conversions_and_unknown_names(text: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        render(text, {"customer_name": "Ada"})


def test_an_email_shows_the_booking_in_the_offerings_time_zone() -> None:
    start = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    booking = Booking(
        uuid.uuid4(),
        "airport-transfer",
        uuid.uuid4(),
        Money(8500, "EUR"),
        BookingStatus.CONFIRMED,
        PaymentStatus.PAID,
        start,
        slot=Slot(start, start + timedelta(minutes=90)),
    )
    customer = Customer(booking.customer_id, "ada@example.com", "Ada <3", locale="fr")
    template = Template(
        "{offering_name} le {start_local}", "Bonjour {customer_name}\n{amount}, fin {end_local}"
    )
    email = email_for(template, customer, placeholders(booking, customer, offering(), manage_url=MANAGE_URL))
    assert email.to == "ada@example.com"
    assert email.subject == "Airport transfer le 2026-06-02 10:00"
    assert email.text == "Bonjour Ada <3\n85.00 EUR, fin 2026-06-02 11:30"
    assert email.html == "<p>Bonjour Ada &lt;3<br>\n85.00 EUR, fin 2026-06-02 11:30</p>"


def test_a_message_about_an_extension_names_it_and_asks_its_price_escaped_in_html() -> None:
    start = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    booking = Booking(
        uuid.uuid4(),
        "airport-transfer",
        uuid.uuid4(),
        Money(8500, "EUR"),
        BookingStatus.CONFIRMED,
        PaymentStatus.PAID,
        start,
        slot=Slot(start, start + timedelta(minutes=90)),
    )
    customer = Customer(booking.customer_id, "ada@example.com", "Ada", locale="en")
    extension = Extension.propose(
        id=uuid.uuid4(),
        booking_id=booking.id,
        description="Pads <front> & discs",
        price=Money(12050, "EUR"),
        now=start,
    )
    template = Template("Extra work", "{extension_description} for {amount}")

    email = email_for(
        template, customer, placeholders(booking, customer, offering(), extension, manage_url=MANAGE_URL)
    )
    plain = placeholders(booking, customer, offering(), manage_url=MANAGE_URL)

    assert email.text == "Pads <front> & discs for 120.50 EUR"
    assert email.html == "<p>Pads &lt;front&gt; &amp; discs for 120.50 EUR</p>"
    assert (plain["extension_description"], plain["amount"]) == ("", "85.00 EUR")


def test_every_message_can_carry_the_manage_link_and_payment_url_falls_back_to_it() -> None:
    start = datetime(2026, 6, 2, 8, 0, tzinfo=UTC)
    booking = Booking(
        uuid.uuid4(),
        "airport-transfer",
        uuid.uuid4(),
        Money(8500, "EUR"),
        BookingStatus.PENDING_PAYMENT,
        PaymentStatus.FAILED,
        start,
        slot=Slot(start, start + timedelta(minutes=90)),
    )
    customer = Customer(booking.customer_id, "ada@example.com", "Ada", locale="en")

    values = placeholders(booking, customer, offering(), manage_url=MANAGE_URL)
    assert values["manage_url"] == MANAGE_URL
    assert values["payment_url"] == MANAGE_URL  # no provider page (a PaymentIntent): the booking's page

    booking.references["payment_url"] = "https://checkout.example/pay"
    values = placeholders(booking, customer, offering(), manage_url=MANAGE_URL)
    assert values["payment_url"] == "https://checkout.example/pay"
