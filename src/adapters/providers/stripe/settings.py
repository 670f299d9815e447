"""Stripe's settings: live once its secret key is set."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, SettingsError, require_url


class StripeSettings(ProviderSettings, frozen=True, kw_only=True):
    secret_key: str | None = None
    webhook_secret: str | None = None
    api_base: str = "https://api.stripe.com"
    return_url: str | None = None  # the booking site a customer lands on after a hosted checkout
    publishable_key: str | None = None  # Stripe Elements on the hub's payment page (PaymentIntents)

    VARIABLES = (
        ("STRIPE_SECRET_KEY", "secret_key", str),
        ("STRIPE_WEBHOOK_SECRET", "webhook_secret", str),
        ("STRIPE_API_BASE", "api_base", str),
        ("STRIPE_RETURN_URL", "return_url", str),
        ("STRIPE_PUBLISHABLE_KEY", "publishable_key", str),
    )

    def check(self) -> None:
        require_url("STRIPE_API_BASE", self.api_base)
        require_url("STRIPE_RETURN_URL", self.return_url)
        if self.publishable_key is not None and not self.publishable_key.startswith("pk_"):
            raise SettingsError("STRIPE_PUBLISHABLE_KEY: must start with pk_")

    @property
    def mode(self) -> str:
        return "connected" if self.secret_key else "mock"
