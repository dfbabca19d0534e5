-- Issue 15: a hold is placed without its HoldActor and recorded once, in PostgreSQL. The row now
-- keeps what only the actor's state kept: the quote (what a policy escalation diffs against) and
-- the name of the expiry reminder its placement registered (each placement attempt names its own,
-- so an attempt that fails removes only its own reminder).
-- AlterTable
ALTER TABLE "holds" ADD COLUMN "quote" JSONB,
ADD COLUMN "expiry_reminder" TEXT NOT NULL DEFAULT 'expire';

-- Hand-written (docs/migrations.md).
-- place_hold records a hold, its seat claims, its booking.hold.placed event and its audit line in
-- one statement, and answers what happened: INSERTED, HOLD_ID_TAKEN (a row has this id already),
-- SHOW_NOT_ON_SALE, TOO_LATE (its caller's deadline passed) or CUSTOMER_SEAT_CAP. A seat claimed
-- by another hold fails the statement with the claims' unique violation, so nothing is written.
-- The caller takes the (show, customer) advisory lock in the query that calls it: the function is
-- VOLATILE, so its query takes a snapshot of its own, after the lock was granted, and counts every
-- other hold of the customer that committed before.
CREATE FUNCTION place_hold(
  p_hold_id uuid, p_show_id uuid, p_customer_id text, p_customer_email text, p_customer_phone text,
  p_seat_ids text[], p_policy_version int, p_snapshot jsonb, p_quote jsonb, p_expires_at timestamptz,
  p_created_at timestamptz, p_place_by timestamptz, p_max_held_seats bigint, p_expiry_reminder text,
  p_placed_event jsonb, p_correlation_id text
) RETURNS text LANGUAGE sql VOLATILE AS $body$
  WITH taken AS (
    SELECT 1 FROM holds WHERE id = p_hold_id
  ), show AS (
    SELECT id FROM shows WHERE id = p_show_id AND status = 'SCHEDULED' FOR SHARE
  ), held AS (
    SELECT coalesce(sum(cardinality(seat_ids)), 0) AS seats FROM holds
    WHERE show_id = p_show_id AND customer_id = p_customer_id AND status = 'ACTIVE' AND expires_at > now()
  ), hold AS (
    INSERT INTO holds (id, show_id, customer_id, customer_email, customer_phone, seat_ids, status, policy_version, snapshot, quote, expiry_reminder, expires_at, created_at, updated_at)
    SELECT p_hold_id, show.id, p_customer_id, p_customer_email, p_customer_phone, p_seat_ids, 'ACTIVE'::"HoldStatus", p_policy_version, p_snapshot, p_quote, p_expiry_reminder, p_expires_at, p_created_at, now()
    FROM show, held
    WHERE NOT EXISTS (SELECT 1 FROM taken)
      AND held.seats + cardinality(p_seat_ids) <= p_max_held_seats
      AND clock_timestamp() < coalesce(p_place_by, 'infinity')
    RETURNING id, show_id
  ), claims AS (
    INSERT INTO seat_claims (show_id, seat_id, hold_id, kind)
    SELECT hold.show_id, seat, hold.id, 'HELD'::"SeatClaimKind" FROM hold, unnest(p_seat_ids) AS seat
  ), placed AS (
    INSERT INTO outbox_events (id, aggregate_id, type, payload, correlation_id)
    SELECT gen_random_uuid(), hold.id::text, 'booking.hold.placed', p_placed_event, p_correlation_id FROM hold
  ), audited AS (
    INSERT INTO audit_log (entity, entity_id, action, to_state, correlation_id, data)
    SELECT 'hold', hold.id::text, 'placed', 'ACTIVE', p_correlation_id, jsonb_build_object('showId', hold.show_id, 'seatIds', p_seat_ids) FROM hold
  )
  SELECT CASE
    WHEN EXISTS (SELECT 1 FROM hold) THEN 'INSERTED'
    WHEN EXISTS (SELECT 1 FROM taken) THEN 'HOLD_ID_TAKEN'
    WHEN NOT EXISTS (SELECT 1 FROM show) THEN 'SHOW_NOT_ON_SALE'
    WHEN clock_timestamp() >= coalesce(p_place_by, 'infinity') THEN 'TOO_LATE'
    ELSE 'CUSTOMER_SEAT_CAP'
  END
$body$;
