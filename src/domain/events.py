"""Facts the booking aggregate records; the unit of work turns them into outbox and audit rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class DomainEvent:
    booking_id: UUID
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class StatusChanged(DomainEvent):
    from_status: str
    to_status: str


@dataclass(frozen=True, slots=True)
class BookingConfirmed(DomainEvent):
    paid: bool
    dispatch: bool = False  # the offering sends a driver: the confirmation sends the pickup trip


@dataclass(frozen=True, slots=True)
class BookingCancelled(DomainEvent):
    paid: bool
    cal_booking_uid: str | None = None  # the Cal.com booking to cancel too (not when Cal.com told us)
    refund_cents: int | None = None  # what goes back: None for all that is left


@dataclass(frozen=True, slots=True)
class BookingRescheduled(DomainEvent):
    """The booking moved to another start at its customer's or the business's request."""

    start: datetime
    cal_booking_uid: str | None = None  # the Cal.com booking to move too


@dataclass(frozen=True, slots=True)
class RemindersPlanned(DomainEvent):
    """The booking holds a time (newly, or a new one): its reminders are planned for that start."""

    start: datetime


@dataclass(frozen=True, slots=True)
class ReminderDue(DomainEvent):
    """One reminder of the booking's start, to go out at `due_at` (`hours` before the start)."""

    start: datetime
    hours: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class CalBookingAbandoned(DomainEvent):
    """A Cal.com booking made for this booking that the hub could not keep (it lost a race)."""

    cal_booking_uid: str


@dataclass(frozen=True, slots=True)
class BookingExpired(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class PaymentFailed(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class DeliveryRequested(DomainEvent):
    """The service is done: the vehicle goes back to its customer (the delivery trip)."""


@dataclass(frozen=True, slots=True)
class TripUpdated(DomainEvent):
    """The driver app reported a trip status; audited, with the status it replaces."""

    from_status: str
    to_status: str


@dataclass(frozen=True, slots=True)
class VehiclePickedUp(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class VehicleReturned(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class TripFailed(DomainEvent):
    pass


@dataclass(frozen=True, slots=True)
class RefundRequested(DomainEvent):
    """Money a booking cannot keep goes back through the provider that took it."""

    provider: str
    payment_ref: str | None
    duplicate: bool = False  # a second payment for a booking paid already
    amount_cents: int | None = None  # exactly this much; None for all that is left of the payment
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class RefundIssued(DomainEvent):
    full: bool


@dataclass(frozen=True, slots=True)
class ExtensionProposed(DomainEvent):
    """The business proposed extra work: the customer is told, and approves it with the booking token."""

    extension_id: UUID


CHARGE = "charge"
REFUND = "refund"


@dataclass(frozen=True, slots=True)
class MoneyMoved(DomainEvent):
    """Money a provider took (`charge`) or gave back (`refund`) for the booking or one of its extensions:
    one row of the payments ledger, named by the provider's id for it. `payment_ref` is the payment a
    refund gives back (for a charge, its own id)."""

    provider: str
    provider_ref: str
    kind: str
    amount_cents: int
    currency: str
    extension_id: UUID | None = None
    payment_ref: str | None = None
    invoiced: bool = True  # a refund of the payment accounting invoiced (not of a second one): credited


@dataclass(frozen=True, slots=True)
class PaymentLinkAbandoned(DomainEvent):
    """The booking ended unpaid (cancelled, or its hold ran out): its payment link takes no payment."""

    provider: str
    link_id: str


@dataclass(frozen=True, slots=True)
class CustomerBooked(DomainEvent):
    """A customer booked (through the API): accounting learns the customer as the booking is made."""


@dataclass(frozen=True, slots=True)
class ExtensionPaymentReceived(DomainEvent):
    """The first payment of an extension arrived: it is paid, and accounting invoices it."""

    extension_id: UUID


@dataclass(frozen=True, slots=True)
class ActionTaken(DomainEvent):
    """Something the business did to a booking that is not a status change: audited as `action`, with a
    `detail` of ids only (never personal data), at the booking's `status`."""

    status: str
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class ResourceAssigned(ActionTaken):
    """The booking was put on another resource by hand. `resend_trip`: its pickup went to the driver app
    already, so the driver app gets the trip again, naming the new resource."""

    resource_id: str
    resend_trip: bool = False


@dataclass(frozen=True, slots=True)
class ConfirmationResent(ActionTaken):
    """The booking's confirmation goes to its customer again (email and SMS)."""
