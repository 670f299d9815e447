"""Resend's settings: connected with its API key and a sender address."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, SettingsError, require_url


class ResendSettings(ProviderSettings, frozen=True, kw_only=True):
    api_key: str | None = None
    sender: str | None = None
    api_base: str = "https://api.resend.com"

    VARIABLES = (
        ("RESEND_API_KEY", "api_key", str),
        ("RESEND_FROM", "sender", str),
        ("RESEND_API_BASE", "api_base", str),
    )

    def check(self) -> None:
        if self.api_key and not self.sender:
            raise SettingsError(
                "RESEND_FROM: must be set when RESEND_API_KEY is (e.g. 'Bookings <b@your.domain>')"
            )
        require_url("RESEND_API_BASE", self.api_base)

    @property
    def mode(self) -> str:
        return "connected" if self.api_key else "mock"
