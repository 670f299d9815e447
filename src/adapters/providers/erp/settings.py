"""The ERP's settings: connected with its ingest URL and secret, mock without, or switched off."""

from __future__ import annotations

from adapters.providers.env import ProviderSettings, SettingsError, boolean, require_url


class ErpSettings(ProviderSettings, frozen=True, kw_only=True):
    ingest_url: str | None = None
    ingest_secret: str | None = None
    enabled: bool = True

    VARIABLES = (
        ("ERP_INGEST_URL", "ingest_url", str),
        ("BOOKING_INGEST_SECRET", "ingest_secret", str),
        ("ERP_INGEST_ENABLED", "enabled", boolean),
    )

    def check(self) -> None:
        require_url("ERP_INGEST_URL", self.ingest_url)
        if self.mode == "connected" and not self.ingest_secret:
            raise SettingsError("BOOKING_INGEST_SECRET: must be set when ERP_INGEST_URL is")

    @property
    def mode(self) -> str:
        if not self.enabled:
            return "disabled"
        return "connected" if self.ingest_url else "mock"
