"""CPU per availability request in-process on PostgreSQL: the use case, persistence and the JSON body.

Process CPU time per request holds better than a latency when the machine is busy with something
else, so this is the figure to compare before and after a change to the availability path. It seeds
the bench's catalog (200 vehicles) and `--seed` bookings the way `bench/run.py` does, then asks
`--requests` times, one after another, for the bench's month (January 2027, Paris time) of the free
transfer, and encodes each answer as the route does. Litestar's routing and the socket are left out.
`--profile FILE` writes a cProfile of the run.

    .venv/bin/python bench/availability_cpu.py [--requests 300] [--profile /tmp/availability.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import MONTH, seeded_container


async def main(args: argparse.Namespace) -> None:
    from litestar.serialization import encode_json

    from entrypoints.http.schemas import availability_out

    async with seeded_container("bookhub_bench_avail", args.seed) as (container, seeded):
        get_availability = container.get_availability()
        start, end = (datetime.fromisoformat(x) for x in MONTH)

        async def request() -> bytes:
            return encode_json(availability_out(await get_availability("bench-transfer", start, end)))

        for _ in range(20):  # warm up: connections, prepared statements, caches
            body = await request()
        gc.collect()
        gc.freeze()  # as the server's lifespan does
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        cpu = []
        wall = time.perf_counter()
        for _ in range(args.requests):
            started = time.process_time()
            await request()
            cpu.append((time.process_time() - started) * 1000)
        wall = time.perf_counter() - wall
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
    slots = body.count(b'"remaining"')
    print(
        f"{args.requests} availability requests, 1 month, {slots} slots, {seeded.in_month:,} bookings "
        f"in the month of {seeded.bookings:,}: {sum(cpu) / len(cpu):.2f} ms CPU per request in this "
        f"process (median {statistics.median(cpu):.2f} ms), {wall / args.requests * 1000:.2f} ms wall"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="availability_cpu.py")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=100_000, help="bookings in the table before the run")
    parser.add_argument("--profile", help="write a cProfile of the measured run here")
    asyncio.run(main(parser.parse_args()))
