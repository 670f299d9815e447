"""Airwallex payments: a payment link for a booking (its `url`), or a PaymentIntent for a booking or an
extension, whose `client_secret` Airwallex's hosted page or drop-in element takes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.providers.airwallex.client import AirwallexApi, request_id, to_major
from application.payments.commands import PaymentSession
from domain.booking import Booking
from domain.catalog import Offering
from domain.extension import Extension


class AirwallexPaymentGateway:
    """A PaymentIntent whose `client_secret` Airwallex's hosted page or drop-in element takes; it carries
    `merchant_order_id` and `metadata.booking_id`, and our idempotency key as its `request_id`."""

    customer_key = None

    def __init__(self, api: AirwallexApi, *, name: str = "airwallex_payment_intent") -> None:
        self._api, self.name = api, name

    async def create_session(
        self,
        booking: Booking,
        offering: Offering,
        *,
        idempotency_key: str,
        customer_ref: str | None = None,
    ) -> PaymentSession:
        currency = booking.price.currency.upper()
        body = {
            "request_id": idempotency_key,
            "amount": float(to_major(booking.price.amount_cents, currency)),
            "currency": currency,
            "merchant_order_id": str(booking.id),
            "descriptor": offering.name[:32],
            "metadata": {"booking_id": str(booking.id)},
        }
        intent = await self._api.post("/api/v1/pa/payment_intents/create", body)
        return PaymentSession(
            "airwallex",
            client_secret=intent.get("client_secret"),
            reference=intent.get("id"),
            reference_key="airwallex_payment_intent",
        )


class AirwallexExtensionPayment:
    """An extension paid on-session: a PaymentIntent of its price for Airwallex's hosted page or drop-in
    element (`client_secret`), `merchant_order_id` the extension's id, `metadata` naming the booking and
    the extension, `request_id` the extension attempt's key (so a repeat opens nothing more)."""

    provider = "airwallex"
    customer_key = None

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def open(
        self, extension: Extension, booking: Booking, *, idempotency_key: str, customer_ref: str | None
    ) -> PaymentSession:
        currency = extension.price.currency.upper()
        body = {
            "request_id": request_id(idempotency_key),
            "amount": float(to_major(extension.price.amount_cents, currency)),
            "currency": currency,
            "merchant_order_id": str(extension.id),
            "descriptor": extension.description[:32],
            "metadata": {"booking_id": str(booking.id), "extension_id": str(extension.id)},
        }
        intent = await self._api.post("/api/v1/pa/payment_intents/create", body)
        return PaymentSession(
            "airwallex", client_secret=intent.get("client_secret"), reference=intent.get("id")
        )


LINK_REFERENCE = "airwallex_payment_link"  # where the booking keeps its link's id
_LINKS = "/api/v1/pa/payment_links"
_LOOK_BACK = timedelta(minutes=10)  # how far before the booking a link made for it may have been created


class AirwallexPaymentLinkGateway:
    """An Airwallex payment link per booking (PROVIDERS §2a): `reusable: false`, the booking's price in
    major units, `reference` our idempotency key and `metadata.booking_id`, `expires_at` the hold's end.
    The create call takes no `request_id`, so the links created since the booking are listed and one
    with our `reference` is reused before a second is made (extras found are deactivated). The customer
    pays at its `url`; the PaymentIntent that pays it names it in `payment_link_id`."""

    name = "airwallex"
    customer_key = None

    def __init__(self, api: AirwallexApi) -> None:
        self._api = api

    async def create_session(
        self,
        booking: Booking,
        offering: Offering,
        *,
        idempotency_key: str,
        customer_ref: str | None = None,
    ) -> PaymentSession:
        reference = request_id(idempotency_key)
        link = await self._find(booking, reference)
        if link is None:
            currency = booking.price.currency.upper()
            body: dict[str, Any] = {
                "title": offering.name[:100],
                "reusable": False,
                "amount": float(to_major(booking.price.amount_cents, currency)),
                "currency": currency,
                "reference": reference,
                "metadata": {"booking_id": str(booking.id)},
            }
            if booking.hold_expires_at is not None:
                body["expires_at"] = booking.hold_expires_at.isoformat()
            link = await self._api.post(f"{_LINKS}/create", body)
        return PaymentSession(
            "airwallex",
            url=link.get("url"),
            reference=link.get("id"),
            reference_key=LINK_REFERENCE,
            linked=True,
        )

    async def _find(self, booking: Booking, reference: str) -> dict[str, Any] | None:
        since = (booking.created_at - _LOOK_BACK).isoformat()
        listed = await self._api.list(_LINKS, {"from_created_at": since})
        mine = [link for link in listed if link.get("reference") == reference and link.get("active", True)]
        for extra in mine[1:]:  # a create retried after a lost answer: keep the first, end the others
            await self._api.post(f"{_LINKS}/{extra['id']}/deactivate", {}, missing_ok=True)
        return mine[0] if mine else None

    async def deactivate(self, link_id: str) -> None:
        """The booking was cancelled or its hold ran out: the link takes no more payments. A link gone
        already counts as done."""
        await self._api.post(f"{_LINKS}/{link_id}/deactivate", {}, missing_ok=True)
