"""`bookhub outbox list` and `bookhub outbox retry ID`: the admin sync queue from a shell."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from entrypoints import bootstrap

if TYPE_CHECKING:  # imported when a command runs, so that parsing the command line stays light
    from entrypoints.container import Container


def add_outbox_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    outbox = commands.add_parser("outbox", help="the sync queue: dead and retrying outbox messages")
    actions = outbox.add_subparsers(dest="outbox_command", required=True)
    actions.add_parser("list", help="print dead and retrying messages, one JSON object a line")
    retry = actions.add_parser("retry", help="put a dead message back to pending")
    retry.add_argument("id", type=int, help="the message id, as `outbox list` prints it")


def run_outbox_command(container: Container, args: argparse.Namespace) -> int:
    return asyncio.run(_run(container, args))


async def _run(container: Container, args: argparse.Namespace) -> int:
    import msgspec

    from application.errors import NotDead, NotFound
    from entrypoints.http.schemas import sync_queue_item_out

    async with bootstrap.running(container):
        if args.outbox_command == "list":
            for message in await container.list_sync_queue()():
                sys.stdout.write(msgspec.json.encode(sync_queue_item_out(message)).decode() + "\n")
            return 0
        try:
            await container.retry_outbox_message()(args.id)
        except (NotFound, NotDead) as exc:
            print(f"bookhub: {exc}", file=sys.stderr)
            return 1
        print(f"outbox message {args.id} is pending again")
        return 0
