-- One Stripe `payment_intent.succeeded` as the hub's ingest writes it on PostgreSQL (the optimistic
-- way, ADR 0008): two statements, each on its own without BEGIN/COMMIT, as the server sends them.
--   1. whether the event is known, and the booking as it is (repositories.py `_seen_and_read`);
--   2. the booking's update at the version read, only while the event is unknown, with the event's
--      record, one audit row, the four outbox rows a confirmation writes (one_statement.py
--      `update_with_rows(..., event=True)`: erp, odoo, email, sms) and the payments ledger's charge.
-- Run by bench/webhooks.py against a copy of its seeded database (bookings with ids 1..:bookings,
-- as uuids): pgbench -n -M prepared -c C -T D -D bookings=N -f bench/pgbench/payment_event.sql DB
\set k random(1, :bookings)
\set e random(1, 1000000000000)
SELECT EXISTS (SELECT inbound_events.id
    FROM inbound_events
    WHERE inbound_events.provider = 'stripe'
      AND inbound_events.event_id = 'evt_pgbench_' || :client_id::text || '_' || :e::text) AS seen,
  booking.id, booking.offering_id, booking.customer_id, booking.status, booking.payment_status,
  booking.amount_cents, booking.currency, booking.start_at, booking.end_at, booking.block_end,
  booking.resource_id, booking.capacity, booking.hold_expires_at, booking.notes, booking.intake,
  booking.refs, booking.dispatch, booking.token_hash, booking.version, booking.created_at, booking.updated_at
FROM (SELECT 1 AS one) AS one LEFT OUTER JOIN LATERAL (
  SELECT bookings.id AS id, bookings.offering_id AS offering_id, bookings.customer_id AS customer_id,
    bookings.status AS status, bookings.payment_status AS payment_status,
    bookings.amount_cents AS amount_cents, bookings.currency AS currency, bookings.start_at AS start_at,
    bookings.end_at AS end_at, bookings.block_end AS block_end, bookings.resource_id AS resource_id,
    bookings.capacity AS capacity, bookings.hold_expires_at AS hold_expires_at, bookings.notes AS notes,
    bookings.intake AS intake, bookings.refs AS refs, bookings.dispatch AS dispatch,
    bookings.token_hash AS token_hash, bookings.version AS version, bookings.created_at AS created_at,
    bookings.updated_at AS updated_at
  FROM bookings
  WHERE bookings.id = lpad(to_hex(:k::bigint), 32, '0')::uuid) AS booking ON true
\gset r_
WITH updated AS (
  UPDATE bookings SET status = 'confirmed', payment_status = 'paid', start_at = :r_start_at,
    end_at = :r_end_at, block_end = :r_block_end, resource_id = :r_resource_id, hold_expires_at = NULL,
    notes = NULL, intake = '{}'::json,
    refs = ('{"payment_provider": "stripe", "stripe_payment_intent": "pi_pgbench_' || :e::text || '"}')::json,
    dispatch = 'null'::json, version = :r_version + 2, updated_at = now()
  WHERE id = :r_id AND version = :r_version AND NOT EXISTS (
    SELECT 1 FROM inbound_events
    WHERE provider = 'stripe' AND event_id = 'evt_pgbench_' || :client_id::text || '_' || :e::text)
  RETURNING id),
recorded AS (
  INSERT INTO inbound_events (provider, event_id, event_type, received_at)
  SELECT 'stripe', 'evt_pgbench_' || :client_id::text || '_' || :e::text, 'payment_intent.succeeded', now()
  FROM updated
  ON CONFLICT DO NOTHING RETURNING id),
a0 AS (INSERT INTO audit_entries (booking_id, actor, from_status, to_status, at)
  SELECT :r_id, 'system', :r_status, 'confirmed', now() FROM updated),
o0 AS (INSERT INTO outbox_messages
    (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at)
  SELECT 'erp.booking_confirmed', 'booking_confirmed:' || :r_id::text || ':' || :e::text, :r_id, '{}'::json,
    'pending', 0, now(), now() FROM updated ON CONFLICT DO NOTHING),
o1 AS (INSERT INTO outbox_messages
    (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at)
  SELECT 'odoo.booking_paid', 'odoo.booking_paid:' || :r_id::text || ':' || :e::text, :r_id,
    ('{"at": "' || now()::text || '"}')::json, 'pending', 0, now(), now() FROM updated ON CONFLICT DO NOTHING),
o2 AS (INSERT INTO outbox_messages
    (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at)
  SELECT 'email.booking_confirmed', 'email.booking_confirmed:' || :r_id::text || ':' || :e::text, :r_id,
    '{}'::json, 'pending', 0, now(), now() FROM updated ON CONFLICT DO NOTHING),
o3 AS (INSERT INTO outbox_messages
    (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at)
  SELECT 'sms.booking_confirmed', 'sms.booking_confirmed:' || :r_id::text || ':' || :e::text, :r_id,
    '{}'::json, 'pending', 0, now(), now() FROM updated ON CONFLICT DO NOTHING),
l0 AS (INSERT INTO payment_ledger
    (provider, provider_ref, kind, amount_cents, currency, booking_id, extension_id, payment_ref, occurred_at)
  SELECT 'stripe', 'pi_pgbench_' || :client_id::text || '_' || :e::text, 'charge', 8500, 'EUR', :r_id, NULL,
    'pi_pgbench_' || :client_id::text || '_' || :e::text, now() FROM updated ON CONFLICT DO NOTHING)
SELECT (SELECT count(*) FROM updated) AS updated, (SELECT count(*) FROM recorded) AS recorded;
