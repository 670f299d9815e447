"""The driver app's signature, both ways: hex(HMAC-SHA256(secret, body)) in `x-webhook-signature`."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "x-webhook-signature"


def sign(secret: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, body)), over the exact bytes sent or received."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str | None, body: bytes, header: str | None) -> bool:
    if not secret or not header:
        return False
    return hmac.compare_digest(sign(secret, body), header.strip().lower())
