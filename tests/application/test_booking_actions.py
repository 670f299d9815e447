"""The staff's actions on one booking, on in-memory adapters: assign a resource, list the free ones, send
the confirmation again, and read the timeline; each audited with the acting staff member."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from adapters.catalog.toml_catalog import TomlCatalog
from adapters.memory.outbox import InMemoryOutboxQueue
from adapters.memory.timeline import MemoryTimeline
from application.audit.ports import acting_as, staff_actor
from application.bookings.assign import AssignResource, FreeResources
from application.bookings.commands import FreeResource
from application.bookings.ports import AuditRecord, DeliveryRecord, InboundRecord
from application.bookings.resend import ResendConfirmation
from application.bookings.timeline import GetBookingTimeline
from application.errors import InvalidRequest, NotFound
from application.payments.commands import PaymentSucceeded
from application.ports import LedgerEntry
from domain.booking import Booking
from domain.errors import IllegalTransition, SlotUnavailable
from domain.slot import Slot
from domain.statuses import BookingStatus
from tests.application.builders import TUESDAY_TEN, Handlers, a_booking, build
from tests.domain.test_dispatch import DISPATCH

STAFF = staff_actor(UUID("5f0c8a52-1b7e-4d7e-9a1c-2f3b4c5d6e7f"))
EXAMPLE = Path(__file__).parents[2] / "src" / "adapters" / "catalog" / "example.toml"


def actions(app: Handlers) -> tuple[AssignResource, FreeResources, ResendConfirmation]:
    return (
        AssignResource(app.uow, app.catalog, app.clock),
        FreeResources(app.uow, app.catalog, app.clock),
        ResendConfirmation(app.uow, app.clock),
    )


async def test_a_booking_moves_to_the_other_coach_audited_with_the_staff_member() -> None:
    app = build()
    booked = await app.create(a_booking("coaching"))
    assign, _, _ = actions(app)
    with acting_as(STAFF):
        booking = await assign(booked.booking_id, "coach-2")
    assert (booked.resource_id, booking.resource_id) == ("coach-1", "coach-2")
    assert app.state.bookings[booked.booking_id].resource_id == "coach-2"
    last = app.state.audit[-1]
    assert (last.actor, last.action, last.detail) == (STAFF, "resource_assigned", "coach-1 → coach-2")
    assert (last.from_status, last.to_status) == ("confirmed", "confirmed")


async def test_assigning_a_taken_resource_is_refused_and_changes_nothing() -> None:
    app = build()
    one = await app.create(a_booking("coaching"))
    two = await app.create(a_booking("coaching", email="bob@example.com"))
    assign, _, _ = actions(app)
    with pytest.raises(SlotUnavailable):
        await assign(two.booking_id, "coach-1")
    assert (one.resource_id, app.state.bookings[two.booking_id].resource_id) == ("coach-1", "coach-2")
    assert [a.action for a in app.state.audit if a.action] == []


async def test_a_resource_of_another_type_is_refused_naming_resource_id() -> None:
    app = build()
    booked = await app.create(a_booking("coaching"))
    assign, _, _ = actions(app)
    for wrong in ("van-1", "no-such-thing"):
        with pytest.raises(InvalidRequest) as refused:
            await assign(booked.booking_id, wrong)
        assert set(refused.value.fields) == {"resource_id"}


async def test_an_unknown_booking_is_not_found_and_a_cancelled_one_cannot_be_assigned() -> None:
    app = build()
    booked = await app.create(a_booking("coaching"))
    await app.cancel(booked.booking_id, token=None, admin=True)
    assign, free, _ = actions(app)
    with pytest.raises(NotFound):
        await assign(uuid4(), "coach-2")
    with pytest.raises(IllegalTransition):
        await assign(booked.booking_id, "coach-2")
    assert await free(booked.booking_id) == []


async def test_assigning_the_resource_it_holds_changes_nothing() -> None:
    app = build()
    booked = await app.create(a_booking("coaching"))
    assign, _, _ = actions(app)
    commits = app.state.commits
    await assign(booked.booking_id, "coach-1")
    assert (app.state.commits, [a.action for a in app.state.audit if a.action]) == (commits, [])


async def test_free_resources_are_those_of_its_type_free_for_its_whole_time() -> None:
    app = build()
    one = await app.create(a_booking("coaching"))
    later = await app.create(a_booking("coaching", TUESDAY_TEN + timedelta(hours=1), email="c@example.com"))
    _, free, _ = actions(app)
    assert await free(one.booking_id) == [
        FreeResource("coach-1", "Coach 1", "coach", current=True),
        FreeResource("coach-2", "Coach 2", "coach"),
    ]
    await app.create(a_booking("coaching", email="bob@example.com"))  # takes coach-2 at 10:00
    assert [r.resource_id for r in await free(one.booking_id)] == ["coach-1"]
    assert [r.resource_id for r in await free(later.booking_id)] == ["coach-1", "coach-2"]


async def test_the_buffer_counts_for_a_van_booked_right_after() -> None:
    """van-transfer has a 15-minute buffer: a booking ending at 11:00 blocks the van until 11:15."""
    app = build()
    first = await app.create(a_booking("van-transfer"))
    _, free, _ = actions(app)
    second = await app.create(a_booking("van-transfer", TUESDAY_TEN + timedelta(minutes=75), email="b@x.org"))
    assert [r.resource_id for r in await free(first.booking_id)] == ["van-1"]
    assert [(r.resource_id, r.current) for r in await free(second.booking_id)] == [("van-1", True)]


def _dispatched(app: Handlers, status: BookingStatus = BookingStatus.CONFIRMED) -> Booking:
    """A paid car-service pickup on driver-1 whose pickup went to the driver app with its confirmation."""
    start = TUESDAY_TEN + timedelta(days=1)
    booking = Booking.new(
        id=uuid4(),
        offering_id="car-service-pickup",
        customer_id=uuid4(),
        price=app.catalog.catalog.offerings["car-service-pickup"].price,
        slot=Slot(start, start + timedelta(hours=1)),
        buffer=timedelta(minutes=30),
        resource_id="driver-1",
        now=app.clock.now(),
        hold=timedelta(minutes=30),
        dispatch=DISPATCH,
    )
    booking.mark_paid(now=app.clock.now())
    booking.status = status
    booking.events.clear()
    app.state.bookings[booking.id] = booking
    return booking


def _example_app() -> Handlers:
    app = build()
    app.catalog = TomlCatalog(EXAMPLE)
    return app


async def test_a_dispatched_booking_sends_its_pickup_again_naming_the_new_driver_once_per_assignment() -> (
    None
):
    app = _example_app()
    booking = _dispatched(app)
    assign, _, _ = actions(app)
    await assign(booking.id, "driver-2")
    app.clock.advance(timedelta(minutes=1))
    await assign(booking.id, "driver-1")
    trips = [m for m in app.state.outbox if m.topic == "driver_app.b2c_pickup"]
    assert [m.payload for m in trips] == [{"resource_id": "driver-2"}, {"resource_id": "driver-1"}]
    assert len({m.idempotency_key for m in trips}) == 2
    assert all(m.idempotency_key.startswith(f"driver_app.b2c_pickup:{booking.id}:assigned:") for m in trips)


async def test_a_booking_in_service_sends_no_pickup_again() -> None:
    app = _example_app()
    in_service = _dispatched(app, BookingStatus.IN_SERVICE)
    assign, _, _ = actions(app)
    await assign(in_service.id, "driver-2")
    assert [m for m in app.state.outbox if m.topic.startswith("driver_app.")] == []
    assert app.state.bookings[in_service.id].resource_id == "driver-2"


async def test_the_confirmation_goes_again_with_fresh_keys_each_time_and_is_audited() -> None:
    app = build()
    booked = await app.create(a_booking("coaching"))
    _, _, resend = actions(app)
    with acting_as(STAFF):
        await resend(booked.booking_id)
        app.clock.advance(timedelta(seconds=5))
        await resend(booked.booking_id)
    sent = [m for m in app.state.outbox if m.topic.endswith(".booking_confirmed")]
    assert [m.topic for m in sent] == ["email.booking_confirmed", "sms.booking_confirmed"] * 3
    assert len({m.idempotency_key for m in sent}) == 6
    resent = [(a.actor, a.action) for a in app.state.audit if a.action]
    assert resent == [(STAFF, "confirmation_resent")] * 2


async def test_only_a_confirmed_booking_gets_its_confirmation_again() -> None:
    app = build()
    unpaid = await app.create(a_booking("van-transfer"))
    _, _, resend = actions(app)
    with pytest.raises(IllegalTransition):
        await resend(unpaid.booking_id)
    with pytest.raises(NotFound):
        await resend(uuid4())
    assert not [m for m in app.state.outbox if m.topic.endswith(".booking_confirmed")]


async def test_the_timeline_lists_audit_deliveries_provider_events_and_payments_by_time() -> None:
    app = build()
    queue = InMemoryOutboxQueue(app.state)
    timeline = GetBookingTimeline(app.uow, MemoryTimeline(app.state, queue, app.clock))
    booked = await app.create(a_booking("van-transfer"))
    queue.take_committed(app.clock.now())  # the messages become queue rows as they are written
    app.clock.advance(timedelta(minutes=1))
    paid = PaymentSucceeded(
        "stripe", "evt_1", booked.booking_id, 8500, "EUR", "pi_1", event_type="payment_intent.succeeded"
    )
    await app.payment_event(paid)
    queue.take_committed(app.clock.now())
    app.clock.advance(timedelta(minutes=1))
    with acting_as(STAFF):
        await ResendConfirmation(app.uow, app.clock)(booked.booking_id)
    other = await app.create(a_booking("van-transfer", TUESDAY_TEN + timedelta(days=1), email="b@x.org"))

    history = await timeline(booked.booking_id)

    kinds = [type(item).__name__ for item in history.items]
    assert kinds[:2] == ["AuditRecord", "DeliveryRecord"]  # pending_payment, odoo.booking_created
    inbound = [i for i in history.items if isinstance(i, InboundRecord)]
    assert [(i.provider, i.event_type) for i in inbound] == [("stripe", "payment_intent.succeeded")]
    audit = [i for i in history.items if isinstance(i, AuditRecord)]
    assert [(a.to_status, a.action, a.actor) for a in audit] == [
        ("pending_payment", None, "system"),
        ("confirmed", None, "system"),
        ("confirmed", "confirmation_resent", STAFF),
    ]
    [charge] = history.payments
    assert (charge.kind, charge.amount_cents, charge.provider_ref) == ("charge", 8500, "pi_1")
    assert charge in history.items
    topics = [d.topic for d in history.items if isinstance(d, DeliveryRecord)]
    assert topics.count("email.booking_confirmed") == 2
    assert all(d.state == "pending" for d in history.items if isinstance(d, DeliveryRecord))
    times = [i.occurred_at if isinstance(i, LedgerEntry) else i.at for i in history.items]
    assert times == sorted(times)
    assert all(getattr(i, "booking_id", booked.booking_id) == booked.booking_id for i in history.items)
    assert other.booking_id not in {getattr(i, "booking_id", None) for i in history.items}
    with pytest.raises(NotFound):
        await timeline(uuid4())
