"""`bookhub customer export EMAIL` and `bookhub customer erase EMAIL [--yes]`: a person's data, from a
shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from entrypoints import bootstrap

if TYPE_CHECKING:  # imported when a command runs, so that parsing the command line stays light
    from entrypoints.container import Container

CONFIRMATION = "erase"


def add_customer_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    customer = commands.add_parser("customer", help="a person's data: export it, erase it")
    actions = customer.add_subparsers(dest="customer_command", required=True)
    export = actions.add_parser("export", help="print everything held about the person as JSON")
    export.add_argument("email")
    erase = actions.add_parser("erase", help="replace the person's data with anonymised values")
    erase.add_argument("email")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run_customer_command(container: Container, args: argparse.Namespace) -> int:
    if args.customer_command == "erase" and not args.yes and not _confirmed():
        return 1
    return asyncio.run(_run(container, args))


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print("bookhub: erasing cannot be undone; confirm with --yes when not at a terminal", file=sys.stderr)
        return False
    print(
        f"This replaces the person's name, email, phone, answers and addresses for good. "
        f"Type {CONFIRMATION!r}: ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    if sys.stdin.readline().strip() != CONFIRMATION:
        print("bookhub: not erased", file=sys.stderr)
        return False
    return True


async def _run(container: Container, args: argparse.Namespace) -> int:
    import msgspec

    from application.errors import NotFound
    from domain.errors import ErasureRefused

    async with bootstrap.running(container):
        try:
            if args.customer_command == "export":
                export = await container.export_customer()(args.email)
                sys.stdout.write(msgspec.json.format(msgspec.json.encode(export).decode()) + "\n")
                return 0
            erased = await container.erase_customer()(args.email)
        except NotFound:
            print("bookhub: no customer has that email", file=sys.stderr)
            return 1
        except ErasureRefused as exc:
            print(f"bookhub: not erased: {exc}", file=sys.stderr)
            return 1
    asked = ", ".join(erased.providers_asked) or "none"
    print(
        f"customer {erased.customer_id} erased: {erased.bookings} bookings anonymised, "
        f"{erased.messages_skipped} messages skipped; providers asked to forget: {asked}"
    )
    return 0
