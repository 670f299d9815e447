"""Booking tokens: 256 random bits, URL-safe; only their SHA-256 is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def token_matches(token: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def idempotency_key_hash(key: str) -> str:
    return hashlib.sha256(b"bookhub-idempotency:" + key.encode()).hexdigest()


def seal_token(token: str, idempotency_key: str) -> bytes:
    """Keep a replayable token without storing it: XOR with a pad only the client's key can rebuild."""
    raw = _decode(token)
    return bytes(a ^ b for a, b in zip(raw, _pad(idempotency_key), strict=True))


def open_token(sealed: bytes, idempotency_key: str) -> str:
    raw = bytes(a ^ b for a, b in zip(sealed, _pad(idempotency_key), strict=True))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _pad(idempotency_key: str) -> bytes:
    return hashlib.sha256(b"bookhub-token-seal:" + idempotency_key.encode()).digest()


def _decode(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def holds_booking(token: str | None, stored_hash: bytes, *, admin: bool) -> bool:
    """An admin, or the holder of the booking's own token."""
    return admin or (token is not None and token_matches(token, stored_hash))
