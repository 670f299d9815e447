"""Start and close: one way for every process (`serve`, each `serve --workers N` process, `worker`, the CLI).

`load_settings` is light (no SQLAlchemy, no Litestar): the supervisor of `serve --workers N` calls it and
stays small. `start` builds the container; `close` releases what it opened, in one order everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from adapters.catalog.toml_catalog import TomlCatalog
from domain.errors import InvalidCatalog
from entrypoints.logs import configure_logging
from entrypoints.settings import Settings, SettingsError

if TYPE_CHECKING:  # the container imports the whole application: only where a command needs it
    from entrypoints.container import Container

log = logging.getLogger("bookhub")


class StartupError(Exception):
    """The environment or the catalog cannot be used: the message names the variable or file and key."""


def load_settings() -> Settings:
    """The settings from the environment, logging configured, the catalog checked."""
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        TomlCatalog(settings.catalog_path)  # a broken catalog stops every command, naming file and key
    except (SettingsError, InvalidCatalog) as exc:
        raise StartupError(str(exc)) from exc
    return settings


def start(settings: Settings, *, announce: bool = True) -> Container:
    """The wired container; `announce` says once at start what runs connected, mock or disabled."""
    from entrypoints.container import build_container

    container = build_container(settings)
    if announce:
        announce_integrations(settings)
    return container


async def close(container: Container) -> None:
    """Releases the outbound connections and the database pool (each process, once, at its end)."""
    await container.http().aclose()
    if "stripe" in container.settings().payment_providers:
        await container.stripe_api().aclose()
    await container.database().dispose()


@asynccontextmanager
async def running(container: Container) -> AsyncIterator[Container]:
    try:
        yield container
    finally:
        await close(container)


def announce_integrations(settings: Settings) -> None:
    if settings.payment_mode == "sandbox":
        log.info("payments: sandbox (neither STRIPE_SECRET_KEY nor AIRWALLEX_CLIENT_ID set)")
    else:
        log.info("payments: %s (default %s)", ", ".join(settings.payment_providers), settings.payment_mode)
    for mode in ("connected", "disabled", "mock"):
        names = [name for name, m in settings.integrations.items() if m == mode]
        if names:
            log.info("integrations %s: %s", mode, ", ".join(names))
    if "stripe" in settings.payment_providers and not settings.stripe.webhook_secret:
        log.warning("STRIPE_WEBHOOK_SECRET is not set: /webhooks/stripe refuses every event")
    if "airwallex" in settings.payment_providers and not settings.airwallex.webhook_secret:
        log.warning("AIRWALLEX_WEBHOOK_SECRET is not set: /webhooks/airwallex refuses every event")
    if not settings.admin_api_key:
        log.warning("BOOKHUB_ADMIN_API_KEY is not set: admin routes answer 401 to everyone")
