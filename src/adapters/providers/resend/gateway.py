"""Email through Resend (`POST /emails`), keyed by the outbox message's idempotency key."""

from __future__ import annotations

import logging

import httpx

from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable
from domain.notifications import Email

log = logging.getLogger("bookhub.resend")

TIMEOUT_SECONDS = 10.0


class ResendEmailGateway:
    """2xx is sent. 429, 5xx, timeouts, connection errors and a 409 `concurrent_idempotent_requests` (the
    first request with this key is still running) are tried again; any other answer is permanent. Logs
    carry the idempotency key and the status, never an address."""

    def __init__(self, http: HttpClient, *, api_key: str, sender: str, api_base: str) -> None:
        self._http, self._from = http, sender
        self._url = api_base.rstrip("/") + "/emails"
        self._auth = f"Bearer {api_key}"

    async def send_email(self, email: Email, *, idempotency_key: str) -> None:
        body = {
            "from": self._from,
            "to": [email.to],
            "subject": email.subject,
            "html": email.html,
            "text": email.text,
        }
        headers = {"authorization": self._auth, "idempotency-key": idempotency_key[:256]}
        try:
            response = await self._http.post(self._url, json=body, headers=headers, timeout=TIMEOUT_SECONDS)
        except httpx.TimeoutException as exc:
            log.warning("resend %s: timed out", idempotency_key)
            raise ProviderUnavailable("resend timed out") from exc
        except httpx.HTTPError as exc:
            log.warning("resend %s: %s", idempotency_key, type(exc).__name__)
            raise ProviderUnavailable(f"resend unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        log.info("resend %s: HTTP %s", idempotency_key, status)
        if 200 <= status < 300:
            return
        name = _error_name(response)
        if status >= 500 or status == 429 or name == "concurrent_idempotent_requests":
            raise ProviderUnavailable(f"resend answered HTTP {status} {name}".rstrip())
        raise ProviderRejected(f"resend answered HTTP {status} {name}".rstrip())


def _error_name(response: httpx.Response) -> str:
    """Resend's error `name` (e.g. `validation_error`), an identifier without personal data; else ''."""
    try:
        name = response.json().get("name", "")
    except (ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) and name.replace("_", "").isalnum() and len(name) <= 64 else ""
