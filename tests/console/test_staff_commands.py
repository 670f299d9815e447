"""`bookhub staff add|list|disable` as real processes on an embedded SQLite file: clear answers, one line
on stderr and exit 1 when refused, no hash ever printed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.test_process import BOOKHUB, _env

URL = "https://book.example"


def _bookhub(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = _env(tmp_path, BOOKHUB_PUBLIC_URL=URL, BOOKHUB_LOG_LEVEL="WARNING")
    return subprocess.run([BOOKHUB, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


def _refusal(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.startswith("bookhub: ")]
    assert (done.returncode, done.stdout, len(lines)) == (1, "", 1), done.stderr
    return lines[0]


def test_staff_accounts_from_the_shell(tmp_path: Path) -> None:
    assert _bookhub(tmp_path, "migrate").returncode == 0
    password = "a long enough password"

    owner = _bookhub(
        tmp_path,
        "staff",
        "add",
        "Owner@Example.com",
        "--role",
        "owner",
        "--password-stdin",
        stdin=password + "\n",
    )
    invited = _bookhub(tmp_path, "staff", "add", "helper@example.com", "--role", "staff")
    twice = _bookhub(
        tmp_path, "staff", "add", "OWNER@example.com", "--role", "staff", "--password-stdin", stdin=password
    )
    role = _bookhub(tmp_path, "staff", "add", "x@example.com", "--role", "boss")
    short = _bookhub(
        tmp_path, "staff", "add", "x@example.com", "--role", "staff", "--password-stdin", stdin="short\n"
    )
    email = _bookhub(tmp_path, "staff", "add", "not-an-email", "--role", "staff")
    relinked = _bookhub(tmp_path, "staff", "link", "helper@example.com")
    disabled = _bookhub(tmp_path, "staff", "disable", "HELPER@example.com")
    no_link = _bookhub(tmp_path, "staff", "link", "helper@example.com")
    unknown = _bookhub(tmp_path, "staff", "disable", "nobody@example.com")
    listed = _bookhub(tmp_path, "staff", "list")

    assert (owner.returncode, owner.stdout) == (0, "staff account added: owner@example.com (owner)\n")
    assert invited.returncode == 0
    assert f"at: {URL}/console/password/" in invited.stdout
    assert "24 hours" in invited.stdout
    assert "exists already" in _refusal(twice)
    assert "owner, staff" in _refusal(role)
    assert "at least 12 characters" in _refusal(short)
    assert "not an email address" in _refusal(email)
    assert relinked.returncode == 0
    assert f"at: {URL}/console/password/" in relinked.stdout
    assert relinked.stdout.rsplit("/", 1)[1] != invited.stdout.rsplit("/", 1)[1]
    assert disabled.returncode == 0
    assert "no staff account has that email" in _refusal(no_link)
    assert "no staff account has that email" in _refusal(unknown)
    assert listed.returncode == 0
    assert listed.stdout.split("\n")[1:3] == [
        "helper@example.com  staff   disabled",
        "owner@example.com   owner   active",
    ]
    everything = "".join(p.stdout + p.stderr for p in (owner, invited, twice, short, listed))
    assert "$argon2" not in everything
    assert password not in everything


def test_a_database_without_migrations_is_one_line_saying_to_migrate(tmp_path: Path) -> None:
    done = _bookhub(
        tmp_path, "staff", "add", "owner@example.com", "--role", "owner", "--password-stdin", stdin="x" * 12
    )

    assert "bookhub migrate" in _refusal(done)
    assert "Traceback" not in done.stderr
