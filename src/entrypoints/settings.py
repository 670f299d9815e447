"""Settings from the environment, read once at start; secrets come only from here.

The hub's own knobs are fields here; each provider's settings live in its package
(`adapters/providers/<name>/settings.py`), one field each, read and checked with the hub's."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec

from adapters.catalog.toml_catalog import EXAMPLE
from adapters.providers.acuity.settings import AcuitySettings
from adapters.providers.airwallex.settings import AirwallexSettings
from adapters.providers.calcom.settings import CalComSettings
from adapters.providers.driver_app.settings import DriverAppSettings
from adapters.providers.env import ProviderSettings, SettingsError, Variable, read
from adapters.providers.erp.settings import ErpSettings
from adapters.providers.odoo.settings import OdooSettings
from adapters.providers.resend.settings import ResendSettings
from adapters.providers.stripe.settings import StripeSettings
from adapters.providers.twilio.settings import TwilioSettings
from domain.outbox import RetryPolicy

INTEGRATIONS = ("stripe", "airwallex", "acuity", "calcom", "odoo", "erp", "twilio", "resend", "driver_app")
# Payment providers by preference: every configured one is live, the first is the default.
PAYMENT_PROVIDERS = ("stripe", "airwallex")
# The languages of the web pages (their gettext catalogs are in entrypoints/web/locales).
LANGUAGES = ("en", "fr", "es", "pt", "de")

__all__ = ["INTEGRATIONS", "Settings", "SettingsError"]


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str = "sqlite+aiosqlite:///./bookhub.db"
    catalog_path: Path = EXAMPLE
    admin_api_key: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    hold_minutes: float = 30.0
    reconcile_seconds: float = 300.0
    log_level: str = "INFO"
    worker_poll_seconds: float = 1.0
    db_pool_size: int = 20
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 8
    max_attempts_odoo: int = 3
    claim_lease_seconds: float = 60.0
    outbox_batch: int = 100
    outbox_concurrency: int = 50
    outbox_retention_days: float = 7.0
    retention_days: float = 1095.0  # a customer whose last booking ended longer ago is erased
    secret_key: str | None = None  # signs manage links; unset: generated once and kept in the database
    default_language: str = "en"  # the web pages' language when nothing else says one
    # One field per provider (its name in INTEGRATIONS), holding that provider's own settings.
    erp: ErpSettings = msgspec.field(default_factory=ErpSettings)
    resend: ResendSettings = msgspec.field(default_factory=ResendSettings)
    twilio: TwilioSettings = msgspec.field(default_factory=TwilioSettings)
    odoo: OdooSettings = msgspec.field(default_factory=OdooSettings)
    driver_app: DriverAppSettings = msgspec.field(default_factory=DriverAppSettings)
    stripe: StripeSettings = msgspec.field(default_factory=StripeSettings)
    airwallex: AirwallexSettings = msgspec.field(default_factory=AirwallexSettings)
    acuity: AcuitySettings = msgspec.field(default_factory=AcuitySettings)
    calcom: CalComSettings = msgspec.field(default_factory=CalComSettings)

    @property
    def secure_cookies(self) -> bool:
        """Cookies are `Secure` when customers reach the hub over https."""
        return self.public_url.startswith("https://")

    @property
    def hold(self) -> timedelta:
        return timedelta(minutes=self.hold_minutes)

    @property
    def payment_providers(self) -> tuple[str, ...]:
        """Every payment provider with its credentials set, all live at once, in the order of preference
        (stripe, airwallex); `("sandbox",)` without any: the sandbox checkout (and its routes) only then."""
        live = tuple(name for name in PAYMENT_PROVIDERS if self.provider(name).mode == "connected")
        return live or ("sandbox",)

    @property
    def payment_mode(self) -> str:
        """The first of `payment_providers`: the default of a booking that names none."""
        return self.payment_providers[0]

    @property
    def return_url(self) -> str:
        """Where a customer lands after a hosted checkout: the booking site, else this service."""
        return self.stripe.return_url or self.public_url

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            base=timedelta(seconds=self.retry_base_seconds),
            cap=timedelta(seconds=self.retry_max_seconds),
            max_attempts=self.max_attempts,
            max_attempts_by_target={"odoo": self.max_attempts_odoo},
        )

    @property
    def claim_lease(self) -> timedelta:
        return timedelta(seconds=self.claim_lease_seconds)

    @property
    def integrations(self) -> dict[str, str]:
        """Each integration's mode as /health names it."""
        return {name: self.provider(name).mode for name in INTEGRATIONS}

    def provider(self, name: str) -> ProviderSettings:
        settings = getattr(self, name)
        if not isinstance(settings, ProviderSettings):
            raise TypeError(f"{name} is not a provider's settings")
        return settings

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        hub = read(env, _VARIABLES)
        providers: dict[str, Any] = {name: kind.from_env(env) for name, kind in _provider_fields()}
        settings = cls(**hub, **providers)
        settings._check()
        for name, _ in _provider_fields():
            settings.provider(name).check()
        return settings

    def _check(self) -> None:
        positive = {
            "BOOKHUB_HOLD_MINUTES": self.hold_minutes,
            "BOOKHUB_WORKER_POLL_SECONDS": self.worker_poll_seconds,
            "BOOKHUB_RETRY_BASE_SECONDS": self.retry_base_seconds,
            "BOOKHUB_RETRY_MAX_SECONDS": self.retry_max_seconds,
            "BOOKHUB_MAX_ATTEMPTS": self.max_attempts,
            "BOOKHUB_MAX_ATTEMPTS_ODOO": self.max_attempts_odoo,
            "BOOKHUB_CLAIM_LEASE_SECONDS": self.claim_lease_seconds,
            "BOOKHUB_OUTBOX_BATCH": self.outbox_batch,
            "BOOKHUB_OUTBOX_CONCURRENCY": self.outbox_concurrency,
            "BOOKHUB_OUTBOX_RETENTION_DAYS": self.outbox_retention_days,
            "BOOKHUB_RETENTION_DAYS": self.retention_days,
            "BOOKHUB_DB_POOL_SIZE": self.db_pool_size,
        }
        for name, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{name}: must be more than 0")
        if self.default_language not in LANGUAGES:
            raise SettingsError(f"BOOKHUB_DEFAULT_LANGUAGE: one of {', '.join(LANGUAGES)}")
        if self.secret_key is not None and len(self.secret_key) < 32:
            raise SettingsError("BOOKHUB_SECRET_KEY: at least 32 characters (e.g. `openssl rand -hex 32`)")
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsError("BOOKHUB_PUBLIC_URL: must be an http:// or https:// URL")
        if self.retry_max_seconds < self.retry_base_seconds:
            raise SettingsError("BOOKHUB_RETRY_MAX_SECONDS: must be at least BOOKHUB_RETRY_BASE_SECONDS")


