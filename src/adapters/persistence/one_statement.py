"""PostgreSQL writes that are one statement each, built once per shape as data-modifying CTEs.

A round trip costs more CPU here than anything else in a request, and SQLAlchemy compiles a construct
with inline rows on every call; these statements are text with typed bound parameters, cached by shape.

`first_free_insert`: customer, booking on the first free resource, audit and outbox rows. PostgreSQL
picks the first candidate that no holding booking blocks, by the exclusion constraint's own rule and
through its GiST index, inserts the booking there (`ON CONFLICT DO NOTHING`, so a concurrent winner
means no row, not an error) and writes the audit and outbox rows only if the booking went in. No row
back means "take the careful path": a hold that ran out may still sit on the only free resource (it
blocks the constraint until it is expired), or the last one was just taken.

`update_with_rows`: a booking's update at its version with its audit, outbox and payments ledger rows (and,
for an optimistic unit of work, the inbound event that caused it; that one runs at driver level, ADR 0021);
`rows_only`: those rows alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from adapters.persistence import tables as t
from adapters.persistence.driver import DriverStatement

_HOLDING = ", ".join(f"'{status}'" for status in t.HOLDING)
_BOOKING_COLUMNS = [c.name for c in t.bookings.columns if c.name not in ("customer_id", "resource_id")]
_CUSTOMER_COLUMNS = [c.name for c in t.customers.columns]
_AUDIT_COLUMNS = [c.name for c in t.audit_entries.columns if c.name != "id"]
_EVENT_COLUMNS = ("provider", "event_id", "event_type", "received_at", "booking_id")
_LEDGER_COLUMNS = [c.name for c in t.payment_ledger.columns if c.name != "id"]
_OUTBOX_COLUMNS = [
    c.name
    for c in t.outbox_messages.columns
    if c.name not in ("id", "claimed_until", "last_error", "delivered_at")
]
_EVENT_KEYS = tuple(f"e_{name}" for name in _EVENT_COLUMNS)
# A row's values in its columns' order, taken in one call.
_EVENT_VALUES = itemgetter(*_EVENT_COLUMNS)
_LEDGER_VALUES = itemgetter(*_LEDGER_COLUMNS)
_AUDIT_VALUES = itemgetter(*_AUDIT_COLUMNS)
_OUTBOX_VALUES = itemgetter(*_OUTBOX_COLUMNS)


@cache
def first_free_insert(audit_rows: int, outbox_rows: int) -> sa.TextClause:
    """The statement for a booking with this many audit and outbox rows (built once per shape)."""
    binds = [sa.bindparam("candidates", type_=sa.Text)]
    binds += [sa.bindparam(f"b_{name}", type_=t.bookings.c[name].type) for name in _BOOKING_COLUMNS]
    binds += [sa.bindparam(f"c_{name}", type_=t.customers.c[name].type) for name in _CUSTOMER_COLUMNS]
    ctes = [
        f"""free AS (
            SELECT u.r FROM unnest(string_to_array(:candidates, ',')) WITH ORDINALITY AS u(r, n)
            WHERE NOT EXISTS (
                SELECT 1 FROM bookings x
                WHERE x.resource_id = u.r AND x.resource_id IS NOT NULL AND x.status IN ({_HOLDING})
                  AND tstzrange(x.start_at, x.block_end, '[)') && tstzrange(:b_start_at, :b_block_end, '[)'))
            ORDER BY u.n LIMIT 1)""",
        f"""c AS (
            INSERT INTO customers ({", ".join(_CUSTOMER_COLUMNS)})
            SELECT {", ".join(f":c_{name}" for name in _CUSTOMER_COLUMNS)} WHERE EXISTS (SELECT 1 FROM free)
            ON CONFLICT (email) DO UPDATE SET phone = coalesce(customers.phone, excluded.phone)
            RETURNING id)""",
        f"""b AS (
            INSERT INTO bookings ({", ".join(_BOOKING_COLUMNS)}, customer_id, resource_id)
            SELECT {", ".join(f":b_{name}" for name in _BOOKING_COLUMNS)}, c.id, free.r FROM free, c
            ON CONFLICT DO NOTHING RETURNING customer_id, resource_id)""",
    ]
    row_binds, row_ctes = _row_binds(audit_rows, outbox_rows, source="b")
    binds += row_binds
    sql = "WITH " + ",\n".join(ctes + row_ctes) + "\nSELECT customer_id, resource_id FROM b"
    return (
        sa.text(sql)
        .bindparams(*binds)
        .columns(sa.column("customer_id", sa.Uuid), sa.column("resource_id", sa.String))
    )


def first_free_params(
    booking_row: dict[str, Any],
    customer_row: dict[str, Any],
    candidates: list[str],
    audit: list[dict[str, Any]],
    outbox: list[dict[str, Any]],
) -> dict[str, Any]:
    # Resource ids are slugs (no commas): one text parameter encodes far cheaper than a 200-element array.
    params: dict[str, Any] = {"candidates": ",".join(candidates)}
    params |= {f"b_{name}": booking_row[name] for name in _BOOKING_COLUMNS}
    params |= {f"c_{name}": customer_row[name] for name in _CUSTOMER_COLUMNS}
    return params | _row_params(audit, outbox)


def _insert_from_b(prefix: str, table: str, columns: list[str], *, conflict: bool, source: str = "b") -> str:
    """Insert one row of bound values if the row of CTE `source` went in (or was updated)."""
    values = ", ".join(f":{prefix}_{name}" for name in columns)
    tail = " ON CONFLICT DO NOTHING" if conflict else ""
    return f"{prefix} AS (INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {source}{tail})"


def _row_binds(
    audit_rows: int, outbox_rows: int, *, source: str, ledger_rows: int = 0
) -> tuple[list[Any], list[str]]:
    binds: list[Any] = []
    ctes: list[str] = []
    for i in range(ledger_rows):  # a charge or refund seen again inserts nothing
        binds += [sa.bindparam(f"l{i}_{n}", type_=t.payment_ledger.c[n].type) for n in _LEDGER_COLUMNS]
        ctes.append(_insert_from_b(f"l{i}", "payment_ledger", _LEDGER_COLUMNS, conflict=True, source=source))
    for i in range(audit_rows):
        binds += [sa.bindparam(f"a{i}_{n}", type_=t.audit_entries.c[n].type) for n in _AUDIT_COLUMNS]
        ctes.append(_insert_from_b(f"a{i}", "audit_entries", _AUDIT_COLUMNS, conflict=False, source=source))
    for i in range(outbox_rows):
        binds += [sa.bindparam(f"o{i}_{n}", type_=t.outbox_messages.c[n].type) for n in _OUTBOX_COLUMNS]
        ctes.append(_insert_from_b(f"o{i}", "outbox_messages", _OUTBOX_COLUMNS, conflict=True, source=source))
    return binds, ctes


def _row_params(
    audit: list[dict[str, Any]], outbox: list[dict[str, Any]], ledger: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for kind, rows in (("l", ledger or ()), ("a", audit), ("o", outbox)):
        for i, row in enumerate(rows):
            for key, name in _keys(kind, i):
                params[key] = row[name]
    return params


@cache
def _keys(kind: str, i: int) -> tuple[tuple[str, str], ...]:
    """(parameter, column) of row `i` of a kind of row (l: ledger, a: audit, o: outbox), named once."""
    columns = {"l": _LEDGER_COLUMNS, "a": _AUDIT_COLUMNS, "o": _OUTBOX_COLUMNS}[kind]
    return tuple((f"{kind}{i}_{name}", name) for name in columns)


@cache
def update_with_rows(
    state_columns: tuple[str, ...],
    audit_rows: int,
    outbox_rows: int,
    *,
    event: bool = False,
    ledger_rows: int = 0,
) -> sa.TextClause:
    """A booking's UPDATE at its version, with its audit and outbox rows written only if it matched, in one
    statement built once per shape (SQLAlchemy would compile the equivalent construct on every call).
    It answers how many rows it updated (0 or 1).

    `event`: also record the inbound event that caused it, for an optimistic unit of work that read the
    booking without a lock. The update then applies only while the event is unknown too, and the event
    is recorded only with the update; it answers (updated, recorded). A concurrent delivery of the same
    event that changed nothing can make that (1, 0): the change is then made once, here."""
    binds = [sa.bindparam(f"s_{name}", type_=t.bookings.c[name].type) for name in state_columns]
    binds += [
        sa.bindparam("u_id", type_=t.bookings.c.id.type),
        sa.bindparam("u_version", type_=sa.Integer),
        sa.bindparam("u_old_version", type_=sa.Integer),
        sa.bindparam("u_updated_at", type_=t.bookings.c.updated_at.type),
    ]
    sets = ", ".join(f"{name} = :s_{name}" for name in state_columns)
    unknown = ""
    if event:
        binds += [sa.bindparam(f"e_{name}", type_=t.inbound_events.c[name].type) for name in _EVENT_COLUMNS]
        unknown = """ AND NOT EXISTS (
                SELECT 1 FROM inbound_events WHERE provider = :e_provider AND event_id = :e_event_id)"""
    ctes = [
        f"""updated AS (
            UPDATE bookings SET {sets}, version = :u_version, updated_at = :u_updated_at
            WHERE id = :u_id AND version = :u_old_version{unknown} RETURNING id)"""
    ]
    columns = [sa.column("updated", sa.Integer)]
    answer = "(SELECT count(*) FROM updated) AS updated"
    if event:
        ctes.append(
            f"""recorded AS (
            INSERT INTO inbound_events ({", ".join(_EVENT_COLUMNS)})
            SELECT {", ".join(f":e_{name}" for name in _EVENT_COLUMNS)} FROM updated
            ON CONFLICT DO NOTHING RETURNING id)"""
        )
        columns.append(sa.column("recorded", sa.Integer))
        answer += ", (SELECT count(*) FROM recorded) AS recorded"
    row_binds, row_ctes = _row_binds(audit_rows, outbox_rows, source="updated", ledger_rows=ledger_rows)
    sql = "WITH " + ",\n".join(ctes + row_ctes) + "\nSELECT " + answer
    return sa.text(sql).bindparams(*binds, *row_binds).columns(*columns)


@cache
def update_with_rows_at_driver_level(
    dialect: Dialect, state_columns: tuple[str, ...], audit_rows: int, outbox_rows: int, ledger_rows: int
) -> tuple[DriverStatement, Callable[[Sequence[Any]], Sequence[Any]]]:
    """`update_with_rows(..., event=True)` as asyncpg runs it (ADR 0021), compiled once per shape, with
    what puts `update_with_rows_values` in its order."""
    statement = DriverStatement(
        update_with_rows(state_columns, audit_rows, outbox_rows, event=True, ledger_rows=ledger_rows), dialect
    )
    names = [*_state_keys(state_columns), "u_id", "u_version", "u_old_version", "u_updated_at", *_EVENT_KEYS]
    for kind, count in (("l", ledger_rows), ("a", audit_rows), ("o", outbox_rows)):
        for i in range(count):
            names += [key for key, _ in _keys(kind, i)]
    return statement, statement.reorder(names)


def update_with_rows_values(
    state: dict[str, Any],
    *,
    booking_id: Any,
    version: int,
    old_version: int,
    updated_at: Any,
    event: dict[str, Any],
    audit: list[dict[str, Any]],
    outbox: list[dict[str, Any]],
    ledger: list[dict[str, Any]],
) -> list[Any]:
    """`update_with_rows_params` and the inbound event's values as one list, in the order
    `update_with_rows_at_driver_level` names them (the hot path: a list of a webhook's 78 values costs a
    fraction of a mapping of them)."""
    values = [*state.values(), booking_id, version, old_version, updated_at, *_EVENT_VALUES(event)]
    for row in ledger:
        values.extend(_LEDGER_VALUES(row))
    for row in audit:
        values.extend(_AUDIT_VALUES(row))
    for row in outbox:
        values.extend(_OUTBOX_VALUES(row))
    return values


@cache
def rows_only(audit_rows: int, outbox_rows: int, ledger_rows: int = 0) -> sa.TextClause:
    """Audit, outbox and ledger rows in one statement, built once per shape."""
    row_binds, row_ctes = _row_binds(audit_rows, outbox_rows, source="one", ledger_rows=ledger_rows)
    sql = "WITH one AS (SELECT 1),\n" + ",\n".join(row_ctes) + "\nSELECT 1"
    return sa.text(sql).bindparams(*row_binds)


def rows_only_params(
    audit: list[dict[str, Any]], outbox: list[dict[str, Any]], ledger: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return _row_params(audit, outbox, ledger)


def update_with_rows_params(
    state: dict[str, Any],
    *,
    booking_id: Any,
    version: int,
    old_version: int,
    updated_at: Any,
    audit: list[dict[str, Any]],
    outbox: list[dict[str, Any]],
    ledger: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    params = _row_params(audit, outbox, ledger)
    params.update(zip(_state_keys(tuple(state)), state.values(), strict=True))
    params["u_id"], params["u_version"] = booking_id, version
    params["u_old_version"], params["u_updated_at"] = old_version, updated_at
    return params


@cache
def _state_keys(columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"s_{name}" for name in columns)
