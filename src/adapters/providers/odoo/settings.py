"""Odoo's settings: connected with its URL, database and login; without them its calls go to a file."""

from __future__ import annotations

from pathlib import Path

from adapters.providers.env import ProviderSettings, SettingsError, require_url


class OdooSettings(ProviderSettings, frozen=True, kw_only=True):
    url: str | None = None
    db: str | None = None
    username: str | None = None
    password: str | None = None
    mock_log: Path = Path("logs/odoo-mock.jsonl")

    VARIABLES = (
        ("ODOO_URL", "url", str),
        ("ODOO_DB", "db", str),
        ("ODOO_USERNAME", "username", str),
        ("ODOO_PASSWORD", "password", str),
        ("BOOKHUB_ODOO_MOCK_LOG", "mock_log", Path),
    )

    def check(self) -> None:
        required = {
            "ODOO_URL": self.url,
            "ODOO_DB": self.db,
            "ODOO_USERNAME": self.username,
            "ODOO_PASSWORD": self.password,
        }
        missing = [name for name, value in required.items() if not value]
        if self.url and missing:
            raise SettingsError(f"{missing[0]}: must be set when ODOO_URL is")
        require_url("ODOO_URL", self.url)

    @property
    def mode(self) -> str:
        return "connected" if self.url else "mock"
