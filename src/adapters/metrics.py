"""Prometheus metrics of one process: webhooks received, outbox deliveries, outbox depth and lag."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, generate_latest

from application.outbox.commands import Delivery, HealthReport
from application.ports import WebhookTally
from domain.outbox import target_of

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Webhook outcomes that mean the hub refused what a provider sent.
REFUSED = frozenset({"invalid_signature", "invalid_request"})


class PrometheusMetrics:
    """Counters count in the process that did the work (a worker counts its deliveries, a server its
    webhooks); the outbox gauges are read from the database at each scrape, so every process agrees."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._recent = _Window(seconds=300, buckets=30)
        self._webhooks = Counter(
            "bookhub_webhooks_received",
            "Provider webhooks received, by provider and outcome",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self._webhook_counters: dict[tuple[str, str], Counter] = {}
        self._deliveries = Counter(
            "bookhub_outbox_deliveries",
            "Outbox delivery attempts, by topic, target and outcome",
            ["topic", "target", "outcome"],
            registry=self.registry,
        )
        self._depth = Gauge(
            "bookhub_outbox_messages", "Outbox messages waiting, by state", ["state"], registry=self.registry
        )
        self._lag = Gauge(
            "bookhub_outbox_lag_seconds",
            "Age of the oldest pending outbox message (0 when none is pending)",
            registry=self.registry,
        )
        self._failing = Gauge(
            "bookhub_integration_failing",
            "1 when an integration's last 3 or more deliveries all failed",
            ["integration"],
            registry=self.registry,
        )

    def webhook(self, provider: str, outcome: str) -> None:
        counter = self._webhook_counters.get((provider, outcome))
        if counter is None:  # the labelled counter, made once: labels() validates and locks each call
            counter = self._webhook_counters[provider, outcome] = self._webhooks.labels(provider, outcome)
        counter.inc()
        self._recent.add(failed=outcome in REFUSED)

    def recent(self) -> WebhookTally:
        return self._recent.tally()

    def deliveries(self, deliveries: Sequence[Delivery]) -> None:
        for d in deliveries:
            self._deliveries.labels(d.topic, target_of(d.topic), d.outcome.value).inc()

    def render(self, health: HealthReport | None) -> bytes:
        """The text exposition; without a health report (database unreachable) the gauges keep their
        last values."""
        if health is not None:
            self._depth.labels("pending").set(health.pending)
            self._depth.labels("dead").set(health.dead)
            self._depth.labels("scheduled").set(health.scheduled)
            self._lag.set(health.oldest_pending_age_seconds or 0.0)
            for name in health.integrations:
                self._failing.labels(name).set(1 if name in health.failing else 0)
        return generate_latest(self.registry)


class _Window:
    """Counts over the last `seconds`, in `buckets` slices of monotonic time: O(1) to add and to read."""

    def __init__(self, *, seconds: float, buckets: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._width, self._clock = seconds / buckets, clock
        self._slices: deque[list[int]] = deque()  # [slice number, received, failed], oldest first
        self._span = buckets

    def add(self, *, failed: bool) -> None:
        now = int(self._clock() // self._width)
        self._expire(now)
        if not self._slices or self._slices[-1][0] != now:
            self._slices.append([now, 0, 0])
        self._slices[-1][1] += 1
        self._slices[-1][2] += int(failed)

    def tally(self) -> WebhookTally:
        self._expire(int(self._clock() // self._width))
        return WebhookTally(sum(s[1] for s in self._slices), sum(s[2] for s in self._slices))

    def _expire(self, now: int) -> None:
        while self._slices and self._slices[0][0] <= now - self._span:
            self._slices.popleft()
