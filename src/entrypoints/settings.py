"""Settings from the environment, read once at start; secrets come only from here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import msgspec

from adapters.catalog.toml_catalog import EXAMPLE
from domain.outbox import RetryPolicy

INTEGRATIONS = ("stripe", "airwallex", "acuity", "calcom", "odoo", "erp", "twilio", "resend", "driver_app")


class SettingsError(ValueError):
    pass


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
    erp_ingest_url: str | None = None
    booking_ingest_secret: str | None = None
    erp_ingest_enabled: bool = True
    resend_api_key: str | None = None
    resend_from: str | None = None
    resend_api_base: str = "https://api.resend.com"
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    odoo_url: str | None = None
    odoo_db: str | None = None
    odoo_username: str | None = None
    odoo_password: str | None = None
    odoo_mock_log: Path = Path("logs/odoo-mock.jsonl")
    driver_app_webhook_url: str | None = None
    driver_app_secret: str | None = None
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str = "https://api.stripe.com"
    stripe_return_url: str | None = None
    airwallex_client_id: str | None = None
    airwallex_api_key: str | None = None
    airwallex_webhook_secret: str | None = None
    airwallex_api_base: str = "https://api.airwallex.com"
    acuity_user_id: str | None = None
    acuity_api_key: str | None = None
    acuity_api_base: str = "https://acuityscheduling.com"
    cal_api_key: str | None = None
    cal_webhook_secret: str | None = None
    cal_api_base: str = "https://api.cal.com"
    cal_api_version: str = "2024-08-13"

    @property
    def hold(self) -> timedelta:
        return timedelta(minutes=self.hold_minutes)

    @property
    def payment_mode(self) -> str:
        """`stripe` once its secret key is set, else `airwallex` with its credentials; the sandbox checkout
        (and its routes) only without either."""
        if self.stripe_secret_key:
            return "stripe"
        return "airwallex" if self.airwallex_client_id and self.airwallex_api_key else "sandbox"

    @property
    def return_url(self) -> str:
        """Where a customer lands after a hosted checkout: the booking site, else this service."""
        return self.stripe_return_url or self.public_url

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
    def erp_mode(self) -> str:
        if not self.erp_ingest_enabled:
            return "disabled"
        return "connected" if self.erp_ingest_url else "mock"

    @property
    def resend_mode(self) -> str:
        return "connected" if self.resend_api_key else "mock"

    @property
    def twilio_mode(self) -> str:
        return "connected" if self.twilio_account_sid and self.twilio_auth_token else "mock"

    @property
    def odoo_mode(self) -> str:
        return "connected" if self.odoo_url else "mock"

    @property
    def driver_app_mode(self) -> str:
        return "connected" if self.driver_app_webhook_url else "mock"

    @property
    def acuity_mode(self) -> str:
        return "connected" if self.acuity_user_id and self.acuity_api_key else "mock"

    @property
    def calcom_mode(self) -> str:
        return "connected" if self.cal_api_key else "mock"

    @property
    def integrations(self) -> dict[str, str]:
        """Each integration's mode as /health names it; those without an adapter yet run as mock."""
        modes = {
            "erp": self.erp_mode,
            "resend": self.resend_mode,
            "stripe": "connected" if self.payment_mode == "stripe" else "mock",
            "airwallex": "connected" if self.payment_mode == "airwallex" else "mock",
            "twilio": self.twilio_mode,
            "driver_app": self.driver_app_mode,
            "odoo": self.odoo_mode,
            "acuity": self.acuity_mode,
            "calcom": self.calcom_mode,
        }
        return {name: modes.get(name, "mock") for name in INTEGRATIONS}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for name, key, kind in _VARIABLES:
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[key] = kind(raw)
            except ValueError as exc:
                raise SettingsError(f"{name}: {exc}") from exc
        settings = cls(**values)  # type: ignore[arg-type]
        settings._check()
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
            "BOOKHUB_DB_POOL_SIZE": self.db_pool_size,
        }
        for name, value in positive.items():
            if value <= 0:
                raise SettingsError(f"{name}: must be more than 0")
        if self.retry_max_seconds < self.retry_base_seconds:
            raise SettingsError("BOOKHUB_RETRY_MAX_SECONDS: must be at least BOOKHUB_RETRY_BASE_SECONDS")
        if self.erp_ingest_url is not None and not self.erp_ingest_url.startswith(("http://", "https://")):
            raise SettingsError("ERP_INGEST_URL: must be an http:// or https:// URL")
        if self.erp_mode == "connected" and not self.booking_ingest_secret:
            raise SettingsError("BOOKING_INGEST_SECRET: must be set when ERP_INGEST_URL is")
        if self.resend_api_key and not self.resend_from:
            raise SettingsError(
                "RESEND_FROM: must be set when RESEND_API_KEY is (e.g. 'Bookings <b@your.domain>')"
            )
        if bool(self.twilio_account_sid) != bool(self.twilio_auth_token):
            raise SettingsError("TWILIO_AUTH_TOKEN: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together")
        if self.twilio_mode == "connected" and not self.twilio_from:
            raise SettingsError("TWILIO_FROM: must be set when TWILIO_ACCOUNT_SID is (e.g. '+15005550006')")
        odoo = {
            "ODOO_URL": self.odoo_url,
            "ODOO_DB": self.odoo_db,
            "ODOO_USERNAME": self.odoo_username,
            "ODOO_PASSWORD": self.odoo_password,
        }
        missing = [name for name, value in odoo.items() if not value]
        if self.odoo_url and missing:
            raise SettingsError(f"{missing[0]}: must be set when ODOO_URL is")
        if self.odoo_url and not self.odoo_url.startswith(("http://", "https://")):
            raise SettingsError("ODOO_URL: must be an http:// or https:// URL")
        if self.driver_app_webhook_url and not self.driver_app_secret:
            raise SettingsError("DRIVER_APP_SECRET: must be set when DRIVER_APP_WEBHOOK_URL is")
        if self.driver_app_webhook_url is not None and not self.driver_app_webhook_url.startswith(
            ("http://", "https://")
        ):
            raise SettingsError("DRIVER_APP_WEBHOOK_URL: must be an http:// or https:// URL")
        for name, url in (
            ("RESEND_API_BASE", self.resend_api_base),
            ("TWILIO_API_BASE", self.twilio_api_base),
            ("STRIPE_API_BASE", self.stripe_api_base),
            ("STRIPE_RETURN_URL", self.stripe_return_url or "https://"),
            ("AIRWALLEX_API_BASE", self.airwallex_api_base),
            ("ACUITY_API_BASE", self.acuity_api_base),
            ("CAL_API_BASE", self.cal_api_base),
        ):
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"{name}: must be an http:// or https:// URL")
        if bool(self.acuity_user_id) != bool(self.acuity_api_key):
            raise SettingsError("ACUITY_USER_ID and ACUITY_API_KEY: set both or neither")


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


