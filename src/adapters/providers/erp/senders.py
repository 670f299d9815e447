"""The ERP ingest endpoint: one POST per paid booking, exactly the four keys the ERP expects."""

from __future__ import annotations

import asyncio
import logging

import httpx
import msgspec

from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import ClaimedMessage
from domain.outbox import OutboxState

log = logging.getLogger("bookhub.erp")

TIMEOUT_SECONDS = 2.0
RETRYABLE_4XX = frozenset({408, 429})


class HttpErpSender:
    """2xx is delivered; 408, 429, 5xx, timeouts and connection errors are tried again; any other answer
    (a 4xx, or a redirect we do not follow) is permanent. Logs carry the booking id and status only."""

    def __init__(self, http: HttpClient, *, url: str, secret: str) -> None:
        self._http, self._url = http, url
        self._headers = {"content-type": "application/json", "x-ingest-secret": secret}

    async def send(self, message: ClaimedMessage) -> OutboxState:
        if message.booking_id is None:
            raise ProviderRejected("erp message without a booking id")
        booking = str(message.booking_id)
        body = msgspec.json.encode(
            {
                "event": "booking_confirmed",
                "version": "v1",
                "booking_id": booking,
                "idempotency_key": message.idempotency_key,
            }
        )
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS):  # the whole exchange, not each phase
                response = await self._http.post(
                    self._url, content=body, headers=self._headers, timeout=TIMEOUT_SECONDS
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            log.warning("erp ingest booking %s: timed out", booking)
            raise ProviderUnavailable("erp timed out after 2000 ms") from exc
        except httpx.HTTPError as exc:
            log.warning("erp ingest booking %s: %s", booking, type(exc).__name__)
            raise ProviderUnavailable(f"erp unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        log.info("erp ingest booking %s: HTTP %s", booking, status)
        if 200 <= status < 300:
            return OutboxState.DELIVERED
        if status >= 500 or status in RETRYABLE_4XX:
            raise ProviderUnavailable(f"erp answered HTTP {status}")
        raise ProviderRejected(f"erp answered HTTP {status}")
