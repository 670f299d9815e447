"""Reconciliation: events a provider still lists but we never received go through the same handlers.

A webhook missed during an outage (ours or the provider's) thus still confirms its booking. Events are
applied oldest first; the checkpoint moves past each one applied, and the next run looks back a little
before it, relying on the (provider, event id) record to skip what was seen."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from application.errors import ProviderUnavailable
from application.payments.commands import (
    ExtensionPaid,
    PaymentEvent,
    PaymentLinkPaid,
    PaymentOutcome,
    PaymentSucceeded,
    RefundRecorded,
)
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.payments.ports import CheckpointStore, PaymentEventSource
from application.ports import Clock, UnitOfWorkFactory
from domain.events import CHARGE, REFUND

log = logging.getLogger("bookhub.reconcile")

OVERLAP = timedelta(minutes=5)
FIRST_LOOK_BACK = timedelta(days=3)  # how long a provider keeps retrying a webhook by itself


class ReconcilePayments:
    """`uow`: where the payments ledger is read, to skip payments and refunds it holds already (for a
    provider without an events list, whose listed objects carry no event id of a webhook)."""

    def __init__(
        self,
        source: PaymentEventSource,
        checkpoints: CheckpointStore,
        payment_events: PaymentEventHandler,
        payment_link_paid: PaymentLinkPaidHandler,
        clock: Clock,
        uow: UnitOfWorkFactory | None = None,
    ) -> None:
        self._source, self._checkpoints = source, checkpoints
        self._events, self._links, self._clock, self._uow = payment_events, payment_link_paid, clock, uow

    async def __call__(self) -> int:
        """Returns how many events were applied that the webhooks had not delivered."""
        provider = self._source.provider
        checkpoint = await self._checkpoints.get(provider)
        since = checkpoint - OVERLAP if checkpoint else self._clock.now() - FIRST_LOOK_BACK
        recovered, newest = 0, checkpoint
        for listed in sorted(await self._source.events_since(since), key=lambda e: e.created):
            command = listed.command
            if await self._in_ledger(command):
                outcome = PaymentOutcome.DUPLICATE
            elif isinstance(command, PaymentLinkPaid):
                outcome = await self._links(command)
            else:
                outcome = await self._events(command)
            if outcome is not PaymentOutcome.DUPLICATE:
                recovered += 1
                log.info("reconcile: %s event %s applied: %s", provider, command.event_id, outcome.value)
            newest = listed.created if newest is None else max(newest, listed.created)
        if newest is not None and newest != checkpoint:
            await self._checkpoints.set(provider, newest)
        return recovered

    async def _in_ledger(self, command: PaymentEvent | PaymentLinkPaid) -> bool:
        if self._uow is None:
            return False
        if isinstance(command, PaymentSucceeded | ExtensionPaid) and command.payment_ref:
            named = (command.provider, command.payment_ref, CHARGE)
        elif isinstance(command, RefundRecorded) and command.refund_ref:
            named = (command.provider, command.refund_ref, REFUND)
        else:
            return False
        async with self._uow(read_only=True) as uow:
            return await uow.payments.entry(*named) is not None


class ReconcileProviders:
    """Each live provider's reconciliation in turn; one that cannot be reached does not hold up the others."""

    def __init__(self, each: Sequence[ReconcilePayments]) -> None:
        self._each = list(each)

    async def __call__(self) -> int:
        recovered = 0
        for reconcile in self._each:
            try:
                recovered += await reconcile()
            except ProviderUnavailable as exc:
                log.warning("reconcile: %s", exc)
        return recovered
