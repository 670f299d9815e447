"""Public routes: the catalog, availability, and a customer's own bookings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from application.bookings.commands import BookingView, CreateBooking, CustomerDetails
from application.bookings.create_booking import CreateBookingHandler
from application.bookings.lifecycle import CancelBooking
from application.bookings.queries import GetAvailability, GetBooking, ListOfferings, check_instant
from application.errors import InvalidRequest
from application.manage_links import ManageLinks
from application.payments.extensions import (
    ApproveExtension,
    DeclineExtension,
    PayExtension,
)
from application.payments.retry_payment import RetryPayment
from application.scheduling.commands import ScheduleBooking
from application.scheduling.schedule import ScheduleBookingHandler
from application.tokens import token_hash
from domain.dispatch import Address, Vehicle
from domain.extension import ExtensionStatus
from entrypoints.http.auth import require_credential, token_or_admin
from entrypoints.http.deps import Inject
from entrypoints.http.json_body import NUL_REASON, json_body, text_with_nul
from entrypoints.http.openapi import JSON_BODY, problems
from entrypoints.http.schemas import (
    AddressIn,
    AvailabilityOut,
    BookingCreatedOut,
    BookingOut,
    CreateBookingIn,
    ExtensionOut,
    ExtensionPaymentOut,
    OfferingList,
    PaymentFailedOut,
    PaymentRestartedOut,
    ScheduleIn,
    availability_out,
    booking_out,
    created_out,
    extension_out,
    offering_out,
    payment_out,
    utc,
)
from entrypoints.settings import Settings

# What opening a payment at the provider can answer while the request waits.
PAYMENT_SESSION = ("provider_rejected", "provider_unavailable")
# What the customer's answer to an extension can be refused with.
EXTENSION_CHANGE = ("unauthorized", "not_found", "illegal_transition", "extension_not_allowed", "conflict")
IDEMPOTENCY_KEY = HeaderParameter(
    name="Idempotency-Key",
    required=False,
    description="Repeat a request safely: the same key and body return the first response",
    # Said here, checked in the route: its refusal names the header (422 `invalid_request`).
    schema_extra={"minLength": 8, "maxLength": 255},
)


class BookingController(Controller):
    path = "/v1"
    tags = ["bookings"]

    @get("/offerings")
    async def offerings(self, list_offerings: Inject[ListOfferings]) -> OfferingList:
        return OfferingList([offering_out(o) for o in list_offerings()])

    @get(
        "/offerings/{offering_id:str}/availability",
        responses=problems("not_found", "unknown_offering", "invalid_request"),
    )
    async def availability(
        self,
        offering_id: FromPath[str],
        get_availability: Inject[GetAvailability],
        start: Annotated[datetime, QueryParameter(name="from", description="ISO 8601 with an offset")],
        end: Annotated[datetime, QueryParameter(name="to", description="ISO 8601 with an offset")],
    ) -> AvailabilityOut:
        if start.tzinfo is None or end.tzinfo is None:
            field = "from" if start.tzinfo is None else "to"
            raise InvalidRequest("times carry an offset", {field: "must include a UTC offset"})
        slots = await get_availability(offering_id, start, end)
        return availability_out(slots)

    @post(
        "/bookings",
        status_code=201,
        before_request=json_body,
        responses=problems(
            *JSON_BODY,
            "not_found",
            "unknown_offering",
            "slot_unavailable",
            "idempotency_in_progress",
            "conflict",
            "invalid_request",
            "idempotency_key_reused",
            *PAYMENT_SESSION,
        ),
    )
    async def create(
        self,
        data: JSONBody[CreateBookingIn],
        create_booking: Inject[CreateBookingHandler],
        manage_links: Inject[ManageLinks],
        idempotency_key: Annotated[str | None, IDEMPOTENCY_KEY] = None,
    ) -> BookingCreatedOut:
        if idempotency_key is not None and not (8 <= len(idempotency_key) <= 255):
            raise InvalidRequest("bad Idempotency-Key", {"Idempotency-Key": "8 to 255 characters"})
        if idempotency_key is not None and text_with_nul(idempotency_key) is not None:
            raise InvalidRequest("bad Idempotency-Key", {"Idempotency-Key": NUL_REASON})
        if data.start is not None:
            check_instant("start", data.start)
        created = await create_booking(create_command(data, idempotency_key))
        manage_url = await manage_links.url(created.booking_id, token_hash(created.booking_token))
        return created_out(created, manage_url)

    @get("/bookings/{booking_id:uuid}", responses=problems("unauthorized", "not_found"))
    async def read(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        get_booking: Inject[GetBooking],
        settings: Inject[Settings],
    ) -> BookingOut:
        token, admin = token_or_admin(request, settings.admin_api_key)
        return booking_out(await get_booking(booking_id, token=token, admin=admin))

    @post(
        "/bookings/{booking_id:uuid}/schedule",
        status_code=200,
        before_request=json_body,
        responses=problems(
            *JSON_BODY,
            "unauthorized",
            "not_found",
            "unknown_offering",
            "illegal_transition",
            "payment_required",
            "slot_unavailable",
            "conflict",
            "invalid_request",
            "provider_unavailable",
        ),
    )
    async def schedule(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        data: JSONBody[ScheduleIn],
        schedule_booking: Inject[ScheduleBookingHandler],
        get_booking: Inject[GetBooking],
        settings: Inject[Settings],
    ) -> BookingOut:
        """A paid booking without a time gets one; at Cal.com too where the offering is mapped."""
        token, admin = token_or_admin(request, settings.admin_api_key)
        check_instant("start", data.start)
        await schedule_booking(
            ScheduleBooking(booking_id, data.start, timezone=data.timezone, token=token, admin=admin)
        )
        return booking_out(await get_booking(booking_id, token=token, admin=admin))

    @post(
        "/bookings/{booking_id:uuid}/cancel",
        status_code=200,
        responses=problems("unauthorized", "not_found", "illegal_transition", "conflict"),
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        cancel_booking: Inject[CancelBooking],
        get_booking: Inject[GetBooking],
        settings: Inject[Settings],
    ) -> BookingOut:
        token, admin = token_or_admin(request, settings.admin_api_key)
        await cancel_booking(booking_id, token=token, admin=admin)
        view: BookingView = await get_booking(booking_id, token=token, admin=admin)
        return booking_out(view)

    @post(
        "/bookings/{booking_id:uuid}/pay",
        status_code=200,
        responses=problems(
            "unauthorized",
            "not_found",
            "payment_not_retryable",
            "conflict",
            *PAYMENT_SESSION,
        ),
    )
    async def pay(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        retry_payment: Inject[RetryPayment],
    ) -> PaymentRestartedOut:
        """A new payment session after a failed payment, while the hold lasts (409 otherwise)."""
        restarted = await retry_payment(booking_id, token=require_credential(request))
        payment = payment_out(restarted.payment)
        assert payment is not None  # noqa: S101 - a restarted payment always has its session
        return PaymentRestartedOut(restarted.booking_id, payment, utc(restarted.expires_at))

    @post(
        "/bookings/{booking_id:uuid}/extensions/{extension_id:uuid}/approve",
        status_code=200,
        responses={
            200: ResponseSpec(ExtensionOut, description="Approved: the extension, charged or being charged"),
            402: ResponseSpec(PaymentFailedOut, description="The charge did not go through"),
            **problems(*EXTENSION_CHANGE, *PAYMENT_SESSION),
        },
    )
    async def approve_extension(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        extension_id: FromPath[UUID],
        approve_extension: Inject[ApproveExtension],
    ) -> Response[ExtensionOut | PaymentFailedOut]:
        """The customer approves an extension: its price is charged to the saved card, once however
        often it is approved. 402 `payment_failed` with the extension when the bank wants the customer
        to authenticate or declines; approving a failed extension again tries a new charge."""
        extension = await approve_extension(booking_id, extension_id, token=require_credential(request))
        if extension.status is ExtensionStatus.FAILED:
            reason = extension.failure_reason or "declined"
            failed = PaymentFailedOut("payment_failed", reason, extension_out(extension))
            return Response(failed, status_code=402)
        return Response(extension_out(extension), status_code=200)

    @post(
        "/bookings/{booking_id:uuid}/extensions/{extension_id:uuid}/pay",
        status_code=200,
        responses=problems(*EXTENSION_CHANGE, *PAYMENT_SESSION),
    )
    async def pay_extension(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        extension_id: FromPath[UUID],
        pay_extension: Inject[PayExtension],
    ) -> ExtensionPaymentOut:
        """The customer pays a proposed extension, or one whose off-session charge was refused, at the
        provider's page (confirming with their bank there): `payment` says where. The same session
        again for a repeat; the extension turns `paid` when the provider reports the payment. A paid
        extension answers with `payment` null; 409 `illegal_transition` for one declined or being
        charged, 409 `extension_not_allowed` once the booking was cancelled or refunded."""
        paying = await pay_extension(booking_id, extension_id, token=require_credential(request))
        return ExtensionPaymentOut(extension_out(paying.extension), payment_out(paying.payment))

    @post(
        "/bookings/{booking_id:uuid}/extensions/{extension_id:uuid}/decline",
        status_code=200,
        responses=problems(*EXTENSION_CHANGE),
    )
    async def decline_extension(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        extension_id: FromPath[UUID],
        decline_extension: Inject[DeclineExtension],
    ) -> ExtensionOut:
        """The customer declines an extension that is proposed or whose charge failed: nothing is charged,
        and approving it later is refused. Declining again answers the same. 409 `illegal_transition`
        for one being charged or paid."""
        extension = await decline_extension(booking_id, extension_id, token=require_credential(request))
        return extension_out(extension)


def _address(data: AddressIn | None) -> Address | None:
    if data is None:
        return None
    return Address(data.street, data.zip, data.city, data.lat, data.lng)


def create_command(data: CreateBookingIn, idempotency_key: str | None) -> CreateBooking:
    intake: dict[str, Any] = dict(data.intake) if isinstance(data.intake, dict) else {}
    vehicle = data.vehicle
    return CreateBooking(
        offering_id=data.offering_id,
        customer=CustomerDetails(
            name=data.customer.name,
            email=data.customer.email,
            phone=data.customer.phone,
            locale=data.customer.locale,
        ),
        start=data.start,
        notes=data.notes,
        intake=intake,
        payment_provider=data.payment_provider,
        idempotency_key=idempotency_key,
        pickup_address=_address(data.pickup_address),
        delivery_address=_address(data.delivery_address),
        vehicle=None if vehicle is None else Vehicle(vehicle.brand, vehicle.model, vehicle.license_plate),
    )
