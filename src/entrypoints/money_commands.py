"""`bookhub money report [--from DATE] [--to DATE] [--format table|json|csv]`: what the providers, the
payments ledger and accounting hold, per booking and extension. Exit 0 when every row agrees (`ok` or
`pending`), 1 when any is a `mismatch` (for cron), 2 when a provider or accounting cannot be read."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from entrypoints import bootstrap

if TYPE_CHECKING:  # imported when a command runs, so that parsing the command line stays light
    from application.accounting.money_report import MoneyReport
    from entrypoints.container import Container

COLUMNS = (
    "booking_id",
    "extension_id",
    "currency",
    "provider_charged_cents",
    "provider_refunded_cents",
    "ledger_charged_cents",
    "ledger_refunded_cents",
    "invoiced_cents",
    "credited_cents",
    "status",
    "note",
)
DEFAULT_DAYS = 30


def add_money_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    money = commands.add_parser(
        "money", help="the money report: providers, ledger and accounting side by side"
    )
    actions = money.add_subparsers(dest="money_command", required=True)
    report = actions.add_parser("report", help="one row per booking and extension; exit 1 on a mismatch")
    report.add_argument("--from", dest="start", type=_when, help="a date or ISO time (default: 30 days back)")
    report.add_argument(
        "--to", dest="end", type=_when, help="a date (the whole day) or ISO time (default: now)"
    )
    report.add_argument("--format", choices=("table", "json", "csv"), default="table")


def run_money_command(container: Container, args: argparse.Namespace) -> int:
    return asyncio.run(_run(container, args))


async def _run(container: Container, args: argparse.Namespace) -> int:
    from application.errors import ProviderRejected, ProviderUnavailable

    end = _end(args.end) if args.end is not None else datetime.now(UTC)
    start = _start(args.start) if args.start is not None else end - timedelta(days=DEFAULT_DAYS)
    async with bootstrap.running(container):
        try:
            report = await container.money_report()(start, end)
        except (ProviderUnavailable, ProviderRejected) as exc:
            print(f"bookhub: the report cannot be made: {exc}", file=sys.stderr)
            return 2
    sys.stdout.write(render(report, args.format))
    return 1 if report.mismatches else 0


def render(report: MoneyReport, form: str) -> str:
    rows = [_fields(row) for row in report.items]
    if form == "json":
        return json.dumps({"items": rows, "mismatches": report.mismatches}) + "\n"
    if form == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        return out.getvalue()
    lines = ["  ".join(("booking", "extension", "cur", "provider", "ledger", "accounting", "status", "note"))]
    for row in rows:
        provider = f"{row['provider_charged_cents']}/-{row['provider_refunded_cents']}"
        ledger = f"{row['ledger_charged_cents']}/-{row['ledger_refunded_cents']}"
        accounting = f"{row['invoiced_cents']}/-{row['credited_cents']}"
        extension = row["extension_id"] or "-"
        cells = (row["booking_id"], extension, row["currency"], provider, ledger, accounting, row["status"])
        lines.append("  ".join((*cells, row["note"])).rstrip())
    lines.append(f"{len(rows)} rows, {report.mismatches} mismatches (amounts in cents: charged/-refunded)")
    return "\n".join(lines) + "\n"


def _fields(row: Any) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in COLUMNS}
    values["booking_id"] = str(row.booking_id)
    values["extension_id"] = str(row.extension_id) if row.extension_id else None
    return values


def _when(text: str) -> date | datetime:
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO time") from exc


def _start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


def _end(value: date | datetime) -> datetime:
    """A date ends the period after that whole day."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value + timedelta(days=1), time(), tzinfo=UTC)
