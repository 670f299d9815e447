"""CPU per booking creation in-process on PostgreSQL: the use case and persistence, without HTTP.

Process CPU time per booking holds better than a rate when the machine is busy with something else,
so this is the figure to compare before and after a change to the creation path. It seeds the bench's
catalog (200 vehicles) and a few thousand bookings, then creates `--bookings` free bookings from 32
concurrent tasks, each on its own hour. `--profile FILE` writes a cProfile of the run.

    .venv/bin/python bench/creation_cpu.py [--bookings 2000] [--profile /tmp/creation.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import CREATE_FROM, seeded_container

CONCURRENCY = 32


async def main(args: argparse.Namespace) -> None:
    from application.bookings.commands import CreateBooking, CustomerDetails

    async with seeded_container("bookhub_bench_cpu", args.seed) as (container, _):
        create = container.create_booking()

        def command(i: int) -> CreateBooking:
            customer = CustomerDetails(f"Bench Customer {i}", f"cpu-{i}@example.com")
            start = CREATE_FROM + timedelta(hours=i)
            return CreateBooking("bench-transfer", customer, start=start)

        async def run(first: int, count: int) -> float:
            queue = iter(range(first, first + count))

            async def client() -> None:
                for i in queue:
                    await create(command(i))

            started = time.process_time()
            await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
            return time.process_time() - started

        await run(10_000, 200)  # warm up: connections, prepared statements, caches
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        wall = time.perf_counter()
        cpu = await run(0, args.bookings)
        wall = time.perf_counter() - wall
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
    print(
        f"{args.bookings} free bookings at concurrency {CONCURRENCY}: "
        f"{cpu / args.bookings * 1000:.2f} ms CPU per booking in this process, "
        f"{args.bookings / wall:.0f}/s wall"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="creation_cpu.py")
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5000, help="bookings in the table before the run")
    parser.add_argument("--profile", help="write a cProfile of the measured run here")
    asyncio.run(main(parser.parse_args()))
