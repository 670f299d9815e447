-- One Stripe `payment_intent.succeeded` as the hub's ingest writes it on PostgreSQL (the optimistic
-- way, ADR 0008; both statements run at driver level, ADR 0021): two statements, each on its own
-- without BEGIN/COMMIT, their text as the server sends them, each `$n` replaced by the value it binds
-- (a constant, the row read, now(), or a pgbench variable where it must differ per transaction).
--   1. whether the event is known, and the booking as it is (inbound_events.py `_seen_and_read`);
--   2. the booking's update at the version read, only while the event is unknown, with the event's
--      record, the payments ledger's charge, one audit row and the five outbox rows a confirmation
--      writes (one_statement.py `update_with_rows(..., event=True)`: erp, odoo, email, sms and the
--      reminders' plan).
-- Captured with `.venv/bin/python bench/ingest_cpu.py --statements` (each statement and its arguments);
-- capture again after changing either statement. The outbox keys carry the transaction's :e besides
-- the booking, so that a booking drawn twice still inserts its rows (as each event of the hub does).
-- Run by bench/webhooks.py against a copy of its seeded database (bookings with ids 1..:bookings,
-- as uuids): pgbench -n -M prepared -c C -T D -D bookings=N -f bench/pgbench/payment_event.sql DB
\set k random(1, :bookings)
\set e random(1, 1000000000000)
SELECT EXISTS (SELECT inbound_events.id 
FROM inbound_events 
WHERE inbound_events.provider = 'stripe'::VARCHAR AND inbound_events.event_id = ('evt_pgbench_' || :client_id::text || '_' || :e::text)::VARCHAR) AS seen, booking.id, booking.offering_id, booking.customer_id, booking.status, booking.payment_status, booking.amount_cents, booking.currency, booking.start_at, booking.end_at, booking.block_end, booking.resource_id, booking.capacity, booking.hold_expires_at, booking.notes, booking.intake, booking.refs, booking.dispatch, booking.token_hash, booking.version, booking.created_at, booking.updated_at, booking.sessions_total, booking.sessions_used, booking.sessions_valid_days, booking.valid_until, booking.package_id 
FROM (SELECT 1::INTEGER AS one) AS one LEFT OUTER JOIN LATERAL (SELECT bookings.id AS id, bookings.offering_id AS offering_id, bookings.customer_id AS customer_id, bookings.status AS status, bookings.payment_status AS payment_status, bookings.amount_cents AS amount_cents, bookings.currency AS currency, bookings.start_at AS start_at, bookings.end_at AS end_at, bookings.block_end AS block_end, bookings.resource_id AS resource_id, bookings.capacity AS capacity, bookings.hold_expires_at AS hold_expires_at, bookings.notes AS notes, bookings.intake AS intake, bookings.refs AS refs, bookings.dispatch AS dispatch, bookings.token_hash AS token_hash, bookings.version AS version, bookings.created_at AS created_at, bookings.updated_at AS updated_at, bookings.sessions_total AS sessions_total, bookings.sessions_used AS sessions_used, bookings.sessions_valid_days AS sessions_valid_days, bookings.valid_until AS valid_until, bookings.package_id AS package_id 
FROM bookings 
WHERE bookings.id = lpad(to_hex(:k::bigint), 32, '0')::UUID) AS booking ON true
\gset r_
WITH updated AS (
            UPDATE bookings SET status = 'confirmed'::VARCHAR, payment_status = 'paid'::VARCHAR, start_at = :r_start_at::TIMESTAMP WITH TIME ZONE, end_at = :r_end_at::TIMESTAMP WITH TIME ZONE, block_end = :r_block_end::TIMESTAMP WITH TIME ZONE, resource_id = :r_resource_id::VARCHAR, hold_expires_at = NULL::TIMESTAMP WITH TIME ZONE, notes = NULL::VARCHAR, intake = '{}'::JSON, refs = ('{"payment_provider": "stripe", "stripe_payment_intent": "pi_pgbench_' || :client_id::text || '_' || :e::text || '"}')::JSON, dispatch = 'null'::JSON, sessions_used = NULL::INTEGER, valid_until = NULL::TIMESTAMP WITH TIME ZONE, version = (:r_version + 2)::INTEGER, updated_at = now()::TIMESTAMP WITH TIME ZONE
            WHERE id = :r_id::UUID AND version = :r_version::INTEGER AND NOT EXISTS (
                SELECT 1 FROM inbound_events WHERE provider = 'stripe'::VARCHAR AND event_id = ('evt_pgbench_' || :client_id::text || '_' || :e::text)::VARCHAR) RETURNING id),
recorded AS (
            INSERT INTO inbound_events (provider, event_id, event_type, received_at, booking_id)
            SELECT 'stripe'::VARCHAR, ('evt_pgbench_' || :client_id::text || '_' || :e::text)::VARCHAR, 'payment_intent.succeeded'::VARCHAR, now()::TIMESTAMP WITH TIME ZONE, :r_id::UUID FROM updated
            ON CONFLICT DO NOTHING RETURNING id),
l0 AS (INSERT INTO payment_ledger (provider, provider_ref, kind, amount_cents, currency, booking_id, extension_id, payment_ref, occurred_at) SELECT 'stripe'::VARCHAR, ('pi_pgbench_' || :client_id::text || '_' || :e::text)::VARCHAR, 'charge'::VARCHAR, 8500::INTEGER, 'EUR'::VARCHAR, :r_id::UUID, NULL::UUID, ('pi_pgbench_' || :client_id::text || '_' || :e::text)::VARCHAR, now()::TIMESTAMP WITH TIME ZONE FROM updated ON CONFLICT DO NOTHING),
a0 AS (INSERT INTO audit_entries (booking_id, actor, from_status, to_status, at, action, detail) SELECT :r_id::UUID, 'system'::VARCHAR, :r_status::VARCHAR, 'confirmed'::VARCHAR, now()::TIMESTAMP WITH TIME ZONE, NULL::VARCHAR, NULL::VARCHAR FROM updated),
o0 AS (INSERT INTO outbox_messages (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at) SELECT 'erp.booking_confirmed'::VARCHAR, ('booking_confirmed:' || :r_id::text || ':' || 'v1:' || :e::text)::VARCHAR, :r_id::UUID, '{}'::JSON, 'pending'::VARCHAR, 0::INTEGER, now()::TIMESTAMP WITH TIME ZONE, now()::TIMESTAMP WITH TIME ZONE FROM updated ON CONFLICT DO NOTHING),
o1 AS (INSERT INTO outbox_messages (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at) SELECT 'odoo.booking_paid'::VARCHAR, ('odoo.booking_paid:' || :r_id::text || ':' || :e::text)::VARCHAR, :r_id::UUID, ('{"at": "' || now()::text || '"}')::JSON, 'pending'::VARCHAR, 0::INTEGER, now()::TIMESTAMP WITH TIME ZONE, now()::TIMESTAMP WITH TIME ZONE FROM updated ON CONFLICT DO NOTHING),
o2 AS (INSERT INTO outbox_messages (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at) SELECT 'email.booking_confirmed'::VARCHAR, ('email.booking_confirmed:' || :r_id::text || ':' || :e::text)::VARCHAR, :r_id::UUID, '{}'::JSON, 'pending'::VARCHAR, 0::INTEGER, now()::TIMESTAMP WITH TIME ZONE, now()::TIMESTAMP WITH TIME ZONE FROM updated ON CONFLICT DO NOTHING),
o3 AS (INSERT INTO outbox_messages (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at) SELECT 'sms.booking_confirmed'::VARCHAR, ('sms.booking_confirmed:' || :r_id::text || ':' || :e::text)::VARCHAR, :r_id::UUID, '{}'::JSON, 'pending'::VARCHAR, 0::INTEGER, now()::TIMESTAMP WITH TIME ZONE, now()::TIMESTAMP WITH TIME ZONE FROM updated ON CONFLICT DO NOTHING),
o4 AS (INSERT INTO outbox_messages (topic, idempotency_key, booking_id, payload, state, attempts, next_attempt_at, created_at) SELECT 'reminders.plan'::VARCHAR, ('reminders.plan:' || :r_id::text || ':' || :r_start_at::text || ':' || :e::text)::VARCHAR, :r_id::UUID, ('{"start": "' || :r_start_at::text || '", "at": "' || now()::text || '"}')::JSON, 'pending'::VARCHAR, 0::INTEGER, now()::TIMESTAMP WITH TIME ZONE, now()::TIMESTAMP WITH TIME ZONE FROM updated ON CONFLICT DO NOTHING)
SELECT (SELECT count(*) FROM updated) AS updated, (SELECT count(*) FROM recorded) AS recorded;