_VARIABLES: tuple[tuple[str, str, type | object], ...] = (
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
    ("ERP_INGEST_URL", "erp_ingest_url", str),
    ("BOOKING_INGEST_SECRET", "booking_ingest_secret", str),
    ("ERP_INGEST_ENABLED", "erp_ingest_enabled", _boolean),
    ("RESEND_API_KEY", "resend_api_key", str),
    ("RESEND_FROM", "resend_from", str),
    ("RESEND_API_BASE", "resend_api_base", str),
    ("TWILIO_ACCOUNT_SID", "twilio_account_sid", str),
    ("TWILIO_AUTH_TOKEN", "twilio_auth_token", str),
    ("TWILIO_FROM", "twilio_from", str),
    ("TWILIO_API_BASE", "twilio_api_base", str),
    ("ODOO_URL", "odoo_url", str),
    ("ODOO_DB", "odoo_db", str),
    ("ODOO_USERNAME", "odoo_username", str),
    ("ODOO_PASSWORD", "odoo_password", str),
    ("BOOKHUB_ODOO_MOCK_LOG", "odoo_mock_log", Path),
    ("DRIVER_APP_WEBHOOK_URL", "driver_app_webhook_url", str),
    ("DRIVER_APP_SECRET", "driver_app_secret", str),
    ("STRIPE_SECRET_KEY", "stripe_secret_key", str),
    ("STRIPE_WEBHOOK_SECRET", "stripe_webhook_secret", str),
    ("STRIPE_API_BASE", "stripe_api_base", str),
    ("STRIPE_RETURN_URL", "stripe_return_url", str),
    ("AIRWALLEX_CLIENT_ID", "airwallex_client_id", str),
    ("AIRWALLEX_API_KEY", "airwallex_api_key", str),
    ("AIRWALLEX_WEBHOOK_SECRET", "airwallex_webhook_secret", str),
    ("AIRWALLEX_API_BASE", "airwallex_api_base", str),
    ("ACUITY_USER_ID", "acuity_user_id", str),
    ("ACUITY_API_KEY", "acuity_api_key", str),
    ("ACUITY_API_BASE", "acuity_api_base", str),
    ("CAL_API_KEY", "cal_api_key", str),
    ("CAL_WEBHOOK_SECRET", "cal_webhook_secret", str),
    ("CAL_API_BASE", "cal_api_base", str),
    ("CAL_API_VERSION", "cal_api_version", str),
)
