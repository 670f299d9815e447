"""The booking aggregate: its slot, price, payment and references, moved only by its state machines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from uuid import UUID

from domain.catalog import Money
from domain.credits import SessionCredits
from domain.dispatch import BOOKING_AFTER_TRIP, READY_FROM, Dispatch, NotDispatched, TripStatus
from domain.errors import IllegalTransition, PaymentRequired
from domain.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    CalBookingAbandoned,
    DeliveryRequested,
    DomainEvent,
    PaymentFailed,
    RefundIssued,
    RefundRequested,
    StatusChanged,
    TripFailed,
    TripUpdated,
    VehiclePickedUp,
    VehicleReturned,
)
from domain.slot import Slot
from domain.statuses import (
    BOOKING_TRANSITIONS,
    HOLDING_STATUSES,
    MONEY_RECEIVED,
    PAYMENT_TRANSITIONS,
    BookingStatus,
    PaymentStatus,
)

_B = BookingStatus
_P = PaymentStatus


# The booking reference of a Cal.com booking's uid.
CAL_BOOKING_UID: Final = "cal_booking_uid"

# A booking whose full refund ends it: it was still waiting for, or using, what was paid.
_ENDED_BY_REFUND: Final = frozenset({_B.PENDING, _B.PENDING_PAYMENT, _B.CONFIRMED, _B.SCHEDULED})
PAYMENT_PROVIDER_REF: Final = "payment_provider"
PAYMENT_GATEWAY_REF: Final = "payment_gateway"  # the `payment_provider` the booking was created with
PAYMENT_ATTEMPT_REF: Final = "payment_attempt"


def payment_method_key(provider: str) -> str:
    """The reference under which a booking keeps the card its payment saved (`stripe_payment_method`)."""
    return f"{provider}_payment_method"


def payment_ref_key(provider: str) -> str:
    """The reference under which a booking keeps the provider's payment id (`stripe_payment_intent`)."""
    return f"{provider}_payment_intent"


# Driver trips: the booking's references keep the driver app's last status and trip id.
TRIP_STATUS: Final = "driver_app_status"
TRIP_ID: Final = "driver_app_trip_id"


