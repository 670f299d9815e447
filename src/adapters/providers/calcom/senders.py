"""The outbox's `calcom.booking_cancelled` and `calcom.booking_rescheduled` messages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from uuid import UUID

from adapters.providers.calcom.client import CalComClient
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import ClaimedMessage, UnitOfWorkFactory
from domain.outbox import OutboxState
from domain.references import CAL_BOOKING_UID
from domain.reminders import is_at
from domain.statuses import BookingStatus

log = logging.getLogger("bookhub.calcom")

RETRYABLE_4XX = frozenset({408, 429})


class CalComCancelSender:
    """`calcom.booking_cancelled`: cancels the Cal.com booking of a booking cancelled in the hub. A 404
    (no such booking there) has nothing left to cancel; 408, 429 and 5xx are tried again."""

    def __init__(self, client: CalComClient) -> None:
        self._client = client

    async def send(self, message: ClaimedMessage) -> OutboxState:
        uid = message.payload.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ProviderRejected("calcom message without a uid")
        status = await self._client.cancel_booking(uid, booking=str(message.booking_id))
        if 200 <= status < 300 or status == 404:
            return OutboxState.DELIVERED
        if status >= 500 or status in RETRYABLE_4XX:
            raise ProviderUnavailable(f"Cal.com answered HTTP {status}")
        raise ProviderRejected(f"Cal.com answered HTTP {status}")


class CalComRescheduleSender:
    """`calcom.booking_rescheduled`: moves the Cal.com booking of a booking moved in the hub. The booking is
    re-read: one moved again or cancelled since is skipped (the later message, or the cancellation, speaks
    for it), and the Cal.com booking moved is the one the booking names now. Cal.com answers with a new
    booking and uid, which the booking keeps; should the booking have been cancelled meanwhile, that new
    Cal.com booking is cancelled again through the outbox."""

    def __init__(self, client: CalComClient, uow: UnitOfWorkFactory) -> None:
        self._client, self._uow = client, uow

    async def send(self, message: ClaimedMessage) -> OutboxState:
        uid, start_text = message.payload.get("uid"), message.payload.get("start")
        if not isinstance(uid, str) or not isinstance(start_text, str) or message.booking_id is None:
            raise ProviderRejected("calcom reschedule without a uid, a start or a booking")
        start = datetime.fromisoformat(start_text)
        async with self._uow(read_only=True) as uow:
            booking = await uow.bookings.get(message.booking_id)
        if booking is None:
            raise ProviderRejected(f"booking {message.booking_id} is gone")
        if not is_at(booking, start):
            return OutboxState.SKIPPED
        current = booking.references.get(CAL_BOOKING_UID, uid)
        status, new_uid = await self._client.reschedule_booking(current, start, booking=str(booking.id))
        if status >= 500 or status in RETRYABLE_4XX:
            raise ProviderUnavailable(f"Cal.com answered HTTP {status}")
        if new_uid is None:
            raise ProviderRejected(f"Cal.com answered HTTP {status}")
        await self._keep(message.booking_id, start, new_uid)
        return OutboxState.DELIVERED

    async def _keep(self, booking_id: UUID, start: datetime, uid: str) -> None:
        async with self._uow() as uow:
            booking = await uow.bookings.get(booking_id, for_update=True)
            if booking is None:
                return
            booking.references[CAL_BOOKING_UID] = uid
            await uow.bookings.link_reference(CAL_BOOKING_UID, uid, booking.id)
            if booking.status is BookingStatus.CANCELLED:
                booking.release_cal_booking(uid, now=datetime.now(UTC))
            await uow.commit()
        log.info("calcom booking of booking %s moved", booking_id)
