"""Airwallex over httpx: a login token cached until shortly before it ends, PaymentIntents and refunds
keyed by `request_id`, and amounts in major units converted with Decimal (never float)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from adapters.providers.http_lanes import HttpClient
from application.errors import ProviderRejected, ProviderUnavailable
from application.ports import Clock

log = logging.getLogger("bookhub.airwallex")

TIMEOUT_SECONDS = 10.0
API_VERSION = "2024-06-30"  # pins the payload shape of answers and lists (PROVIDERS §2a)
REFRESH_BEFORE = timedelta(minutes=5)
# ISO 4217 minor-unit exponents that are not 2.
_EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "JPY", "KRW", "VND", "XAF", "XOF"), 0),
    **dict.fromkeys(("BHD", "KWD", "OMR"), 3),
}


def to_major(cents: int, currency: str) -> Decimal:
    return Decimal(cents).scaleb(-_EXPONENTS.get(currency.upper(), 2))


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    return int(Decimal(str(amount)).scaleb(_EXPONENTS.get(currency.upper(), 2)).to_integral_value())


def request_id(key: str) -> str:
    """Airwallex takes at most 64 characters: a longer key is sent as its SHA-256 (still one per key)."""
    return key if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest()


class AirwallexApi:
    """Calls with a Bearer token from `POST /api/v1/authentication/login`, cached and refreshed; a 401
    refreshes it once. Errors are `ProviderUnavailable` (retry) or `ProviderRejected` (do not)."""

    def __init__(
        self, http: HttpClient, clock: Clock, *, client_id: str, api_key: str, api_base: str
    ) -> None:
        self._http, self._clock = http, clock
        self._client_id, self._api_key, self._base = client_id, api_key, api_base.rstrip("/")
        self._token: tuple[str, datetime] | None = None
        self._lock = asyncio.Lock()

    async def post(self, path: str, body: dict[str, Any], *, missing_ok: bool = False) -> dict[str, Any]:
        """`missing_ok`: a 404 answers `{}` (the object is gone: nothing left to do)."""
        return await self._call("POST", path, missing_ok=missing_ok, json=body)

    async def get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        return await self._call("GET", path, params=params)

    async def list(self, path: str, params: dict[str, str], *, page_size: int = 100) -> list[dict[str, Any]]:
        """Every item of a list endpoint (`{"items", "has_more"}`), page by page from `page_num` 0."""
        items: list[dict[str, Any]] = []
        for page in range(1000):
            body = await self.get(path, {**params, "page_num": str(page), "page_size": str(page_size)})
            items += [item for item in body.get("items") or [] if isinstance(item, dict)]
            if not body.get("has_more"):
                return items
        raise ProviderUnavailable(f"airwallex {path}: more than 1000 pages")

    async def _call(
        self, method: str, path: str, *, missing_ok: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        for attempt in (1, 2):
            token = await self._bearer(fresh=attempt == 2)
            headers = {"authorization": f"Bearer {token}", "x-api-version": API_VERSION}
            response = await self._send(path, method=method, headers=headers, **kwargs)
            if missing_ok and response.status_code == 404:
                return {}
            if response.status_code != 401:
                return _answer(path, response)
        raise ProviderRejected(f"airwallex refused our credentials for {path}")

    async def _bearer(self, *, fresh: bool) -> str:
        async with self._lock:
            now = self._clock.now()
            if fresh or self._token is None or self._token[1] - REFRESH_BEFORE <= now:
                headers = {"x-client-id": self._client_id, "x-api-key": self._api_key}
                body = _answer("login", await self._send("/api/v1/authentication/login", headers=headers))
                if not body.get("token"):
                    raise ProviderUnavailable("airwallex login answered without a token")
                self._token = (str(body["token"]), _expiry(body.get("expires_at"), now))
            return self._token[0]

    async def _send(self, path: str, *, method: str = "POST", **kwargs: Any) -> httpx.Response:
        try:
            if method == "GET":
                return await self._http.get(self._base + path, timeout=TIMEOUT_SECONDS, **kwargs)
            return await self._http.post(self._base + path, timeout=TIMEOUT_SECONDS, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("airwallex %s: %s", path, type(exc).__name__)
            raise ProviderUnavailable(f"airwallex unreachable: {type(exc).__name__}") from exc


def _expiry(value: object, now: datetime) -> datetime:
    """The token's end as Airwallex states it; 30 minutes (its documented life) when it cannot be read."""
    try:
        expires = datetime.fromisoformat(str(value))
    except ValueError:
        return now + timedelta(minutes=30)
    return expires if expires.tzinfo else now + timedelta(minutes=30)


def _answer(path: str, response: httpx.Response) -> dict[str, Any]:
    status = response.status_code
    if 200 <= status < 300:
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"airwallex {path}: an answer that is not JSON") from exc
        return body if isinstance(body, dict) else {}
    code = ""
    with contextlib.suppress(ValueError, AttributeError):
        code = str(response.json().get("code", ""))
    log.warning("airwallex %s: HTTP %s %s", path, status, code)
    if status >= 500 or status in (408, 429):
        raise ProviderUnavailable(f"airwallex {path}: HTTP {status}")
    raise ProviderRejected(f"airwallex {path}: HTTP {status} {code}".strip())
