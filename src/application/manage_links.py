"""Manage links: `{public_url}/manage/<opaque>`, and the cookie a browser exchanges one for.

The opaque part is the booking's id and 128 bits of a grant signature (application/tokens.py): it opens
only its booking, survives restarts (the key is kept), and stops working once the booking's token hash
is replaced. No booking secret is stored: a link is recomputed from the id and the hash when needed."""

from __future__ import annotations

import base64
import binascii
import re
from uuid import UUID

from application.ports import SecretKeySource
from application.tokens import ManageGrant, grant_signature

LINK_SIGNATURE_BYTES = 16
LINK, COOKIE = "link", "cookie"
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


class ManageLinks:
    def __init__(self, keys: SecretKeySource, public_url: str) -> None:
        self._keys, self._base = keys, public_url.rstrip("/")

    async def url(self, booking_id: UUID, token_hash: bytes) -> str:
        key = await self._keys.secret_key()
        signature = grant_signature(key, LINK, booking_id, token_hash)[:LINK_SIGNATURE_BYTES]
        return f"{self._base}/manage/{_encode(booking_id.bytes + signature)}"

    async def grant_of_link(self, opaque: str) -> ManageGrant | None:
        """The grant a link's opaque part carries, or None when it cannot be one (checked on use)."""
        raw = _decode(opaque)
        if raw is None or len(raw) != 16 + LINK_SIGNATURE_BYTES:
            return None
        return ManageGrant(UUID(bytes=raw[:16]), raw[16:], await self._keys.secret_key(), LINK)

    async def cookie(self, booking_id: UUID, token_hash: bytes) -> str:
        key = await self._keys.secret_key()
        return _encode(grant_signature(key, COOKIE, booking_id, token_hash))

    async def grant_of_cookie(self, booking_id: UUID, value: str | None) -> ManageGrant | None:
        raw = _decode(value) if value else None
        if raw is None:
            return None
        return ManageGrant(booking_id, raw, await self._keys.secret_key(), COOKIE)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes | None:
    """The bytes of a canonical unpadded base64url text only: another spelling of the same bytes (other
    unused low bits, characters outside the alphabet) is refused like any other tampering."""
    if not text or len(text) > 200 or not _ALPHABET.fullmatch(text):
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _encode(raw) == text else None
