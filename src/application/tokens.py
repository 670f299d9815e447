"""Booking tokens: 256 random bits, URL-safe; only their SHA-256 is stored.

A booking is opened by its token, or by a manage grant: an HMAC of the hub's secret key over the
booking's id and its *current* token hash (what a manage link and its cookie carry). Anything that
replaces a booking's token hash (erasing its customer's data) revokes every grant made before."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import TypeAlias
from uuid import UUID


@dataclass(frozen=True, slots=True)
class ManageGrant:
    """A manage link's or cookie's signature for one booking, checked against the booking's token hash
    when a use case loads it. `purpose` keeps a link's signature from passing for a cookie's."""

    booking_id: UUID
    signature: bytes = field(repr=False)
    key: bytes = field(repr=False)
    purpose: str = "link"


Credential: TypeAlias = str | ManageGrant
MIN_SIGNATURE_BYTES = 16  # a link carries 128 bits of its signature; nothing shorter is accepted


def grant_signature(key: bytes, purpose: str, booking_id: UUID, stored_hash: bytes) -> bytes:
    message = b"bookhub-manage:" + purpose.encode() + b":" + booking_id.bytes + stored_hash
    return hmac.new(key, message, hashlib.sha256).digest()


def new_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def token_matches(token: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)


def opens(credential: Credential, booking_id: UUID, stored_hash: bytes) -> bool:
    """The booking's token, or a grant made for this booking over its current token hash."""
    if isinstance(credential, ManageGrant):
        if credential.booking_id != booking_id or len(credential.signature) < MIN_SIGNATURE_BYTES:
            return False
        expected = grant_signature(credential.key, credential.purpose, booking_id, stored_hash)
        return hmac.compare_digest(expected[: len(credential.signature)], credential.signature)
    return token_matches(credential, stored_hash)


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
