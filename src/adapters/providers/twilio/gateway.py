"""SMS through Twilio's Messages resource (`POST /2010-04-01/Accounts/{sid}/Messages.json`)."""

from __future__ import annotations

import logging

import httpx

from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable
from domain.notifications import Sms

log = logging.getLogger("bookhub.twilio")

TIMEOUT_SECONDS = 10.0


class TwilioSmsGateway:
    """2xx is sent. 429, 5xx, timeouts and connection errors are tried again; any other answer is
    permanent. Twilio keeps no idempotency key for messages, so a retry after a timeout that Twilio did
    act on sends the text twice (at least once, like every outbox delivery). Logs carry the outbox key,
    the status and Twilio's numeric error code, never a phone number or the text."""

    def __init__(
        self, http: HttpClient, *, account_sid: str, auth_token: str, sender: str, api_base: str
    ) -> None:
        self._http, self._from = http, sender
        self._url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self._auth = httpx.BasicAuth(account_sid, auth_token)

    async def send_sms(self, sms: Sms, *, idempotency_key: str) -> None:
        form = {"To": sms.to, "From": self._from, "Body": sms.body}
        try:
            response = await self._http.post(self._url, data=form, auth=self._auth, timeout=TIMEOUT_SECONDS)
        except httpx.TimeoutException as exc:
            log.warning("twilio %s: timed out", idempotency_key)
            raise ProviderUnavailable("twilio timed out") from exc
        except httpx.HTTPError as exc:
            log.warning("twilio %s: %s", idempotency_key, type(exc).__name__)
            raise ProviderUnavailable(f"twilio unreachable: {type(exc).__name__}") from exc
        status = response.status_code
        log.info("twilio %s: HTTP %s", idempotency_key, status)
        if 200 <= status < 300:
            return
        error = f"twilio answered HTTP {status} {_error_code(response)}".rstrip()
        if status >= 500 or status == 429:
            raise ProviderUnavailable(error)
        raise ProviderRejected(error)


def _error_code(response: httpx.Response) -> str:
    """Twilio's numeric error `code` (e.g. 21211, an invalid `To`); its message may quote the number."""
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return ""
    return str(code) if isinstance(code, int) and not isinstance(code, bool) else ""
