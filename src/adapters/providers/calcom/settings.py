"""Cal.com's settings: connected with its API key; its webhooks are signed with their own secret."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, require_url


class CalComSettings(ProviderSettings, frozen=True, kw_only=True):
    api_key: str | None = None
    webhook_secret: str | None = None
    api_base: str = "https://api.cal.com"
    api_version: str = "2024-08-13"

    VARIABLES = (
        ("CAL_API_KEY", "api_key", str),
        ("CAL_WEBHOOK_SECRET", "webhook_secret", str),
        ("CAL_API_BASE", "api_base", str),
        ("CAL_API_VERSION", "api_version", str),
    )

    def check(self) -> None:
        require_url("CAL_API_BASE", self.api_base)

    @property
    def mode(self) -> str:
        return "connected" if self.api_key else "mock"
