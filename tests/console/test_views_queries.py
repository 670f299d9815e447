"""The console's overview queries on SQLite and PostgreSQL: the day schedule, the booking search, the
integrations' hourly counts and webhook rates, the webhook events, and retrying an integration."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.catalog.toml_catalog import TomlCatalog
from adapters.memory.clock import FixedClock
from adapters.persistence import tables as t
from adapters.persistence.activity import SqlIntegrationActivity
from adapters.persistence.console_queries import SqlConsoleReadModel, SqlDeadLetters
from adapters.persistence.database import Database
from adapters.persistence.outbox_queue import SqlOutboxQueue
from adapters.persistence.personal_data import SqlPersonalDataFactory
from application.console.commands import NO_RESOURCE, BookingSearch
from application.console.integrations import GetIntegrations
from application.console.search import SearchBookings
from application.console.sync_queue import RetryIntegration
from application.console.today import TodaySchedule
from application.console.webhooks import ListWebhookEvents
from application.errors import InvalidRequest
from application.outbox.prune import PruneSettledMessages
from application.ports import ClaimedMessage, Settlement
from application.privacy.erase import EraseCustomer
from domain.outbox import OutboxState
from tests.support.databases import migrated

CATALOG = TomlCatalog(Path(__file__).parents[1] / "support" / "catalog.toml")
# Tuesday 2 June 2026, 12:00 in Paris (UTC+2).
NOW = datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
DAY = date(2026, 6, 2)


@dataclass
class Hub:
    database: Database
    clock: FixedClock
    read: SqlConsoleReadModel

    async def customer(self, name: str, email: str) -> uuid.UUID:
        customer_id = uuid.uuid4()
        row = {"id": customer_id, "email": email, "name": name, "phone": None, "locale": "en", "refs": {}}
        async with self.database.writing() as c:
            await c.execute(t.customers.insert(), {**row, "created_at": NOW})
        return customer_id

    async def booking(self, customer_id: uuid.UUID, start: datetime | None, **overrides: Any) -> uuid.UUID:
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "offering_id": "van-transfer",
            "customer_id": customer_id,
            "status": "confirmed",
            "payment_status": "paid",
            "amount_cents": 8500,
            "currency": "EUR",
            "start_at": start,
            "end_at": start + timedelta(hours=1) if start else None,
            "block_end": start + timedelta(hours=1) if start else None,
            "resource_id": "van-1",
            "capacity": None,
            "hold_expires_at": None,
            "notes": None,
            "intake": {},
            "refs": {},
            "token_hash": uuid.uuid4().bytes * 2,
            "version": 1,
            "created_at": NOW,
            "updated_at": NOW,
            **overrides,
        }
        async with self.database.writing() as c:
            await c.execute(t.bookings.insert(), row)
        return uuid.UUID(str(row["id"]))


@pytest.fixture
async def hub(database_url: str) -> AsyncIterator[Hub]:
    async with migrated(database_url) as database:
        yield Hub(database, FixedClock(NOW), SqlConsoleReadModel(database))


def at(hhmm: str, day: date = DAY) -> datetime:
    """A Paris wall-clock time on `day` (summer: UTC+2)."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=UTC) - timedelta(hours=2)


