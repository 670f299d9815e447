"""Create a booking: server price, atomic slot claim, hold and payment session, idempotent replays."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from application.bookings.commands import BookingCreated, CreateBooking
from application.catalog import offering_of
from application.errors import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
    InvalidRequest,
    NotFound,
)
from application.payments.commands import PaymentSession
from application.payments.ports import PaymentGateway
from application.ports import (
    CatalogSource,
    Clock,
    IdempotencyRecord,
    NewCustomer,
    UnitOfWork,
    UnitOfWorkFactory,
)
from application.tokens import idempotency_key_hash, new_token, open_token, seal_token, token_hash
from domain.availability import slot_for
from domain.booking import Booking
from domain.catalog import Offering
from domain.customer import is_valid_email, normalise_email
from domain.dispatch import Dispatch
from domain.errors import OutsideOpeningHours
from domain.events import CustomerBooked
from domain.package import credits_for
from domain.references import PAYMENT_GATEWAY_REF
from domain.slot import Slot
from domain.statuses import BookingStatus

PACKAGE_START = "not for a package: schedule each session with POST /v1/bookings/{booking_id}/sessions"


class CreateBookingHandler:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        catalog: CatalogSource,
        payments: Mapping[str, PaymentGateway],
        clock: Clock,
        *,
        hold: timedelta,
        default_provider: str,
        new_id: Callable[[], UUID] = uuid4,
        make_token: Callable[[], str] = new_token,
    ) -> None:
        self._uow, self._catalog, self._payments, self._clock = uow, catalog, payments, clock
        self._hold, self._default_provider = hold, default_provider
        self._new_id, self._make_token = new_id, make_token

    async def __call__(self, cmd: CreateBooking) -> BookingCreated:
        if cmd.idempotency_key is not None:  # a retry answers as the first request did, even much later
            replayed = await self._replay(cmd)
            if replayed is not None:
                return replayed
        offering = offering_of(self._catalog, cmd.offering_id)
        slot = self._slot(offering, cmd.start)
        gateway = self._gateway(cmd, offering)
        if not is_valid_email(cmd.customer.email):
            raise InvalidRequest("invalid customer", {"customer.email": "not a valid email address"})
        dispatch = _dispatch(cmd, offering)
        token, now = self._make_token(), self._clock.now()
        customer, booking = self._new_booking(cmd, offering, slot, token, now, dispatch)
        resources = self._catalog.catalog.resources_for(offering)
        # Without a key the booking is the one write, however many statements the store takes for it.
        async with self._uow(single_write=cmd.idempotency_key is None) as uow:
            first = await self._claim_key(uow, cmd, booking.id, token, now)
            if first:
                await uow.bookings.add(
                    booking, now=now, offering=offering, resources=resources, customer=customer
                )
                await uow.commit()
        if not first:  # another request with this key got there first: answer as it did
            return await self._replay_after_race(cmd)
        return await self._finish(booking, offering, gateway, token, cmd.idempotency_key)

    async def _claim_key(
        self, uow: UnitOfWork, cmd: CreateBooking, booking_id: UUID, token: str, now: datetime
    ) -> bool:
        """False when the request's Idempotency-Key is taken already; True too without a key."""
        if cmd.idempotency_key is None:
            return True
        record = IdempotencyRecord(
            key_hash=idempotency_key_hash(cmd.idempotency_key),
            request_hash=_request_hash(cmd),
            booking_id=booking_id,
            token_cipher=seal_token(token, cmd.idempotency_key),
        )
        return await uow.idempotency.add(record, now=now)

    def _new_booking(
        self,
        cmd: CreateBooking,
        offering: Offering,
        slot: Slot | None,
        token: str,
        now: datetime,
        dispatch: Dispatch | None,
    ) -> tuple[NewCustomer, Booking]:
        booking_id = self._new_id()
        customer = NewCustomer(
            id=self._new_id(),
            email=normalise_email(cmd.customer.email),
            name=cmd.customer.name.strip(),
            phone=cmd.customer.phone,
            locale=cmd.customer.locale,
        )
        booking = Booking.new(
            id=booking_id,
            offering_id=offering.id,
            customer_id=customer.id,
            price=offering.price,
            slot=slot,
            buffer=offering.buffer,
            resource_id=None,
            now=now,
            hold=self._hold,
            notes=cmd.notes,
            intake=cmd.intake,
            dispatch=dispatch,
        )
        booking.token_hash = token_hash(token)
        booking.events.append(CustomerBooked(booking.id, now))  # accounting learns the customer now
        booking.credits = credits_for(offering)
        if booking.credits is not None and booking.status is BookingStatus.CONFIRMED:
            booking.credits.start(now)  # a free package: valid from now, as if paid now
        return customer, booking

    async def _finish(
        self,
        booking: Booking,
        offering: Offering,
        gateway: PaymentGateway,
        token: str,
        idempotency_key: str | None,
    ) -> BookingCreated:
        payment: PaymentSession | None = None
        new_customer_ref: str | None = None
        if offering.requires_payment:
            known = await customer_ref(self._uow, gateway, booking.customer_id)
            payment = await gateway.create_session(
                booking,
                offering,
                idempotency_key=f"checkout:{booking.id}:{gateway.name}",
                customer_ref=known,
            )
            new_customer_ref = payment.customer_ref if payment.customer_ref != known else None
        created = _created(booking, token, payment)
        if payment is not None or idempotency_key is not None:
            linked = payment is not None and payment.linked
            writes = (payment is not None) + (idempotency_key is not None) + (new_customer_ref is not None)
            async with self._uow(single_write=writes + linked == 1) as uow:  # one write needs no transaction
                if payment is not None:
                    booking.references.update(payment_references(payment))
                    booking.references[PAYMENT_GATEWAY_REF] = gateway.name
                    await uow.bookings.set_references(booking.id, booking.references)
                    await link_payment(uow, payment, booking.id)
                if new_customer_ref is not None and gateway.customer_key is not None:
                    await uow.customers.set_reference(
                        booking.customer_id, gateway.customer_key, new_customer_ref
                    )
                if idempotency_key is not None:
                    await uow.idempotency.set_response(
                        idempotency_key_hash(idempotency_key), _record(created)
                    )
                await uow.commit()
        return created

    async def _replay(self, cmd: CreateBooking) -> BookingCreated | None:
        assert cmd.idempotency_key is not None  # noqa: S101 - callers check
        async with self._uow(read_only=True) as uow:
            record = await uow.idempotency.get(idempotency_key_hash(cmd.idempotency_key))
            booking = await uow.bookings.get(record.booking_id) if record is not None else None
        if record is None:
            return None
        if record.request_hash != _request_hash(cmd):
            raise IdempotencyKeyReused("this Idempotency-Key was used with a different request")
        token = open_token(record.token_cipher, cmd.idempotency_key)
        if record.response is not None:
            return _from_record(record.response, token)
        if booking is None:
            raise NotFound("the booking of this Idempotency-Key is gone")
        # The first request stopped between its hold and its payment session: finish it now.
        offering = offering_of(self._catalog, booking.offering_id)
        return await self._finish(booking, offering, self._gateway(cmd, offering), token, cmd.idempotency_key)

    async def _replay_after_race(self, cmd: CreateBooking) -> BookingCreated:
        replayed = await self._replay(cmd)
        if replayed is None:
            raise IdempotencyInProgress("a request with this Idempotency-Key is in progress; retry shortly")
        return replayed

    def _slot(self, offering: Offering, start: datetime | None) -> Slot | None:
        if offering.sessions is not None:
            if start is not None:  # a package is paid first; each of its sessions is scheduled after
                raise InvalidRequest("a package is booked without a time", {"start": PACKAGE_START})
            return None
        if start is None:
            if offering.resource_type is not None or offering.capacity > 1:
                raise InvalidRequest("this offering is booked for a time", {"start": "required"})
            return None
        if start.tzinfo is None:
            raise InvalidRequest("times carry an offset", {"start": "must include a UTC offset"})
        if start < self._clock.now():
            raise InvalidRequest("the start is in the past", {"start": "must be in the future"})
        try:
            return slot_for(offering, start)
        except OutsideOpeningHours as exc:
            raise InvalidRequest(exc.detail, {"start": "outside the offering's opening hours"}) from exc

    def _gateway(self, cmd: CreateBooking, offering: Offering) -> PaymentGateway:
        """The one the request names, else the offering's (when it is configured), else the default."""
        if cmd.payment_provider is None:
            name = offering.payment_provider
            if name is None or name not in self._payments:
                name = self._default_provider
        else:
            name = cmd.payment_provider
        gateway = self._payments.get(name)
        if gateway is None:
            configured = ", ".join(self._payments)
            raise InvalidRequest(
                "unknown payment provider", {"payment_provider": f"not configured; one of: {configured}"}
            )
        return gateway


