"""The whole app, wired by the real container against a migrated database, behind an ASGI test client."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import msgspec

from adapters.memory.clock import FixedClock
from adapters.persistence.migrate import migrate
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import INTEGRATIONS, Settings
from tests.support.fake_stripe import SECRET, FakeStripe

ADMIN_KEY = "test-admin-key-0123456789"
CATALOG = Path(__file__).with_name("catalog.toml")


def settings_of(**values: Any) -> Settings:
    """Settings from the hub's fields by name and the providers' by their variable's name in lower case
    (`stripe_secret_key` is STRIPE_SECRET_KEY), read and checked as at start."""
    hub = {name: value for name, value in values.items() if name in _HUB_FIELDS}
    providers = {name: value for name, value in values.items() if name not in hub and value is not None}
    env = {_VARIABLE.get(name, name.upper()): str(value) for name, value in providers.items()}
    return msgspec.structs.replace(Settings.from_env(env), **hub)


_HUB_FIELDS = {f.name for f in msgspec.structs.fields(Settings)} - set(INTEGRATIONS)
_VARIABLE = {"odoo_mock_log": "BOOKHUB_ODOO_MOCK_LOG"}


@asynccontextmanager
async def running_app(
    database_url: str, *, clock: FixedClock | None = None, catalog: Path = CATALOG, **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    settings.setdefault("odoo_mock_log", Path(tempfile.mkdtemp(prefix="bookhub-odoo-")) / "odoo-mock.jsonl")
    container = build_container(
        settings_of(database_url=database_url, catalog_path=catalog, admin_api_key=ADMIN_KEY, **settings)
    )
    if clock is not None:
        container.clock.override(clock)
    await migrate(container.database().engine)
    app = create_app(container)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://bookhub.test") as client,
    ):
        yield client, container


@asynccontextmanager
async def stripe_app(
    database_url: str, fake: FakeStripe, *, clock: FixedClock | None = None, catalog: Path = CATALOG
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    """The app with Stripe configured against a local fake of its API."""
    async with running_app(
        database_url,
        clock=clock,
        catalog=catalog,
        stripe_secret_key="sk_test_fake",
        stripe_webhook_secret=SECRET,
        stripe_api_base=fake.base,
        stripe_return_url="https://shop.example/booked",
    ) as app:
        yield app