async def test_the_day_schedule_groups_the_days_bookings_by_resource_in_paris_time(hub: Hub) -> None:
    ada = await hub.customer("Ada Lovelace", "ada@example.com")
    early = await hub.booking(ada, at("00:30"))  # 22:30 UTC the day before: still Paris's day
    coach = await hub.booking(ada, at("09:00"), offering_id="coaching", resource_id="coach-2")
    free = await hub.booking(ada, at("10:00"), offering_id="workshop", resource_id=None)
    await hub.booking(ada, at("11:00"), status="cancelled")
    await hub.booking(ada, at("12:00"), status="expired")
    await hub.booking(ada, at("13:00"), status="pending_payment", hold_expires_at=NOW - timedelta(minutes=1))
    held = await hub.booking(
        ada, at("14:00"), status="pending_payment", hold_expires_at=NOW + timedelta(minutes=5)
    )
    await hub.booking(ada, at("00:30", date(2026, 6, 3)))  # the next day

    schedule = await TodaySchedule(hub.read, CATALOG, hub.clock)()

    assert (schedule.day, str(schedule.zone), schedule.count) == (DAY, "Europe/Paris", 4)
    by_resource = {r.resource_id: [b.booking_id for b in r.bookings] for r in schedule.resources}
    assert by_resource == {"van-1": [early, held], "coach-1": [], "coach-2": [coach], NO_RESOURCE: [free]}
    first = schedule.resources[0].bookings[0]
    assert (first.customer_name, first.offering_name, first.status) == (
        "Ada Lovelace",
        "Transfer in the one van",
        "confirmed",
    )


async def test_another_day_is_chosen_by_its_date(hub: Hub) -> None:
    ada = await hub.customer("Ada Lovelace", "ada@example.com")
    booked = await hub.booking(ada, at("08:00", date(2026, 6, 5)))
    schedule = await TodaySchedule(hub.read, CATALOG, hub.clock)(date(2026, 6, 5))
    assert [b.booking_id for r in schedule.resources for b in r.bookings] == [booked]


async def _search(hub: Hub, **criteria: Any) -> list[uuid.UUID]:
    page = await SearchBookings(hub.read, CATALOG)(BookingSearch(**criteria))
    return [row.booking_id for row in page.items]


