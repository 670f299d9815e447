"""Stripe through the official SDK: one async client per process, and errors told without what was sent."""

from __future__ import annotations

import logging
from typing import Any

import stripe

from application.errors import ProviderUnavailable

log = logging.getLogger("bookhub.stripe")

TIMEOUT_SECONDS = 10.0
NETWORK_RETRIES = 2


class _HttpxClient(stripe.HTTPXClient):
    """The SDK's httpx client, sending the form body as `content` (httpx deprecates raw `data`)."""

    def _get_request_args_kwargs(self, method: str, url: str, headers: Any, post_data: Any) -> Any:
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        kwargs["content"] = kwargs.pop("data", None) or None
        return args, kwargs


class StripeApi:
    """One `StripeClient` per process, over the SDK's async httpx client; closed with the app."""

    def __init__(self, api_key: str, *, api_base: str) -> None:
        self._http = _HttpxClient(timeout=TIMEOUT_SECONDS)
        self.client = stripe.StripeClient(
            api_key,
            http_client=self._http,
            base_addresses={"api": api_base.rstrip("/")},
            max_network_retries=NETWORK_RETRIES,
        )

    async def aclose(self) -> None:
        await self._http.close_async()


def unavailable(what: str, exc: stripe.StripeError) -> ProviderUnavailable:
    """Ids and status only in the log and the error: Stripe's message can quote what was sent."""
    name, status = type(exc).__name__, exc.http_status
    log.warning("stripe %s failed: %s (HTTP %s, request %s)", what, name, status, exc.request_id)
    return ProviderUnavailable(f"stripe {what} failed: {name} (HTTP {status})")
