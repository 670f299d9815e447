"""The signing key: the configured one, else generated once, kept in the database and said once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.persistence.secret_keys import SqlSecretKeys
from tests.support.databases import migrated


async def test_a_generated_key_is_kept_and_every_process_reads_the_same(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with migrated(database_url) as database:
        first, second, third = (SqlSecretKeys(database) for _ in range(3))
        keys = await asyncio.gather(first.secret_key(), second.secret_key(), third.secret_key())
        again = await SqlSecretKeys(database).secret_key()  # a restart

    assert len(set(keys)) == 1
    assert keys[0] == again
    assert len(again) == 32
    said = [r for r in caplog.records if "BOOKHUB_SECRET_KEY is not set" in r.getMessage()]
    assert len(said) == 1
    assert all(again.hex() not in r.getMessage() for r in caplog.records)


async def test_the_configured_key_is_used_and_nothing_is_stored(sqlite_url: str) -> None:
    async with migrated(sqlite_url) as database:
        configured = await SqlSecretKeys(database, "k" * 40).secret_key()
        generated = await SqlSecretKeys(database).secret_key()
        other = await SqlSecretKeys(database, "j" * 40).secret_key()

    assert configured != generated
    assert configured != other
