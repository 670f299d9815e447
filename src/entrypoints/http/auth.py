"""Bearer credentials: a booking's token, or the admin key compared in constant time."""

from __future__ import annotations

import hmac
from typing import Any

from litestar.connection import ASGIConnection

from entrypoints.http.errors import Unauthorized


def bearer(request: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def is_admin(credential: str | None, admin_key: str | None) -> bool:
    if credential is None or not admin_key:
        return False
    return hmac.compare_digest(credential.encode(), admin_key.encode())


def require_credential(request: ASGIConnection[Any, Any, Any, Any]) -> str:
    credential = bearer(request)
    if credential is None:
        raise Unauthorized("send Authorization: Bearer <booking_token>")
    return credential


def token_or_admin(
    request: ASGIConnection[Any, Any, Any, Any], admin_key: str | None
) -> tuple[str | None, bool]:
    """For routes open to the booking's token holder and to the admin: (the token, or None for the
    admin; whether it is the admin). 401 without a credential."""
    credential = require_credential(request)
    admin = is_admin(credential, admin_key)
    return (None if admin else credential), admin
