"""The customer is told of a proposed extension by email and SMS: the message carries the extension's id
only, and the sender re-reads its description and price when it renders."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from adapters.memory.email import FakeEmailGateway
from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.memory.sms import FakeSmsGateway
from application.bookings.commands import CreateBooking, CustomerDetails
from application.notifications.email import EmailNotificationSender
from application.notifications.sms import SmsNotificationSender
from application.outbox.commands import DeliveryOutcome
from application.outbox.deliver import DeliverOutboxMessages
from application.payments.commands import PaymentSucceeded, ProposeExtension
from application.payments.extensions import ProposeExtensionHandler
from domain.extension import Extension
from domain.outbox import OutboxMessage, RetryPolicy
from tests.application.builders import LINKS, TUESDAY_TEN, Handlers, build
from tests.application.test_deliver_outbox import LEASE

DESCRIPTION = 'Brake pads <front> & "discs"'


async def proposed(app: Handlers, description: str = DESCRIPTION) -> Extension:
    customer = CustomerDetails(name="Ada Lovelace", email="ada@example.com", phone="+33 6 12 34 56 78")
    created = await app.create(CreateBooking("van-transfer", customer, start=TUESDAY_TEN))
    await app.payment_event(PaymentSucceeded("sandbox", "evt_1", created.booking_id, 8500, "EUR"))
    propose = ProposeExtensionHandler(app.uow, app.clock)
    return await propose(ProposeExtension(created.booking_id, description, 12050))


async def deliver(
    app: Handlers, email: FakeEmailGateway, sms: FakeSmsGateway
) -> list[tuple[str, DeliveryOutcome]]:
    senders = {
        "email": EmailNotificationSender(app.uow, app.catalog, email, LINKS),
        "sms": SmsNotificationSender(app.uow, app.catalog, sms, LINKS),
    }
    queue = InMemoryOutboxQueue(app.state)
    run = DeliverOutboxMessages(queue, senders, app.clock, policy=RetryPolicy(), lease=LEASE)
    return [(d.topic, d.outcome) for d in await run() if "extension" in d.topic]


def extension_messages(app: Handlers) -> list[OutboxMessage]:
    return [m for m in app.state.outbox if m.topic.endswith(".extension_proposed")]


async def test_the_outbox_message_of_a_proposal_carries_the_extension_id_and_nothing_personal() -> None:
    app = build()
    extension = await proposed(app)
    messages = extension_messages(app)
    assert sorted(m.topic for m in messages) == ["email.extension_proposed", "sms.extension_proposed"]
    assert [m.payload for m in messages] == [{"extension_id": str(extension.id)}] * 2


async def test_the_proposal_email_names_the_extension_and_its_price_escaped_in_html() -> None:
    app = build()
    extension = await proposed(app)
    email, sms = FakeEmailGateway(), FakeSmsGateway()

    outcomes = await deliver(app, email, sms)

    assert sorted(outcomes) == [
        ("email.extension_proposed", DeliveryOutcome.DELIVERED),
        ("sms.extension_proposed", DeliveryOutcome.DELIVERED),
    ]
    [(sent, key)] = email.sent
    assert key == f"email.extension_proposed:{extension.booking_id}:{extension.id}"
    assert sent.subject == "Extra work on your Transfer in the one van"
    # `{amount}` is the extension's price, not the booking's 85.00 EUR
    assert sent.text == f"Hello Ada Lovelace, we found more to do: {DESCRIPTION}. Approve 120.50 EUR?"
    assert "Brake pads &lt;front&gt; &amp; &quot;discs&quot;" in sent.html
    assert "<front>" not in sent.html
    [(text, _key)] = sms.sent
    assert text.body == f"{DESCRIPTION}: 120.50 EUR. Ref {extension.booking_id}"  # plain text: not escaped


async def test_the_description_is_read_when_the_message_is_sent() -> None:
    app = build()
    extension = await proposed(app)
    stored = app.state.extensions[extension.id]
    app.state.extensions[extension.id] = replace(stored, description="Front brake pads only")
    email = FakeEmailGateway()

    await deliver(app, email, FakeSmsGateway())

    assert "we found more to do: Front brake pads only." in email.sent[0][0].text


async def test_a_proposal_message_written_before_payloads_named_the_extension_finds_it_by_its_key() -> None:
    app = build()
    await proposed(app)
    app.state.outbox[:] = [
        replace(m, payload={}) if m.topic.endswith(".extension_proposed") else m for m in app.state.outbox
    ]
    email = FakeEmailGateway()

    await deliver(app, email, FakeSmsGateway())

    assert DESCRIPTION in email.sent[0][0].text


async def test_a_message_about_an_extension_that_is_not_the_bookings_is_dead() -> None:
    app = build()
    await proposed(app)
    stranger = str(UUID(int=1))
    app.state.outbox[:] = [
        replace(m, payload={"extension_id": stranger}) if m.topic.endswith(".extension_proposed") else m
        for m in app.state.outbox
    ]
    email, sms = FakeEmailGateway(), FakeSmsGateway()

    outcomes = await deliver(app, email, sms)

    assert {outcome for _topic, outcome in outcomes} == {DeliveryOutcome.DEAD}
    assert (email.sent, sms.sent) == ([], [])
