"""Shared fixtures: databases of both kinds, the whole app wired as in production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.databases import throwaway_postgres


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs the test once on SQLite and once on a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}"
        return
    async with throwaway_postgres() as url:
        yield url
