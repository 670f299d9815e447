"""Settings from the environment, read once at start; secrets come only from here."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import msgspec

from adapters.catalog.toml_catalog import EXAMPLE


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

    @property
    def hold(self) -> timedelta:
        return timedelta(minutes=self.hold_minutes)

    @property
    def payment_mode(self) -> str:
        return "sandbox"

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
        if settings.hold_minutes <= 0:
            raise SettingsError("BOOKHUB_HOLD_MINUTES: must be more than 0")
        if settings.worker_poll_seconds <= 0:
            raise SettingsError("BOOKHUB_WORKER_POLL_SECONDS: must be more than 0")
        if settings.db_pool_size < 1:
            raise SettingsError("BOOKHUB_DB_POOL_SIZE: must be at least 1")
        return settings


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
)
