"""The driver app's settings: connected with the URL trips are posted to and the secret both ways sign."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, SettingsError, require_url


class DriverAppSettings(ProviderSettings, frozen=True, kw_only=True):
    webhook_url: str | None = None
    secret: str | None = None

    VARIABLES = (
        ("DRIVER_APP_WEBHOOK_URL", "webhook_url", str),
        ("DRIVER_APP_SECRET", "secret", str),
    )

    def check(self) -> None:
        if self.webhook_url and not self.secret:
            raise SettingsError("DRIVER_APP_SECRET: must be set when DRIVER_APP_WEBHOOK_URL is")
        require_url("DRIVER_APP_WEBHOOK_URL", self.webhook_url)

    @property
    def mode(self) -> str:
        return "connected" if self.webhook_url else "mock"