def _provider_fields() -> Iterator[tuple[str, type[ProviderSettings]]]:
    """The fields of Settings that hold a provider's settings, in their order."""
    for field in msgspec.structs.fields(Settings):
        if isinstance(field.type, type) and issubclass(field.type, ProviderSettings):
            yield field.name, field.type


_VARIABLES: tuple[Variable, ...] = (
    ("BOOKHUB_DATABASE_URL", "database_url", str),
    ("BOOKHUB_CATALOG", "catalog_path", Path),
    ("BOOKHUB_ADMIN_API_KEY", "admin_api_key", str),
    ("BOOKHUB_PUBLIC_URL", "public_url", str),
    ("BOOKHUB_HOLD_MINUTES", "hold_minutes", float),
    ("BOOKHUB_RECONCILE_SECONDS", "reconcile_seconds", float),
    ("BOOKHUB_LOG_LEVEL", "log_level", str.upper),
    ("BOOKHUB_WORKER_POLL_SECONDS", "worker_poll_seconds", float),
    ("BOOKHUB_DB_POOL_SIZE", "db_pool_size", int),
    ("BOOKHUB_RETRY_BASE_SECONDS", "retry_base_seconds", float),
    ("BOOKHUB_RETRY_MAX_SECONDS", "retry_max_seconds", float),
    ("BOOKHUB_MAX_ATTEMPTS", "max_attempts", int),
    ("BOOKHUB_MAX_ATTEMPTS_ODOO", "max_attempts_odoo", int),
    ("BOOKHUB_CLAIM_LEASE_SECONDS", "claim_lease_seconds", float),
    ("BOOKHUB_OUTBOX_BATCH", "outbox_batch", int),
    ("BOOKHUB_OUTBOX_CONCURRENCY", "outbox_concurrency", int),
    ("BOOKHUB_OUTBOX_RETENTION_DAYS", "outbox_retention_days", float),
    ("BOOKHUB_RETENTION_DAYS", "retention_days", float),
    ("BOOKHUB_SECRET_KEY", "secret_key", str),
    ("BOOKHUB_DEFAULT_LANGUAGE", "default_language", str.lower),
)
