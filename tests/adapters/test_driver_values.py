"""The webhook's one write takes its values as a list in a known order (ADR 0023): it binds exactly what the
same write binds from a mapping by name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from adapters.persistence.database import create_database
from adapters.persistence.mappers import booking_state
from adapters.persistence.one_statement import (
    update_with_rows_at_driver_level,
    update_with_rows_params,
    update_with_rows_values,
)
from adapters.persistence.records import audit_rows, ledger_rows, outbox_rows
from application.payments.ledger import record_charge
from domain.booking import Booking
from domain.catalog import Money
from domain.slot import Slot

NOW = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
TEN = datetime(2027, 6, 1, 10, 0, tzinfo=UTC)


def _paid_booking() -> Booking:
    booking = Booking.new(
        id=uuid.uuid4(),
        offering_id="van-transfer",
        customer_id=uuid.uuid4(),
        price=Money(8500, "EUR"),
        slot=Slot(TEN, TEN + timedelta(hours=1)),
        buffer=timedelta(minutes=15),
        resource_id="van-1",
        now=NOW,
        hold=timedelta(minutes=30),
    )
    booking.events.clear()
    booking.record_payment("stripe", "pi_1")
    booking.mark_paid(now=NOW)
    record_charge(booking, provider="stripe", payment_ref="pi_1", amount_cents=8500, currency="EUR", now=NOW)
    return booking


def test_the_values_in_a_list_bind_as_the_same_values_by_name() -> None:
    dialect = create_database("postgresql+asyncpg://bookhub@127.0.0.1/none").engine.dialect  # no connection
    booking = _paid_booking()
    state = booking_state(booking)
    audit, ledger = audit_rows(booking.events, actor="system"), ledger_rows(booking.events)
    outbox = outbox_rows(booking.events, now=NOW)
    assert (len(audit), len(ledger), len(outbox)) == (1, 1, 5)
    event = {
        "provider": "stripe",
        "event_id": "evt_1",
        "event_type": "payment_intent.succeeded",
        "received_at": NOW,
        "booking_id": booking.id,
    }
    of = {"booking_id": booking.id, "version": 3, "old_version": 2, "updated_at": NOW}
    statement, in_its_order = update_with_rows_at_driver_level(
        dialect, tuple(state), len(audit), len(outbox), len(ledger)
    )
    by_name = update_with_rows_params(state, **of, audit=audit, outbox=outbox, ledger=ledger)
    by_name |= {f"e_{name}": value for name, value in event.items()}
    values = update_with_rows_values(state, **of, event=event, audit=audit, outbox=outbox, ledger=ledger)
    bound = statement.args_in(in_its_order(values))
    assert bound == statement.args(by_name)
    assert len(bound) == 78


def test_an_order_that_misses_or_adds_a_parameter_is_refused() -> None:
    dialect = create_database("postgresql+asyncpg://bookhub@127.0.0.1/none").engine.dialect
    state = booking_state(_paid_booking())
    statement, _ = update_with_rows_at_driver_level(dialect, tuple(state), 1, 5, 1)
    names = statement._names  # the statement's own order
    assert statement.reorder(list(reversed(names)))(list(reversed(range(len(names))))) == tuple(
        range(len(names))
    )
    with pytest.raises(ValueError, match="parameters"):
        statement.reorder(names[1:])
    with pytest.raises(ValueError, match="parameters"):
        statement.reorder([*names, "extra"])