def _dispatch(cmd: CreateBooking, offering: Offering) -> Dispatch | None:
    """A driver needs where to collect the vehicle, which vehicle, and a phone to call; an offering
    that sends no driver keeps none of it."""
    if not offering.dispatch:
        return None
    missing = {
        name: "required: this offering sends a driver"
        for name, value in (
            ("pickup_address", cmd.pickup_address),
            ("vehicle", cmd.vehicle),
            ("customer.phone", cmd.customer.phone),
        )
        if value is None
    }
    if cmd.pickup_address is None or cmd.vehicle is None or missing:
        raise InvalidRequest("this offering sends a driver", missing)
    return Dispatch(pickup=cmd.pickup_address, vehicle=cmd.vehicle, delivery=cmd.delivery_address)


def _created(booking: Booking, token: str, payment: PaymentSession | None) -> BookingCreated:
    return BookingCreated(
        booking_id=booking.id,
        booking_token=token,
        status=booking.status.value,
        payment_status=booking.payment_status.value,
        amount_cents=booking.price.amount_cents,
        currency=booking.price.currency,
        start=booking.slot.start if booking.slot else None,
        end=booking.slot.end if booking.slot else None,
        resource_id=booking.resource_id,
        requires_payment=not booking.price.is_free,
        payment=payment,
        expires_at=booking.hold_expires_at if booking.status is BookingStatus.PENDING_PAYMENT else None,
    )


