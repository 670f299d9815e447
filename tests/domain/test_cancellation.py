"""The refund a cancellation gives: all of it before the free deadline, the late percent after."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.cancellation import refund_for
from domain.catalog import CancellationPolicy
from tests.domain.builders import NOW, at

START = at(2026, 6, 10, 9)
policies = st.builds(
    CancellationPolicy,
    st.none() | st.integers(min_value=0, max_value=24 * 60),
    st.integers(min_value=0, max_value=100),
)
paid = st.integers(min_value=0, max_value=10**9)
moments = st.integers(min_value=-24 * 90, max_value=24 * 90).map(lambda h: START + timedelta(minutes=h * 17))


@given(policies, paid, moments)
def test_a_refund_is_never_negative_nor_more_than_was_paid(
    policy: CancellationPolicy, cents: int, when: object
) -> None:
    assert isinstance(when, type(START))
    quote = refund_for(policy, paid_cents=cents, start=START, at=when)
    assert 0 <= quote.refund_cents <= cents


@given(policies, paid, moments)
def test_before_the_deadline_everything_after_it_the_percent(
    policy: CancellationPolicy, cents: int, when: object
) -> None:
    assert isinstance(when, type(START))
    quote = refund_for(policy, paid_cents=cents, start=START, at=when)
    deadline = START - timedelta(hours=policy.free_hours or 0)
    if when <= deadline:
        assert (quote.refund_cents, quote.free) == (cents, True)
    else:
        assert (quote.refund_cents, quote.free) == (cents * policy.late_refund_percent // 100, False)
    assert quote.free_until == deadline


@given(policies, paid)
def test_a_later_cancellation_never_gives_back_more(policy: CancellationPolicy, cents: int) -> None:
    refunds = [
        refund_for(policy, paid_cents=cents, start=START, at=START - timedelta(hours=h)).refund_cents
        for h in range(72, -2, -1)
    ]
    assert refunds == sorted(refunds, reverse=True)


def test_unset_free_hours_mean_free_until_the_start() -> None:
    policy = CancellationPolicy(None, 30)
    assert refund_for(policy, paid_cents=8500, start=START, at=START).refund_cents == 8500
    assert (
        refund_for(policy, paid_cents=8500, start=START, at=START + timedelta(minutes=1)).refund_cents == 2550
    )


def test_a_booking_without_a_time_is_refunded_in_full() -> None:
    quote = refund_for(CancellationPolicy(48, 0), paid_cents=8500, start=None, at=NOW)
    assert (quote.refund_cents, quote.free, quote.free_until) == (8500, True, None)


def test_the_policy_refuses_impossible_values() -> None:
    for free_hours, percent in ((-1, 0), (None, 101), (None, -1)):
        try:
            CancellationPolicy(free_hours, percent)
        except ValueError:
            continue
        raise AssertionError(f"{free_hours}, {percent} accepted")
