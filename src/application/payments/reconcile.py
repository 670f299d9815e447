"""Reconciliation: events a provider still lists but we never received go through the same handlers.

A webhook missed during an outage (ours or the provider's) thus still confirms its booking. Events are
applied oldest first; the checkpoint moves past each one applied, and the next run looks back a little
before it, relying on the (provider, event id) record to skip what was seen."""

from __future__ import annotations

import logging
from datetime import timedelta

from application.payments.commands import PaymentLinkPaid, PaymentOutcome
from application.payments.payment_events import PaymentEventHandler
from application.payments.payment_links import PaymentLinkPaidHandler
from application.payments.ports import CheckpointStore, PaymentEventSource
from application.ports import Clock

log = logging.getLogger("bookhub.reconcile")

OVERLAP = timedelta(minutes=5)
FIRST_LOOK_BACK = timedelta(days=3)  # how long a provider keeps retrying a webhook by itself


class ReconcilePayments:
    def __init__(
        self,
        source: PaymentEventSource,
        checkpoints: CheckpointStore,
        payment_events: PaymentEventHandler,
        payment_link_paid: PaymentLinkPaidHandler,
        clock: Clock,
    ) -> None:
        self._source, self._checkpoints = source, checkpoints
        self._events, self._links, self._clock = payment_events, payment_link_paid, clock

    async def __call__(self) -> int:
        """Returns how many events were applied that the webhooks had not delivered."""
        provider = self._source.provider
        checkpoint = await self._checkpoints.get(provider)
        since = checkpoint - OVERLAP if checkpoint else self._clock.now() - FIRST_LOOK_BACK
        recovered, newest = 0, checkpoint
        for listed in sorted(await self._source.events_since(since), key=lambda e: e.created):
            command = listed.command
            if isinstance(command, PaymentLinkPaid):
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
