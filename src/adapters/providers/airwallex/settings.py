"""Airwallex's settings: live with its client id and API key, unless Stripe is (see Settings.payment_mode)."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, require_url


class AirwallexSettings(ProviderSettings, frozen=True, kw_only=True):
    client_id: str | None = None
    api_key: str | None = None
    webhook_secret: str | None = None
    api_base: str = "https://api.airwallex.com"

    VARIABLES = (
        ("AIRWALLEX_CLIENT_ID", "client_id", str),
        ("AIRWALLEX_API_KEY", "api_key", str),
        ("AIRWALLEX_WEBHOOK_SECRET", "webhook_secret", str),
        ("AIRWALLEX_API_BASE", "api_base", str),
    )

    def check(self) -> None:
        require_url("AIRWALLEX_API_BASE", self.api_base)

    @property
    def mode(self) -> str:
        return "connected" if self.client_id and self.api_key else "mock"
