"""The payment step after Book or Pay: the provider's page (Stripe Checkout, an Airwallex link, the
sandbox), Stripe Elements on our page for a PaymentIntent, or straight to the booking when free."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from application.payments.commands import PaymentSession
from entrypoints.settings import Settings
from entrypoints.web.pages import AnyRequest, Lang, error_page, render
from entrypoints.web.security import STRIPE_CSP


def payment_step(
    request: AnyRequest,
    lang: Lang,
    created: Any,
    cookies: list[Cookie],
    settings: Settings,
) -> Response[Any] | Template:
    booking_page = lang.link(f"/bookings/{created.booking_id}")
    payment: PaymentSession | None = created.payment
    if payment is None:
        return Redirect(booking_page, status_code=303, cookies=cookies)
    if payment.url:
        return Redirect(payment.url, status_code=303, cookies=cookies)
    if payment.client_secret and settings.stripe.publishable_key:
        return render(
            request,
            "payment.html",
            lang,
            cookies=cookies,
            headers={"Content-Security-Policy": STRIPE_CSP},
            booking_id=created.booking_id,
            publishable_key=settings.stripe.publishable_key,
            client_secret=payment.client_secret,
            return_url=f"{settings.public_url.rstrip('/')}/bookings/{created.booking_id}",
        )
    return error_page(request, lang, 502)  # a PaymentIntent without STRIPE_PUBLISHABLE_KEY to pay it here
