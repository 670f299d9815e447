"""Time the pure availability functions on the bench's month: 200 vehicles, ~2,000 bookings.

No server and no database: the offering, resources and occupancy are built in memory the way
`bench/run.py` seeds them (always open, one-hour transfers on a 30-minute grid, Europe/Paris).
`available_slot_counts` is what an availability request runs, on the integer microseconds the
PostgreSQL repository reads; `available_slots` is the same count with objects in and out (the
occupancy carrying `datetime.timezone.utc` instants as the driver returns them).

    .venv/bin/python bench/availability_domain.py [--runs 200] [--bookings 2000] [--buffer 0]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.availability import (
    Occupancy,
    OccupiedTimes,
    available_slot_counts,
    available_slots,
    free_resources,
)
from domain.catalog import WEEKDAYS, Money, Offering, OfferingKind, Resource, TimeRange
from domain.slot import Slot

PARIS = ZoneInfo("Europe/Paris")
VEHICLES = 200
MONTH = (datetime(2027, 1, 1, tzinfo=PARIS), datetime(2027, 2, 1, tzinfo=PARIS))
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def transfer(buffer_minutes: int) -> Offering:
    return Offering(
        id="bench-transfer",
        name="Free transfer, 200 vehicles",
        kind=OfferingKind.TRANSFER,
        duration=timedelta(hours=1),
        price=Money(0, "EUR"),
        timezone=PARIS,
        opening_hours={day: (TimeRange(0, 1440),) for day in WEEKDAYS},
        resource_type="vehicle",
        buffer=timedelta(minutes=buffer_minutes),
    )


def occupancy(
    offering: Offering, vehicles: list[Resource], count: int, rng: random.Random
) -> list[Occupancy]:
    """`count` one-hour bookings on whole hours of the month (plus the two days' margin either side)."""
    first = MONTH[0].astimezone(UTC) - timedelta(days=2)
    hours = int((MONTH[1] - MONTH[0]).total_seconds() // 3600) + 4 * 24
    occupied = []
    for v, vehicle in enumerate(vehicles):
        share = count // len(vehicles) + (1 if v < count % len(vehicles) else 0)
        for hour in rng.sample(range(0, hours, 2), share):  # every other hour: room for a buffer
            start = first + timedelta(hours=hour)
            end = start + offering.duration
            occupied.append(Occupancy(Slot(start, end), Slot(start, end + offering.buffer), vehicle.id))
    occupied.sort(key=lambda o: o.slot.start)
    return occupied


def measure(call: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """Wall-clock p50 and p99, and the median CPU time of this thread, in ms over `runs` calls.

    The CPU time is shown because other processes share the machine: it leaves out the waits.
    """
    for _ in range(3):
        call()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        call()
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    wall.sort()
    p99 = wall[min(len(wall) - 1, round(0.99 * (len(wall) - 1)))]
    return statistics.median(wall), p99, statistics.median(cpu)


def loop_ms() -> float:
    """CPU time of a million empty loop turns: how fast this machine runs Python right now."""
    started = time.thread_time()
    for _ in range(1_000_000):
        pass
    return (time.thread_time() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--buffer", type=int, default=0, help="buffer in minutes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    offering = transfer(args.buffer)
    vehicles = [Resource(f"veh-{i:03d}", "vehicle", f"Vehicle {i}") for i in range(1, VEHICLES + 1)]
    occupied = occupancy(offering, vehicles, args.bookings, random.Random(args.seed))
    start, end = (t.astimezone(UTC) for t in MONTH)

    times = OccupiedTimes.of(occupied)

    def month() -> object:
        return available_slot_counts(offering, start, end, now=NOW, resources=vehicles, occupied=times)

    def month_as_objects() -> object:
        return available_slots(offering, start, end, now=NOW, resources=vehicles, occupied=occupied)

    slot = Slot(start + timedelta(days=10, hours=9), start + timedelta(days=10, hours=10))

    def one_slot() -> object:
        return free_resources(offering, slot, vehicles, occupied)

    seats = replace(offering, resource_type=None, capacity=VEHICLES)

    def seat_month() -> object:
        return available_slot_counts(seats, start, end, now=NOW, resources=(), occupied=times)

    slots = available_slots(offering, start, end, now=NOW, resources=vehicles, occupied=occupied)
    print(
        f"{VEHICLES} vehicles, {len(occupied)} bookings, buffer {args.buffer} min, "
        f"{len(slots)} slots, {sum(s.remaining for s in slots)} free vehicle-slots; "
        f"a million empty loop turns take {statistics.median(loop_ms() for _ in range(5)):.0f} ms of CPU here"
    )
    for name, call, runs in (
        ("available_slot_counts, 1 month", month, args.runs),
        ("available_slots, 1 month", month_as_objects, args.runs),
        ("free_resources, 1 slot", one_slot, args.runs * 10),
        ("same month as 200 seats", seat_month, args.runs),
    ):
        p50, p99, cpu = measure(call, runs)
        print(f"  {name:<31} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   cpu p50 {cpu:8.2f} ms   ({runs} runs)")


if __name__ == "__main__":
    main()
