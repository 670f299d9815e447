"""What keeps the pages safe: CSRF tokens on every form that changes something, the booking cookie a
manage link is exchanged for, and the headers every page carries (CSP without inline script or style,
no referrer, never cached when it holds a token)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any
from uuid import UUID

from litestar.datastructures import Cookie
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.ports import SecretKeySource

CSRF_COOKIE = "bookhub_csrf"
CSRF_FIELD = "csrf_token"
BOOKING_COOKIE = "bookhub_booking"
# Pages of the customer's own booking: the cookie is sent to these paths only.
BOOKING_PATH = "/bookings/{booking_id}"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'"
)
# The Stripe Elements page runs Stripe's own script and frames (nothing inline).
STRIPE_CSP = (
    "default-src 'none'; script-src 'self' https://js.stripe.com; style-src 'self'; "
    "img-src 'self' data: https://*.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; "
    "connect-src https://api.stripe.com; form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'"
)
NO_STORE = "no-store"


class Csrf:
    """Signed double submit: a random cookie, and in each form an HMAC of it under the hub's key. A POST
    whose field is not the cookie's HMAC changes nothing (403)."""

    def __init__(self, keys: SecretKeySource, *, secure: bool) -> None:
        self._keys, self.secure = keys, secure

    @staticmethod
    def new_cookie_value() -> str:
        return secrets.token_urlsafe(32)

    async def token(self, cookie_value: str) -> str:
        key = await self._keys.secret_key()
        mac = hmac.new(key, b"bookhub-csrf:" + cookie_value.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    async def valid(self, cookie_value: str | None, token: Any) -> bool:
        if not cookie_value or not isinstance(token, str) or not token:
            return False
        return hmac.compare_digest((await self.token(cookie_value)).encode(), token.encode())

    def cookie(self, value: str) -> Cookie:
        return Cookie(CSRF_COOKIE, value=value, path="/", httponly=True, samesite="lax", secure=self.secure)


def booking_cookie(booking_id: UUID, value: str, *, secure: bool) -> Cookie:
    """HttpOnly, SameSite=Lax, for the booking's own pages only; a session cookie (the link stays valid
    and opens the booking again)."""
    path = BOOKING_PATH.format(booking_id=booking_id)
    return Cookie(BOOKING_COOKIE, value=value, path=path, httponly=True, samesite="lax", secure=secure)


def security_headers(app: ASGIApp) -> ASGIApp:
    """Every HTML answer gets the page headers unless it set its own CSP; every answer no referrer."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/schema"):
            await app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"referrer-policy", b"no-referrer"))
                headers.append((b"x-content-type-options", b"nosniff"))
                html = any(n.lower() == b"content-type" and v.startswith(b"text/html") for n, v in headers)
                if html and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                if html and b"cache-control" not in names:
                    headers.append((b"cache-control", NO_STORE.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, with_headers)

    return middleware
