"""`driver_app.*` outbox messages: re-read the booking and send its pickup or delivery trip."""

from __future__ import annotations

import logging
from datetime import datetime

from application.errors import ProviderRejected
from application.outbox_routes import RESOURCE_ID
from application.ports import ClaimedMessage, DispatchGateway, Sender, UnitOfWorkFactory
from domain.booking import Booking
from domain.dispatch import Trip, TripKind
from domain.outbox import OutboxState
from domain.privacy import is_erased
from domain.statuses import BookingStatus

log = logging.getLogger("bookhub.dispatch")


class TripSender:
    """`driver_app.b2c_pickup` is scheduled at the booking's start; `driver_app.b2c_delivery` at the
    moment the booking was marked ready. A booking that lost its dispatch details cannot be sent."""

    def __init__(self, uow: UnitOfWorkFactory, gateway: DispatchGateway) -> None:
        self._uow, self._gateway = uow, gateway

    async def send(self, message: ClaimedMessage) -> OutboxState:
        kind = TripKind(message.topic.partition(".")[2])
        if message.booking_id is None:
            raise ProviderRejected(f"{message.topic} without a booking id")
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(message.booking_id)
            customer = None if booking is None else await uow.customers.get(booking.customer_id)
        if booking is None or customer is None:
            raise ProviderRejected(f"booking {message.booking_id} is gone")
        if is_erased(customer.email):  # erased while this message was on its way
            log.info("%s of booking %s: the customer was erased, skipped", message.topic, booking.id)
            return OutboxState.SKIPPED
        if booking.dispatch is None or not customer.phone:
            raise ProviderRejected(f"booking {booking.id} has no pickup details")
        reassigned = message.payload.get(RESOURCE_ID)
        if reassigned is not None and not _still_assigned(booking, str(reassigned)):
            log.info("%s of booking %s: assigned again or ended since, skipped", message.topic, booking.id)
            return OutboxState.SKIPPED
        if kind is TripKind.PICKUP:
            if booking.slot is None:
                raise ProviderRejected(f"booking {booking.id} has no time for its pickup")
            scheduled = booking.slot.start
        else:
            scheduled = datetime.fromisoformat(str(message.payload["ready_at"]))
        trip = Trip(
            kind=kind,
            booking_id=booking.id,
            customer_id=customer.id,
            customer_name=customer.name,
            customer_phone=customer.phone,
            dispatch=booking.dispatch,
            scheduled_pickup=scheduled,
            notes=booking.notes,
            resource_id=None if reassigned is None else booking.resource_id,
        )
        await self._gateway.send_trip(trip, idempotency_key=message.idempotency_key)
        return OutboxState.DELIVERED


def _still_assigned(booking: Booking, resource_id: str) -> bool:
    """A pickup sent again for an assignment goes only while the booking is on that resource and its
    pickup is still to come; a later assignment sends its own."""
    waiting = booking.status in (BookingStatus.CONFIRMED, BookingStatus.SCHEDULED)
    return waiting and booking.resource_id == resource_id


_: type[Sender] = TripSender
