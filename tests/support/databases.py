"""Throwaway databases: a fresh SQLite file or a fresh PostgreSQL database per test, migrated."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from adapters.persistence.database import Database, create_database
from adapters.persistence.migrate import migrate

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    return os.environ.get("BOOKHUB_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


async def _admin_connection() -> asyncpg.Connection:
    url = make_url(postgres_admin_url())
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.connect(dsn, timeout=5)


async def postgres_or_skip() -> asyncpg.Connection:
    try:
        return await _admin_connection()
    except (OSError, asyncpg.PostgresError) as exc:
        reason = f"PostgreSQL at {postgres_admin_url()} is not reachable ({exc!r})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run")
        pytest.skip(f"SKIPPED LOUDLY: {reason}; set BOOKHUB_TEST_POSTGRES_URL to run them")


@asynccontextmanager
async def throwaway_postgres() -> AsyncIterator[str]:
    """A new database on the test server, migrated; dropped afterwards. Yields its URL."""
    admin = await postgres_or_skip()
    name = f"bookhub_test_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def migrated(url: str, *, pool_size: int = 20) -> AsyncIterator[Database]:
    database = create_database(url, pool_size=pool_size)
    try:
        await migrate(database.engine)
        yield database
    finally:
        await database.dispose()
