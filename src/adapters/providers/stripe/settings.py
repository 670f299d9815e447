"""Stripe's settings: live once its secret key is set."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, require_url


class StripeSettings(ProviderSettings, frozen=True, kw_only=True):
    secret_key: str | None = None
    webhook_secret: str | None = None
    api_base: str = "https://api.stripe.com"
    return_url: str | None = None  # the booking site a customer lands on after a hosted checkout

    VARIABLES = (
        ("STRIPE_SECRET_KEY", "secret_key", str),
        ("STRIPE_WEBHOOK_SECRET", "webhook_secret", str),
        ("STRIPE_API_BASE", "api_base", str),
        ("STRIPE_RETURN_URL", "return_url", str),
    )

    def check(self) -> None:
        require_url("STRIPE_API_BASE", self.api_base)
        require_url("STRIPE_RETURN_URL", self.return_url)

    @property
    def mode(self) -> str:
        return "connected" if self.secret_key else "mock"
