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
        return "sandbox"

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
        for name, base in (
            ("RESEND_API_BASE", self.resend_api_base),
            ("ACUITY_API_BASE", self.acuity_api_base),
            ("CAL_API_BASE", self.cal_api_base),
        ):
            if not base.startswith(("http://", "https://")):
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
    ("ACUITY_USER_ID", "acuity_user_id", str),
    ("ACUITY_API_KEY", "acuity_api_key", str),
    ("ACUITY_API_BASE", "acuity_api_base", str),
    ("CAL_API_KEY", "cal_api_key", str),
    ("CAL_WEBHOOK_SECRET", "cal_webhook_secret", str),
    ("CAL_API_BASE", "cal_api_base", str),
    ("CAL_API_VERSION", "cal_api_version", str),
)
