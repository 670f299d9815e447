"""Acuity's webhook: the signature checked on the raw body, then the appointment it names fetched and
normalised. Acuity sends no event id and no appointment, so the fetch belongs to reading the webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

from adapters.providers.acuity.appointments import appointment_reported
from adapters.providers.acuity.client import AcuityClient
from adapters.providers.acuity.notification import parse_notification
from application.errors import InvalidSignature
from application.scheduling.commands import AppointmentReported
from application.webhooks import IGNORED, Ignored

PROVIDER = "acuity"


def signature_matches(api_key: str | None, body: bytes, header: str | None) -> bool:
    """`X-Acuity-Signature` is base64(HMAC-SHA256(api key, raw body)), compared in constant time."""
    if not api_key or not header:
        return False
    expected = base64.b64encode(hmac.new(api_key.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, header.strip().encode())


class AcuityWebhook:
    provider = PROVIDER
    signature_refusal_status = 400
    payload_refusal_code = "invalid_payload"

    def __init__(self, client: AcuityClient, *, api_key: str | None) -> None:
        self._client, self._api_key = client, api_key

    async def parse(self, body: bytes, headers: Mapping[str, str]) -> AppointmentReported | Ignored:
        """IGNORED for a notification about nothing we follow. The fetch runs outside any transaction: it
        proves the appointment exists; an outage raises ProviderUnavailable (answered 502) and Acuity
        sends the notification again."""
        if not signature_matches(self._api_key, body, headers.get("x-acuity-signature")):
            raise InvalidSignature("the X-Acuity-Signature header does not match the body")
        notification = parse_notification(body)
        if notification is None:
            return IGNORED
        appointment = await self._client.appointment(notification.appointment_id)
        return appointment_reported(notification, appointment)
