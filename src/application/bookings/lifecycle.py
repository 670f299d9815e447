"""Changes to existing bookings: cancel (by the offering's policy), quote a cancellation, expire holds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.bookings.commands import Cancellation, CancellationQuote
from application.errors import InvalidRequest, NotFound
from application.packages.cancellation import cancel_a_package, cancel_a_session
from application.payments.commands import payment_link_key
from application.payments.extensions import refund_paid_extensions
from application.ports import CatalogSource, Clock, UnitOfWork, UnitOfWorkFactory
from application.tokens import Credential, holds_booking
from domain.booking import Booking
from domain.cancellation import RefundQuote, refund_for
from domain.catalog import CancellationPolicy
from domain.events import PaymentLinkAbandoned
from domain.package import unused_value
from domain.references import PAYMENT_GATEWAY_REF
from domain.statuses import MONEY_RECEIVED, BookingStatus


class CancelBooking:
    """The customer (token) gets the offering's policy: all of it until `free_cancellation_hours` before the
    start, then `late_cancellation_refund_percent`. An admin refunds in full unless it names
    `refund_cents` (422 `invalid_request` naming `amount_cents` beyond what was paid). A package refunds
    its unused credits pro rata (an admin may name the amount) and cancels its upcoming sessions; a
    session gives its credit back by the policy's deadline. Paid extensions are refunded in full either
    way."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(
        self,
        booking_id: UUID,
        *,
        token: Credential | None,
        admin: bool,
        refund_cents: int | None = None,
        by_customer: bool | None = None,
    ) -> Cancellation:
        """`by_customer`: whether the policy applies; by default, unless an admin (without the token)
        cancels. A caller that has checked the customer's own credential (a manage link's cookie) passes
        `admin=True, by_customer=True`."""
        customer = by_customer if by_customer is not None else not (admin and not token)
        async with self._uow() as uow:
            booking = await _booking(uow, booking_id, token, admin)
            now = self._clock.now()
            given = await self._cancel(uow, booking, now, None if customer else refund_cents, customer)
            abandon_payment_link(booking, now=now)
            await refund_paid_extensions(uow, booking, now=now)
            await uow.commit()
        return Cancellation(booking, given)

    async def _cancel(
        self, uow: UnitOfWork, booking: Booking, now: datetime, refund_cents: int | None, customer: bool
    ) -> int:
        """Cancel by the rule for the booking's kind; returns what goes back (0 when cancelled already)."""
        if booking.status is BookingStatus.CANCELLED:
            return 0
        if refund_cents is not None and refund_cents > booking.paid_cents:
            raise InvalidRequest(
                "a refund beyond what was paid", {"amount_cents": f"{booking.paid_cents} at most"}
            )
        if booking.credits is not None:
            return await cancel_a_package(uow, self._catalog, booking, now=now, refund_cents=refund_cents)
        if booking.package_id is not None:  # its package paid for it: only the credit comes back
            await cancel_a_session(uow, self._catalog, booking, now=now)
            return 0
        if customer:
            quote = _quote(booking, self._catalog.catalog.cancellation_of(booking.offering_id), now)
            refund_cents = None if quote.free else quote.refund_cents
        given = _given(booking, refund_cents)
        booking.cancel(now=now, refund_cents=refund_cents)
        return given


class QuoteCancellation:
    """The refund cancelling now would give (the customer's policy), stated before they confirm."""

    def __init__(self, uow: UnitOfWorkFactory, catalog: CatalogSource, clock: Clock) -> None:
        self._uow, self._catalog, self._clock = uow, catalog, clock

    async def __call__(self, booking_id: UUID, *, token: Credential | None, admin: bool) -> CancellationQuote:
        async with self._uow(read_only=True) as uow:
            booking = await _booking(uow, booking_id, token, admin, lock=False)
        policy = self._catalog.catalog.cancellation_of(booking.offering_id)
        return _quote(booking, policy, self._clock.now())


async def _booking(
    uow: UnitOfWork, booking_id: UUID, token: Credential | None, admin: bool, *, lock: bool = True
) -> Booking:
    booking = await uow.bookings.get(booking_id, for_update=lock)
    if booking is None or not holds_booking(token, booking.id, booking.token_hash, admin=admin):
        raise NotFound("no such booking")
    return booking


def _quote(booking: Booking, policy: CancellationPolicy, now: datetime) -> CancellationQuote:
    """By the policy; a package gives back what its unused credits are worth, and a session (paid by its
    package) nothing, `free` meaning its credit comes back."""
    start = booking.slot.start if booking.slot is not None else None
    refund = refund_for(policy, paid_cents=booking.paid_cents, start=start, at=now)
    if booking.credits is not None:
        unused = min(unused_value(booking, now), refund.paid_cents)
        refund = RefundQuote(unused, refund.paid_cents, unused == refund.paid_cents, None)
    return CancellationQuote(
        booking_id=booking.id,
        refund_cents=refund.refund_cents,
        paid_cents=refund.paid_cents,
        currency=booking.price.currency,
        free=refund.free,
        free_until=refund.free_until,
        late_refund_percent=policy.late_refund_percent,
    )


def _given(booking: Booking, refund_cents: int | None) -> int:
    """What a cancellation asking `refund_cents` (None: all that is left) gives back of the booking."""
    paid = booking.paid_cents
    return paid if refund_cents is None else max(0, min(refund_cents, paid))


class ExpireHolds:
    """Moves bookings whose hold ran out to `expired`, a batch per transaction; returns how many."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, *, batch: int = 200) -> None:
        self._uow, self._clock, self._batch = uow, clock, batch

    async def __call__(self) -> int:
        expired = 0
        while True:
            now = self._clock.now()
            async with self._uow() as uow:
                due = await uow.bookings.due_holds(now=now, limit=self._batch)
                for booking in due:
                    booking.expire(now=now)
                    abandon_payment_link(booking, now=now)
                await uow.commit()
            expired += len(due)
            if len(due) < self._batch:
                return expired


def abandon_payment_link(booking: Booking, *, now: datetime) -> None:
    """A booking that ended unpaid with a payment link open: the link is deactivated (through the outbox),
    so nobody pays for a slot the booking no longer holds."""
    if booking.payment_status in MONEY_RECEIVED:
        return
    provider = booking.references.get(PAYMENT_GATEWAY_REF)  # `airwallex`: the gateway that makes links
    link = booking.references.get(payment_link_key(provider)) if provider else None
    if provider and link:
        booking.events.append(PaymentLinkAbandoned(booking.id, now, provider, link))
