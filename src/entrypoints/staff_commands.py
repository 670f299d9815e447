"""`bookhub staff add EMAIL --role owner|staff [--password-stdin]`, `bookhub staff list`,
`bookhub staff disable EMAIL` and `bookhub staff link EMAIL`: the console's accounts, from a shell (the
first owner is made here).

Without `--password-stdin`, `add` prints a one-time link to set the password (valid 24 hours); `link`
prints a new one for an active account (a forgotten password). A refused
command exits 1 with one line on stderr; nothing secret is logged or printed but that link."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from entrypoints import bootstrap

if TYPE_CHECKING:  # imported when a command runs, so that parsing the command line stays light
    from entrypoints.container import Container


def add_staff_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    staff = commands.add_parser("staff", help="staff accounts of the console: add, list, disable")
    actions = staff.add_subparsers(dest="staff_command", required=True)
    add = actions.add_parser("add", help="add a staff account (prints a link to set its password)")
    add.add_argument("email")
    add.add_argument("--role", required=True, help="owner or staff")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    actions.add_parser("list", help="every account: email, role, status")
    disable = actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("email")
    link = actions.add_parser("link", help="print a new one-time link to set an account's password")
    link.add_argument("email")


def run_staff_command(container: Container, args: argparse.Namespace) -> int:
    password = None
    if args.staff_command == "add" and args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    return asyncio.run(_run(container, args, password))


async def _run(container: Container, args: argparse.Namespace, password: str | None) -> int:
    from sqlalchemy.exc import DBAPIError

    from domain.staff import StaffError

    async with bootstrap.running(container):
        try:
            if args.staff_command == "add":
                return await _add(container, args.email, args.role, password)
            if args.staff_command == "link":
                issued = await container.staff().issue_link(args.email)
                _print_link(container, issued.password_token)
                return 0
            if args.staff_command == "disable":
                member = await container.staff().disable(args.email)
                print(f"staff account disabled: {member.email}; its sessions have ended")
                return 0
            return await _list(container)
        except StaffError as exc:
            print(f"bookhub: {exc}", file=sys.stderr)
            return 1
        except DBAPIError as exc:
            print(f"bookhub: {_database_problem(exc)}", file=sys.stderr)
            return 1


def _database_problem(exc: Exception) -> str:
    """One line for a database error: a database without the staff tables (a fresh file, migrations not
    applied) says what to run; anything else names the error's kind (never its values)."""
    text = str(exc)
    if "no such table" in text or "UndefinedTable" in text or "does not exist" in text:
        return "the database has no staff tables yet: run `bookhub migrate`"
    return f"the database refused: {type(getattr(exc, 'orig', exc)).__name__}"


async def _add(container: Container, email: str, role: str, password: str | None) -> int:
    from application.staff.commands import AddStaff
    from domain.staff import role_of

    added = await container.staff().add(AddStaff(email, role_of(role), password))
    member = added.member
    print(f"staff account added: {member.email} ({member.role.value})")
    if added.password_token is not None:
        _print_link(container, added.password_token)
    return 0


def _print_link(container: Container, token: str | None) -> None:
    from domain.staff import PASSWORD_LINK_VALID

    hours = int(PASSWORD_LINK_VALID.total_seconds() // 3600)
    base = container.settings().public_url.rstrip("/")
    print(f"set its password within {hours} hours, once, at: {base}/console/password/{token}")


async def _list(container: Container) -> int:
    rows = [("email", "role", "status")]
    for entry in await container.staff().list():
        status = "disabled" if not entry.active else "active" if entry.has_password else "invited"
        rows.append((entry.member.email, entry.member.role.value, status))
    width = max(len(email) for email, _, _ in rows)
    for email, role, status in rows:
        print(f"{email:<{width}}  {role:<6}  {status}")
    return 0
