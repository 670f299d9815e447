"""Twilio's settings: connected with its account, token and sender number."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, SettingsError, require_url


class TwilioSettings(ProviderSettings, frozen=True, kw_only=True):
    account_sid: str | None = None
    auth_token: str | None = None
    sender: str | None = None
    api_base: str = "https://api.twilio.com"

    VARIABLES = (
        ("TWILIO_ACCOUNT_SID", "account_sid", str),
        ("TWILIO_AUTH_TOKEN", "auth_token", str),
        ("TWILIO_FROM", "sender", str),
        ("TWILIO_API_BASE", "api_base", str),
    )

    def check(self) -> None:
        if bool(self.account_sid) != bool(self.auth_token):
            raise SettingsError("TWILIO_AUTH_TOKEN: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together")
        if self.mode == "connected" and not self.sender:
            raise SettingsError("TWILIO_FROM: must be set when TWILIO_ACCOUNT_SID is (e.g. '+15005550006')")
        require_url("TWILIO_API_BASE", self.api_base)

    @property
    def mode(self) -> str:
        return "connected" if self.account_sid and self.auth_token else "mock"