async def customer_ref(uow: UnitOfWorkFactory, gateway: PaymentGateway, customer_id: UUID) -> str | None:
    """The customer's id at the gateway's provider, for a gateway that saves cards for a customer."""
    if gateway.customer_key is None:
        return None
    async with uow(read_only=True) as reading:
        customer = await reading.customers.get(customer_id)
    return customer.references.get(gateway.customer_key) if customer is not None else None


async def link_payment(uow: UnitOfWork, payment: PaymentSession, booking_id: UUID) -> None:
    """A payment whose events name only its reference (a payment link): the reference names the booking."""
    if payment.linked and payment.reference:
        key = payment.reference_key or f"{payment.provider}_payment"
        await uow.bookings.link_reference(key, payment.reference, booking_id)


def payment_references(payment: PaymentSession) -> dict[str, str]:
    refs = {"payment_provider": payment.provider}
    if payment.url:
        refs["payment_url"] = payment.url
    if payment.reference:
        refs[payment.reference_key or f"{payment.provider}_payment"] = payment.reference
    return refs


def _record(created: BookingCreated) -> dict[str, Any]:
    record = asdict(created)
    del record["booking_token"]
    return json.loads(json.dumps(record, default=str))  # type: ignore[no-any-return]


def _from_record(record: Mapping[str, Any], token: str) -> BookingCreated:
    def when(key: str) -> datetime | None:
        value = record.get(key)
        return datetime.fromisoformat(value) if value else None

    payment = record.get("payment")
    return BookingCreated(
        booking_id=UUID(record["booking_id"]),
        booking_token=token,
        status=record["status"],
        payment_status=record["payment_status"],
        amount_cents=record["amount_cents"],
        currency=record["currency"],
        start=when("start"),
        end=when("end"),
        resource_id=record.get("resource_id"),
        requires_payment=record["requires_payment"],
        payment=PaymentSession(**payment) if payment else None,
        expires_at=when("expires_at"),
    )


def _request_hash(cmd: CreateBooking) -> str:
    """The same request however it is spelled: one instant in any offset, one email in any case."""
    body = asdict(cmd)
    body.pop("idempotency_key")
    if cmd.start is not None and cmd.start.tzinfo is not None:
        body["start"] = cmd.start.astimezone(UTC).isoformat()
    body["customer"]["email"] = normalise_email(cmd.customer.email)
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
