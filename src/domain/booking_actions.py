"""What the business does to a booking besides moving it along its states: put it on another resource of
its type (the manual driver or vehicle assignment), and send its confirmation again. Each is audited as
an action; the database still decides whether the resource is free (ADR 0002)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from domain.booking import Booking
from domain.errors import IllegalTransition
from domain.events import ConfirmationResent, ResourceAssigned
from domain.statuses import BookingStatus

_B = BookingStatus

RESOURCE_ASSIGNED: Final = "resource_assigned"
CONFIRMATION_RESENT: Final = "confirmation_resent"
MAX_DETAIL: Final = 200  # the audit entry's column
# A dispatched booking sent its pickup to the driver app when it was confirmed; until the pickup is done
# (the booking is then in service), the driver app is told of a new resource.
_PICKUP_UNDER_WAY: Final = frozenset({_B.CONFIRMED, _B.SCHEDULED})
# A booking whose confirmation may be sent again: confirmed, with or without a time.
RESENDABLE: Final = frozenset({_B.CONFIRMED, _B.SCHEDULED})


def check_assignable(booking: Booking, now: datetime) -> None:
    """Only a booking that holds its time (a hold that lasts, confirmed, scheduled, in service) can
    change resource."""
    if booking.slot is None or not booking.holds_slot(now):
        raise IllegalTransition("booking", booking.status, "assigned")


def assign_resource(booking: Booking, resource_id: str, *, now: datetime) -> bool:
    """Put the booking on `resource_id` (the caller checked its type and that it is free). False when it
    is there already: nothing changes, nothing is audited."""
    check_assignable(booking, now)
    previous = booking.resource_id
    if previous == resource_id:
        return False
    booking.resource_id = resource_id
    resend = booking.dispatch is not None and booking.status in _PICKUP_UNDER_WAY
    detail = f"{previous or '-'} → {resource_id}"[:MAX_DETAIL]
    booking.events.append(
        ResourceAssigned(
            booking.id,
            now,
            status=booking.status.value,
            action=RESOURCE_ASSIGNED,
            detail=detail,
            resource_id=resource_id,
            resend_trip=resend,
        )
    )
    return True


def resend_confirmation(booking: Booking, *, now: datetime) -> None:
    """The confirmation goes out again, on both channels, whatever was sent before."""
    if booking.status not in RESENDABLE:
        raise IllegalTransition("booking", booking.status, CONFIRMATION_RESENT)
    booking.events.append(
        ConfirmationResent(
            booking.id, now, status=booking.status.value, action=CONFIRMATION_RESENT, detail="email, sms"
        )
    )
