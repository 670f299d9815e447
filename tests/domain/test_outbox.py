"""Backoff with jitter, attempts per topic, and error texts short enough for the sync queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.outbox import MAX_ERROR_CHARS, RetryPolicy, backoff, truncate_error

BASE, CAP = timedelta(seconds=2), timedelta(hours=1)
T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempts", "upper"), [(1, 2), (2, 4), (3, 8), (4, 16), (11, 2048), (12, 3600), (40, 3600), (500, 3600)]
)
def test_the_delay_doubles_per_attempt_up_to_the_cap(attempts: int, upper: float) -> None:
    assert backoff(attempts, base=BASE, cap=CAP, random=lambda: 1.0) == timedelta(seconds=upper)
    assert backoff(attempts, base=BASE, cap=CAP, random=lambda: 0.0) == timedelta(seconds=upper / 2)


@given(attempts=st.integers(1, 10_000), draw=st.floats(0.0, 1.0))
def test_the_jitter_stays_in_the_upper_half_of_the_delay_and_never_passes_the_cap(
    attempts: int, draw: float
) -> None:
    delay = backoff(attempts, base=BASE, cap=CAP, random=lambda: draw)
    nominal = min(CAP, BASE * 2 ** min(attempts - 1, 20))
    assert nominal / 2 <= delay <= nominal <= CAP


def test_backoff_follows_a_failure() -> None:
    with pytest.raises(ValueError, match="failed attempt"):
        backoff(0, base=BASE, cap=CAP, random=lambda: 0.5)


def test_odoo_topics_get_three_attempts_and_the_rest_eight() -> None:
    policy = RetryPolicy()
    assert policy.attempts_for("odoo.invoice_booking") == 3
    assert policy.attempts_for("erp.booking_confirmed") == 8
    assert policy.attempts_for("email.booking_confirmed") == 8


def test_a_message_is_dead_after_its_topics_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=3, max_attempts_by_target={"odoo": 2})
    half = lambda: 0.5  # noqa: E731
    assert policy.next_attempt("erp.booking_confirmed", 2, now=T0, random=half) == T0 + timedelta(seconds=3)
    assert policy.next_attempt("erp.booking_confirmed", 3, now=T0, random=half) is None
    assert policy.next_attempt("odoo.invoice_booking", 2, now=T0, random=half) is None


def test_errors_are_cut_to_one_line_of_200_characters() -> None:
    assert truncate_error("erp answered\n503") == "erp answered 503"
    long = truncate_error("x" * 1000)
    assert len(long) == MAX_ERROR_CHARS
    assert long.endswith("…")
