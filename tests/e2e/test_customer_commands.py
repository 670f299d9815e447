"""`bookhub customer export EMAIL` and `bookhub customer erase EMAIL [--yes]` as real processes on an
embedded SQLite file that the whole app filled."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.memory.clock import FixedClock
from tests.e2e.test_process import BOOKHUB, _env
from tests.support.app import running_app

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
PERSON = {"name": "Zacharie Quellenberg", "email": "zacharie.q@example.org", "phone": "+33612345678"}
OTHER = {"name": "Ada Lovelace", "email": "ada@example.com"}


def _fill(url: str) -> list[str]:
    """Two bookings of the person, over since last week; one of someone else, next week."""

    async def fill() -> list[str]:
        clock = FixedClock(NOW - timedelta(days=10))
        async with running_app(url, clock=clock) as (client, _):
            booked = []
            for customer, start in (
                (PERSON, NOW - timedelta(days=9)),
                (PERSON, NOW - timedelta(days=8)),
                (OTHER, NOW + timedelta(days=7)),
            ):
                body = {
                    "offering_id": "van-transfer",
                    "customer": customer,
                    "start": start.isoformat(),
                    "intake": {"gate code": "B7431X"},
                }
                created = await client.post("/v1/bookings", json=body)
                assert created.status_code == 201, created.text
                booking = created.json()["booking_id"]
                await client.post(f"/sandbox/checkout/{booking}", data={"outcome": "pay"})
                booked.append(booking)
            return booked

    return asyncio.run(fill())


def _bookhub(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOOKHUB, *args],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,  # not a terminal
    )


def test_a_person_is_exported_then_erased_from_the_shell(tmp_path: Path) -> None:
    first, second, _ = _fill(f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}")

    exported = _bookhub(tmp_path, "customer", "export", "Zacharie.Q@example.org")
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    assert document["customer"]["name"] == PERSON["name"]
    assert [b["booking_id"] for b in document["bookings"]] == [first, second]
    assert document["bookings"][0]["intake"] == {"gate code": "B7431X"}
    assert "Ada" not in exported.stdout

    unknown = _bookhub(tmp_path, "customer", "export", "nobody@example.com")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert "no customer has that email" in unknown.stderr

    unconfirmed = _bookhub(tmp_path, "customer", "erase", PERSON["email"])
    assert (unconfirmed.returncode, unconfirmed.stdout) == (1, "")
    assert "--yes" in unconfirmed.stderr
    assert _bookhub(tmp_path, "customer", "export", PERSON["email"]).returncode == 0  # nothing erased

    erased = _bookhub(tmp_path, "customer", "erase", PERSON["email"], "--yes")
    assert erased.returncode == 0, erased.stderr
    assert "erased: 2 bookings anonymised" in erased.stdout
    for secret in (PERSON["email"], PERSON["name"], PERSON["phone"], "B7431X"):
        assert secret not in erased.stdout + erased.stderr
    gone = _bookhub(tmp_path, "customer", "export", PERSON["email"])
    assert (gone.returncode, gone.stdout) == (1, "")


def test_erasing_a_person_with_a_booking_ahead_is_refused_from_the_shell(tmp_path: Path) -> None:
    _fill(f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}")

    refused = _bookhub(tmp_path, "customer", "erase", OTHER["email"], "--yes")

    assert (refused.returncode, refused.stdout) == (1, "")
    assert "cancel them first" in refused.stderr
    still = _bookhub(tmp_path, "customer", "export", OTHER["email"])
    assert json.loads(still.stdout)["customer"]["name"] == OTHER["name"]


def test_at_a_terminal_erasure_asks_first_and_erases_only_when_confirmed(tmp_path: Path) -> None:
    _fill(f"sqlite+aiosqlite:///{tmp_path / 'bookhub.db'}")

    def at_terminal(answer: str) -> subprocess.CompletedProcess[str]:
        main, terminal = pty.openpty()
        try:
            os.write(main, answer.encode())
            return subprocess.run(
                [BOOKHUB, "customer", "erase", PERSON["email"]],
                env=_env(tmp_path),
                stdin=terminal,
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            os.close(main)
            os.close(terminal)

    declined = at_terminal("no\n")
    assert (declined.returncode, "Type 'erase'" in declined.stderr) == (1, True)
    assert "not erased" in declined.stderr
    confirmed = at_terminal("erase\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "erased: 2 bookings anonymised" in confirmed.stdout