async def test_the_search_finds_by_id_prefix_email_prefix_and_name_part(hub: Hub) -> None:
    ada = await hub.customer("Ada Lovelace", "ada.lovelace@example.com")
    grace = await hub.customer("Grace Hopper", "grace@navy.example")
    a = await hub.booking(ada, at("09:00"), id=uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6"))
    g = await hub.booking(grace, at("10:00"), id=uuid.UUID("3fb00000-0000-4000-8000-000000000000"))

    assert await _search(hub, text="3fa85f64-5717-4562-b3fc-2c963f66afa6") == [a]
    assert await _search(hub, text="3FA8") == [a]
    assert await _search(hub, text="3f") == []  # too short to be an id's start, and no one's name
    assert await _search(hub, text="ADA.LOVE") == [a]
    assert await _search(hub, text="grace@navy.example") == [g]
    assert await _search(hub, text="hopp") == [g]
    assert await _search(hub, text="o") == [g, a]  # latest start first
    assert await _search(hub, text="100%_") == []  # LIKE's wildcards are plain characters


async def test_the_search_filters_by_status_offering_and_local_days(hub: Hub) -> None:
    ada = await hub.customer("Ada Lovelace", "ada@example.com")
    today = await hub.booking(ada, at("00:30"))
    tomorrow = await hub.booking(ada, at("23:30", date(2026, 6, 3)), offering_id="coaching")
    cancelled = await hub.booking(ada, at("10:00"), status="cancelled")
    unscheduled = await hub.booking(ada, None, offering_id="free-call", resource_id=None)

    assert await _search(hub, status="cancelled") == [cancelled]
    assert await _search(hub, offering_id="coaching") == [tomorrow]
    assert await _search(hub, date_from=DAY, date_to=DAY) == [cancelled, today]
    assert await _search(hub, date_from=date(2026, 6, 3)) == [tomorrow]
    assert await _search(hub) == [unscheduled, tomorrow, cancelled, today]


async def test_the_search_pages_and_says_whether_there_is_a_next_page(hub: Hub) -> None:
    ada = await hub.customer("Ada Lovelace", "ada@example.com")
    ids = [await hub.booking(ada, at(f"{8 + i:02}:00")) for i in range(5)]
    search = SearchBookings(hub.read, CATALOG)
    first = await search(BookingSearch(per_page=2))
    last = await search(BookingSearch(per_page=2, page=3))
    assert ([r.booking_id for r in first.items], first.has_next, first.has_previous) == (
        ids[:2:-1][:2],
        True,
        False,
    )
    assert ([r.booking_id for r in last.items], last.has_next, last.has_previous) == ([ids[0]], False, True)


async def test_an_erased_customer_is_not_found_by_their_old_email(hub: Hub) -> None:
    ada = await hub.customer("Ada Lovelace", "ada@example.com")
    booked = await hub.booking(ada, NOW - timedelta(days=30))
    assert await _search(hub, text="ada@example.com") == [booked]
    await EraseCustomer(SqlPersonalDataFactory(hub.database), hub.clock)("ada@example.com")
    assert await _search(hub, text="ada@example.com") == []
    assert await _search(hub, text="ada") == []
    assert await _search(hub, text="lovelace") == []


@pytest.mark.parametrize(
    ("criteria", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"page": 0}, "page"),
        ({"per_page": 101}, "per_page"),
        ({"date_from": DAY, "date_to": date(2026, 6, 1)}, "date_to"),
        ({"text": "x" * 101}, "text"),
    ],
)
async def test_a_search_that_cannot_be_made_is_refused_naming_its_field(
    criteria: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        await SearchBookings(SqlConsoleReadModel(None), CATALOG)(BookingSearch(**criteria))  # type: ignore[arg-type]
    assert list(refused.value.fields) == [field]


def _settled(topic: str, state: OutboxState, n: int = 1) -> Settlement:
    message = ClaimedMessage(n, topic, f"k{n}", uuid.uuid4(), {}, 1)
    return Settlement(message, state, None if state is not OutboxState.PENDING else NOW, None)


async def test_each_attempt_is_counted_in_its_hour_and_the_report_covers_24_hours(hub: Hub) -> None:
    queue = SqlOutboxQueue(hub.database)
    await queue.settle(
        [_settled("erp.booking_confirmed", OutboxState.DELIVERED)], now=NOW - timedelta(hours=30)
    )
    await queue.settle(
        [
            _settled("erp.booking_confirmed", OutboxState.DELIVERED, 1),
            _settled("erp.booking_confirmed", OutboxState.PENDING, 2),
            _settled("email.booking_confirmed", OutboxState.DEAD, 3),
            _settled("erp.booking_cancelled", OutboxState.SKIPPED, 4),
        ],
        now=NOW - timedelta(hours=2, minutes=10),
    )
    await queue.settle([_settled("erp.booking_confirmed", OutboxState.DELIVERED)], now=NOW)
    modes = {"erp": "connected", "resend": "mock", "odoo": "disabled"}

    report = await GetIntegrations(hub.read, queue, hub.clock, integrations=modes)()

    assert [(h.hour.hour, h.delivered, h.failed) for h in report.hours if h.delivered or h.failed] == [
        (7, 1, 2),
        (10, 1, 0),
    ]
    assert (len(report.hours), report.hours[0].hour, report.hours[-1].hour) == (
        24,
        NOW - timedelta(hours=23),
        NOW,
    )
    erp, resend, odoo = report.integrations
    assert (erp.mode, erp.last_sync, erp.failures_in_a_row, erp.delivered_24h, erp.failed_24h) == (
        "connected",
        NOW,
        0,
        2,
        1,
    )
    assert (resend.name, resend.failures_in_a_row, resend.delivered_24h, resend.failed_24h) == (
        "resend",
        1,
        0,
        1,
    )
    assert (odoo.last_sync, odoo.delivered_24h) == (None, 0)


async def test_webhook_rates_count_accepted_events_and_refused_posts_of_the_last_24_hours(hub: Hub) -> None:
    activity = SqlIntegrationActivity(hub.database)
    async with hub.database.writing() as c:
        for n, (provider, ago) in enumerate(
            [("stripe", 1), ("stripe", 2), ("stripe", 30), ("driver_app", 1)]
        ):
            await c.execute(
                t.inbound_events.insert(),
                {
                    "provider": provider,
                    "event_id": f"e{n}",
                    "event_type": "x",
                    "received_at": NOW - timedelta(hours=ago),
                },
            )
    await activity.refused("stripe", "invalid_signature", now=NOW)
    await activity.refused("stripe", "invalid_signature", now=NOW)
    await activity.refused("calcom", "invalid_payload", now=NOW - timedelta(hours=1))
    await activity.refused("calcom", "invalid_payload", now=NOW - timedelta(hours=25))

    report = await GetIntegrations(hub.read, SqlOutboxQueue(hub.database), hub.clock, integrations={})()

    rates = {w.provider: (w.accepted, w.refused, w.error_rate) for w in report.webhooks}
    assert rates == {
        "stripe": (2, 2, 0.5),
        "airwallex": (0, 0, None),
        "acuity": (0, 0, None),
        "calcom": (0, 1, 1.0),
        "driver_app": (1, 0, 0.0),
    }


async def test_the_prune_forgets_activity_older_than_the_retention(hub: Hub) -> None:
    queue, activity = SqlOutboxQueue(hub.database), SqlIntegrationActivity(hub.database)
    await queue.settle([_settled("erp.x", OutboxState.DELIVERED)], now=NOW - timedelta(days=8))
    await queue.settle([_settled("erp.x", OutboxState.DELIVERED)], now=NOW - timedelta(days=6))
    await activity.refused("stripe", "invalid_signature", now=NOW - timedelta(days=8))
    await PruneSettledMessages(queue, hub.clock, retention_days=7, activity=activity)()
    async with hub.database.engine.connect() as c:
        attempts = (await c.execute(t.delivery_attempts.select())).all()
        refusals = (await c.execute(t.webhook_refusals.select())).all()
    assert ([a.hour for a in attempts], refusals) == ([NOW - timedelta(days=6)], [])


async def test_webhook_events_are_listed_newest_first_by_provider_a_page_at_a_time(hub: Hub) -> None:
    async with hub.database.writing() as c:
        for n in range(5):
            provider = "stripe" if n % 2 == 0 else "calcom"
            await c.execute(
                t.inbound_events.insert(),
                {
                    "provider": provider,
                    "event_id": f"e{n}",
                    "event_type": f"t{n}",
                    "received_at": NOW + timedelta(minutes=n),
                },
            )
    events = ListWebhookEvents(hub.read)
    everything = await events(page=1, per_page=3)
    stripe = await events("stripe", page=2, per_page=2)
    assert ([e.event_type for e in everything.items], everything.has_next) == (["t4", "t3", "t2"], True)
    assert ([(e.provider, e.event_type, e.outcome) for e in stripe.items], stripe.has_next) == (
        [("stripe", "t0", "accepted")],
        False,
    )
    with pytest.raises(InvalidRequest):
        await events("paypal")


async def test_retry_all_puts_back_the_dead_messages_of_one_integration_only(hub: Hub) -> None:
    rows = [
        ("erp.booking_confirmed", "dead"),
        ("erp.booking_cancelled", "dead"),
        ("email.booking_confirmed", "dead"),
        ("erp.x", "delivered"),
    ]
    async with hub.database.writing() as c:
        for n, (topic, state) in enumerate(rows):
            await c.execute(
                t.outbox_messages.insert(),
                {
                    "topic": topic,
                    "idempotency_key": f"k{n}",
                    "booking_id": None,
                    "payload": {},
                    "state": state,
                    "attempts": 8,
                    "next_attempt_at": NOW,
                    "created_at": NOW,
                    "last_error": "HTTP 503",
                },
            )
    retry = RetryIntegration(SqlDeadLetters(hub.database), hub.clock)
    assert (await retry("erp"), await retry("erp"), await retry("resend")) == (2, 0, 1)
    async with hub.database.engine.connect() as c:
        states = [
            r.state for r in await c.execute(t.outbox_messages.select().order_by(t.outbox_messages.c.id))
        ]
    assert states == ["pending", "pending", "pending", "delivered"]
    with pytest.raises(InvalidRequest):
        await retry("ERP; drop")
