"""Acuity's settings: connected with its user id and API key (the key also signs its webhooks)."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, SettingsError, require_url


class AcuitySettings(ProviderSettings, frozen=True, kw_only=True):
    user_id: str | None = None
    api_key: str | None = None
    api_base: str = "https://acuityscheduling.com"

    VARIABLES = (
        ("ACUITY_USER_ID", "user_id", str),
        ("ACUITY_API_KEY", "api_key", str),
        ("ACUITY_API_BASE", "api_base", str),
    )

    def check(self) -> None:
        require_url("ACUITY_API_BASE", self.api_base)
        if bool(self.user_id) != bool(self.api_key):
            raise SettingsError("ACUITY_USER_ID and ACUITY_API_KEY: set both or neither")

    @property
    def mode(self) -> str:
        return "connected" if self.user_id and self.api_key else "mock"