@dataclass(slots=True, eq=False)
class Booking:
    id: UUID
    offering_id: str
    customer_id: UUID
    price: Money
    status: BookingStatus
    payment_status: PaymentStatus
    created_at: datetime
    slot: Slot | None = None
    buffer: timedelta = timedelta(0)
    resource_id: str | None = None
    hold_expires_at: datetime | None = None
    notes: str | None = None
    intake: Mapping[str, Any] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    dispatch: Dispatch | None = None
    token_hash: bytes = b""
    credits: SessionCredits | None = None  # a package: the sessions its payment bought
    package_id: UUID | None = None  # a session: the package it spends a credit of
    version: int = 0
    events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def new(
        cls,
        *,
        id: UUID,
        offering_id: str,
        customer_id: UUID,
        price: Money,
        slot: Slot | None,
        buffer: timedelta,
        resource_id: str | None,
        now: datetime,
        hold: timedelta,
        notes: str | None = None,
        intake: Mapping[str, Any] | None = None,
        dispatch: Dispatch | None = None,
    ) -> Booking:
        """A free booking is confirmed at once; a paid one holds its slot while payment is pending."""
        booking = cls(
            id=id,
            offering_id=offering_id,
            customer_id=customer_id,
            price=price,
            status=_B.PENDING,
            payment_status=_P.NOT_REQUIRED if price.is_free else _P.UNPAID,
            created_at=now,
            slot=slot,
            buffer=buffer,
            resource_id=resource_id,
            notes=notes,
            intake=dict(intake or {}),
            dispatch=dispatch,
        )
        if price.is_free:
            booking._move_to(_B.CONFIRMED, now=now)
            booking.events.append(
                BookingConfirmed(booking.id, now, paid=False, dispatch=dispatch is not None)
            )
        else:
            booking.hold_expires_at = now + hold
            booking._move_to(_B.PENDING_PAYMENT, now=now)
            booking._pay_to(_P.PENDING)
        return booking

    @property
    def block(self) -> Slot | None:
        """The interval the booking keeps its resource: the slot widened by the buffer."""
        if self.slot is None:
            return None
        return Slot(self.slot.start, self.slot.end + self.buffer)

    def holds_slot(self, now: datetime) -> bool:
        if self.status is _B.PENDING_PAYMENT:
            return self.hold_expires_at is not None and self.hold_expires_at > now
        return self.status in HOLDING_STATUSES

    def mark_paid(self, *, now: datetime) -> None:
        if self.payment_status in MONEY_RECEIVED:
            return
        # Both moves are checked before either is made, so a refused call changes nothing.
        if _P.PAID not in PAYMENT_TRANSITIONS[self.payment_status]:
            raise IllegalTransition("payment", self.payment_status, _P.PAID)
        confirm = self.status is not _B.CONFIRMED
        if confirm and _B.CONFIRMED not in BOOKING_TRANSITIONS[self.status]:
            raise IllegalTransition("booking", self.status, _B.CONFIRMED)
        self._pay_to(_P.PAID)
        if self.credits is not None:
            self.credits.start(now)
        if confirm:
            self._move_to(_B.CONFIRMED, now=now)
            self.hold_expires_at = None
            self.events.append(BookingConfirmed(self.id, now, paid=True, dispatch=self.dispatch is not None))

    @classmethod
    def scheduled_elsewhere(
        cls,
        *,
        id: UUID,
        offering_id: str,
        customer_id: UUID,
        price: Money,
        slot: Slot,
        buffer: timedelta,
        now: datetime,
        paid: bool,
        intake: Mapping[str, Any] | None = None,
    ) -> Booking:
        """A booking its customer made at a scheduling provider: it has its time and is `scheduled`
        at once; paid there (or free), or to be paid later."""
        booking = cls(
            id=id,
            offering_id=offering_id,
            customer_id=customer_id,
            price=price,
            status=_B.PENDING,
            payment_status=_P.NOT_REQUIRED if price.is_free else _P.UNPAID,
            created_at=now,
            slot=slot,
            buffer=buffer,
            intake=dict(intake or {}),
        )
        booking._move_to(_B.CONFIRMED, now=now)
        booking._move_to(_B.SCHEDULED, now=now)
        if paid and not price.is_free:
            booking.mark_paid_elsewhere(now=now)
        return booking

    def mark_paid_elsewhere(self, *, now: datetime) -> None:
        """The provider that scheduled the booking took the payment: paid, without a status change."""
        if _P.PAID not in PAYMENT_TRANSITIONS[self.payment_status]:
            return  # already paid, free, or refunded since: nothing to record
        self._pay_to(_P.PAID)
        self.events.append(BookingConfirmed(self.id, now, paid=True))

    def move(self, slot: Slot, *, resource_id: str | None, now: datetime) -> bool:
        """The appointment moved to another time (and maybe resource); False when nothing changed."""
        if self.status not in HOLDING_STATUSES:
            raise IllegalTransition("booking", self.status, "moved")
        if self.slot == slot and self.resource_id == resource_id:
            return False
        self.slot, self.resource_id, self.version = slot, resource_id, self.version + 1
        return True

    def mark_payment_failed(self, *, now: datetime) -> None:
        if self.payment_status is _P.FAILED:
            return
        self._pay_to(_P.FAILED)
        self.events.append(PaymentFailed(self.id, now))

    def can_pay(self, now: datetime) -> bool:
        """Payment is still awaited (none yet, or a failed one) and the hold lasts."""
        waiting = self.payment_status in (_P.PENDING, _P.FAILED)
        return waiting and self.status is _B.PENDING_PAYMENT and self.holds_slot(now)

    @property
    def payment_attempt(self) -> int:
        """0 for the payment session the booking was created with, then one more per retry."""
        return int(self.references.get(PAYMENT_ATTEMPT_REF, "0"))

    def retry_payment(self) -> int:
        """After a failed payment a new attempt starts (pending again); otherwise the current attempt
        goes on. Returns the attempt's number."""
        if self.payment_status is not _P.FAILED:
            return self.payment_attempt
        self._pay_to(_P.PENDING)
        self.references[PAYMENT_ATTEMPT_REF] = str(self.payment_attempt + 1)
        return self.payment_attempt

    def record_payment(self, provider: str, payment_ref: str | None) -> None:
        """Remember which provider took the money and its payment id, so a refund can find it."""
        self.references[PAYMENT_PROVIDER_REF] = provider
        if payment_ref:
            self.references[payment_ref_key(provider)] = payment_ref

    def cancel(self, *, now: datetime, by_provider: str | None = None, refund: int | None = None) -> None:
        """A customer, admin or scheduling provider cancels; an expired booking has nothing left to
        cancel. What was paid (or `refund` cents of it) is refunded through the provider that took it;
        the Cal.com booking is cancelled too, unless Cal.com is who told us."""
        if self.status is _B.CANCELLED:
            return
        if self.status is _B.EXPIRED:
            raise IllegalTransition("booking", self.status, _B.CANCELLED)
        paid = self.payment_status in (_P.PAID, _P.PARTIALLY_REFUNDED) and refund != 0
        self._move_to(_B.CANCELLED, now=now)
        self.hold_expires_at = None
        cal_uid = self._cal_uid() if by_provider != "calcom" else None
        self.events.append(BookingCancelled(self.id, now, paid, cal_uid))
        if paid:
            self._request_refund(now, refund)

    def record_payment_method(self, provider: str, payment_method: str) -> None:
        """Remember the payment method the booking's payment saved, for later off-session charges."""
        self.references[payment_method_key(provider)] = payment_method

    def is_another_payment(self, provider: str, payment_ref: str | None) -> bool:
        """A payment received for a booking that holds the money of a different one (two sessions of
        one booking both paid): that second payment is not the booking's."""
        if self.payment_status not in MONEY_RECEIVED or not payment_ref:
            return False
        recorded = self.references.get(payment_ref_key(provider))
        return recorded is not None and recorded != payment_ref

    def refund_duplicate_payment(self, provider: str, payment_ref: str, *, now: datetime) -> None:
        refund = RefundRequested(self.id, now, provider=provider, payment_ref=payment_ref, duplicate=True)
        self.events.append(refund)

    def refuse_late_payment(self, *, now: datetime) -> None:
        """Money arrived after the hold ran out and the slot is taken (or the booking was cancelled
        meanwhile): the booking ends cancelled and the payment goes back."""
        if self.payment_status in MONEY_RECEIVED:
            return
        self._pay_to(_P.PAID)
        if self.status is not _B.CANCELLED:
            self._move_to(_B.CANCELLED, now=now)
            self.hold_expires_at = None
            self.events.append(BookingCancelled(self.id, now, paid=True, cal_booking_uid=self._cal_uid()))
        self._request_refund(now)

    def record_refund(self, *, full: bool, now: datetime) -> None:
        """The provider refunded the payment. Re-applying a refund, or a partial one after the full one,
        changes nothing. A full refund ends a booking that was waiting for or using the payment."""
        target = _P.REFUNDED if full else _P.PARTIALLY_REFUNDED
        if self.payment_status is _P.REFUNDED or self.payment_status is target:
            return
        ends = full and self.status in _ENDED_BY_REFUND
        if target not in PAYMENT_TRANSITIONS[self.payment_status]:
            raise IllegalTransition("payment", self.payment_status, target)
        self._pay_to(target)
        if ends:
            self._move_to(_B.CANCELLED, now=now)
            self.hold_expires_at = None
            self.events.append(BookingCancelled(self.id, now, paid=True, cal_booking_uid=self._cal_uid()))
        self.events.append(RefundIssued(self.id, now, full=full))

    @property
    def payment_provider(self) -> str:
        """The provider that took the booking's payment (and its extensions')."""
        return self.references.get(PAYMENT_PROVIDER_REF, "sandbox")

    def _request_refund(self, now: datetime, amount: int | None = None) -> None:
        provider = self.payment_provider
        ref = self.references.get(payment_ref_key(provider))
        currency = self.price.currency if amount is not None else None  # of a partial refund
        self.events.append(
            RefundRequested(self.id, now, provider, ref, amount_cents=amount, currency=currency)
        )

    def _cal_uid(self) -> str | None:
        return self.references.get(CAL_BOOKING_UID)

    def release_cal_booking(self, uid: str, *, now: datetime) -> None:
        """A Cal.com booking made for this booking that it could not take: cancel it there."""
        self.events.append(CalBookingAbandoned(self.id, now, uid))

    def check_schedulable(self) -> None:
        """Raises unless `schedule` may give this booking a time: paid (or free), confirmed, no time yet."""
        waiting = self.slot is None and self.status in (_B.PENDING_PAYMENT, _B.CONFIRMED)
        if waiting and self.payment_status not in (_P.PAID, _P.NOT_REQUIRED):
            raise PaymentRequired(f"the booking's payment is {self.payment_status}, not paid")
        if self.slot is not None or self.status is not _B.CONFIRMED:
            raise IllegalTransition("booking", self.status, _B.SCHEDULED)

    def schedule(self, slot: Slot, *, resource_id: str | None, now: datetime) -> None:
        """A paid booking without a time gets one: it becomes `scheduled`."""
        self.check_schedulable()
        self.slot, self.resource_id = slot, resource_id
        self._move_to(_B.SCHEDULED, now=now)

    def expire(self, *, now: datetime) -> None:
        if self.status is _B.EXPIRED:
            return
        if self.hold_expires_at is None or self.hold_expires_at > now:
            raise IllegalTransition("booking", self.status, _B.EXPIRED)
        self._move_to(_B.EXPIRED, now=now)
        self.events.append(BookingExpired(self.id, now))

    def mark_ready(self, *, now: datetime) -> None:
        """The service is done: a dispatched booking that is under way sends its vehicle back."""
        if self.dispatch is None:
            raise NotDispatched(f"booking {self.id} has no driver trips")
        if self.status not in READY_FROM:
            raise IllegalTransition("booking", self.status, "ready")
        self.events.append(DeliveryRequested(self.id, now))

    def record_trip(self, status: TripStatus, *, now: datetime, trip_id: str | None = None) -> None:
        """A status from the driver app. Pickup done puts the booking in service, delivery done
        completes it (each checked before anything changes); every status is kept and audited."""
        target = BOOKING_AFTER_TRIP.get(status)
        if target is self.status:
            target = None  # a repeated report: the booking is already there
        if target is not None and target not in BOOKING_TRANSITIONS[self.status]:
            raise IllegalTransition("booking", self.status, target)
        previous = self.references.get(TRIP_STATUS, "none")
        self.references[TRIP_STATUS] = status.value
        if trip_id:
            self.references[TRIP_ID] = trip_id
        self.events.append(TripUpdated(self.id, now, previous, status.value))
        if target is not None:
            self._move_to(target, now=now)
            told = VehiclePickedUp if target is _B.IN_SERVICE else VehicleReturned
            self.events.append(told(self.id, now))
        if status is TripStatus.FAILED:
            self.events.append(TripFailed(self.id, now))

    def move_to(self, target: BookingStatus, *, now: datetime) -> None:
        """Apply a status reported from outside; re-applying the current status is a no-op."""
        if target is self.status:
            return
        self._move_to(target, now=now)

    def _move_to(self, target: BookingStatus, *, now: datetime) -> None:
        if target not in BOOKING_TRANSITIONS[self.status]:
            raise IllegalTransition("booking", self.status, target)
        self.events.append(StatusChanged(self.id, now, self.status, target))
        self.status, self.version = target, self.version + 1

    def _pay_to(self, target: PaymentStatus) -> None:
        if target is self.payment_status:
            return
        if target not in PAYMENT_TRANSITIONS[self.payment_status]:
            raise IllegalTransition("payment", self.payment_status, target)
        self.payment_status, self.version = target, self.version + 1
