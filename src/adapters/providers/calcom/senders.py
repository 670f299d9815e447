"""The outbox's `calcom.booking_cancelled` messages."""

from __future__ import annotations

from adapters.providers.calcom.client import CalComClient
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import ClaimedMessage
from domain.outbox import OutboxState

RETRYABLE_4XX = frozenset({408, 429})


class CalComCancelSender:
    """`calcom.booking_cancelled`: cancels the Cal.com booking of a booking cancelled in the hub. A 404
    (no such booking there) has nothing left to cancel; 408, 429 and 5xx are tried again."""

    def __init__(self, client: CalComClient) -> None:
        self._client = client

    async def send(self, message: ClaimedMessage) -> OutboxState:
        uid = message.payload.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ProviderRejected("calcom message without a uid")
        status = await self._client.cancel_booking(uid, booking=str(message.booking_id))
        if 200 <= status < 300 or status == 404:
            return OutboxState.DELIVERED
        if status >= 500 or status in RETRYABLE_4XX:
            raise ProviderUnavailable(f"Cal.com answered HTTP {status}")
        raise ProviderRejected(f"Cal.com answered HTTP {status}")
