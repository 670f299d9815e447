"""Retention: people whose last booking ended long enough ago are erased, in batches."""

from __future__ import annotations

import logging
from datetime import timedelta

from application.ports import Clock
from application.privacy.erase import EraseCustomer
from application.privacy.ports import PersonalDataFactory
from domain.errors import ErasureRefused

log = logging.getLogger("bookhub.privacy")


class EraseLapsedCustomers:
    """Erase, as `EraseCustomer` does, every customer whose bookings are all over and ended more than
    `retention_days` ago; one transaction per customer, `batch` customers looked up at a time. Returns
    how many were erased."""

    def __init__(
        self,
        personal_data: PersonalDataFactory,
        erase: EraseCustomer,
        clock: Clock,
        *,
        retention_days: float,
        batch: int = 100,
    ) -> None:
        self._data, self._erase, self._clock = personal_data, erase, clock
        self._retention, self._batch = timedelta(days=retention_days), batch

    async def __call__(self) -> int:
        erased = 0
        while True:
            async with self._data(read_only=True) as data:
                due = await data.lapsed(ended_before=self._clock.now() - self._retention, limit=self._batch)
            done = 0
            for customer_id in due:
                try:
                    done += await self._erase.erase_id(customer_id) is not None
                except ErasureRefused:  # booked again since it was looked up: kept
                    continue
            erased += done
            if len(due) < self._batch or done == 0:
                return erased
