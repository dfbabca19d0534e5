-- Issue 15: a hold becomes a booking in one round trip (it was a transaction of about ten
-- statements, each through Prisma's query compiler). Hand-written: schema.prisma cannot say it.
-- confirm_booking takes the booking as JSON (p) and, in the caller's single statement:
--   - answers {"existing": true} when the hold already has a booking (the caller reads it),
--   - answers {"showCancelled": true} when the show is cancelled (its row read FOR SHARE: an
--     admin's cancellation, FOR UPDATE, either sees this booking or came first),
--   - else writes the booking, its seats, its payment (a card's, or a box office's with its audit
--     line), its concession order and kitchen event if any, turns the hold's claims SOLD (all of
--     them, or nothing is written), marks the hold CONFIRMED, writes booking.confirmed (event-carried
--     state: the delivery app writes the ticket email from it alone) and the audit line, and answers
--     the booking's view.
CREATE FUNCTION confirm_booking(p jsonb) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $body$
DECLARE
  v_booking uuid := (p->>'bookingId')::uuid;
  v_hold uuid := (p->>'holdId')::uuid;
  v_show_id uuid := (p->>'showId')::uuid;
  v_show record;
  v_claimed int;
  v_view jsonb;
  v_tickets jsonb;
BEGIN
  IF EXISTS (SELECT 1 FROM bookings WHERE hold_id = v_hold) THEN
    RETURN jsonb_build_object('existing', true);
  END IF;
  SELECT s.status::text AS status, s.title, s.starts_at, s.venue_id, v.name AS venue INTO v_show
    FROM shows s JOIN venues v ON v.id = s.venue_id WHERE s.id = v_show_id FOR SHARE OF s;
  IF v_show.status = 'CANCELLED' THEN
    RETURN jsonb_build_object('showCancelled', true);
  END IF;

  INSERT INTO bookings (id, hold_id, show_id, customer_id, customer_email, customer_phone, status, idempotency_key, amount, currency)
  VALUES (v_booking, v_hold, v_show_id, p->>'customerId', p->>'customerEmail', p->>'customerPhone', 'CONFIRMED', p->>'idempotencyKey', (p->>'amount')::int, p->>'currency');
  INSERT INTO booking_seats (id, booking_id, show_id, seat_id, price, qr_payload)
  SELECT gen_random_uuid(), v_booking, v_show_id, s."seatId", s.price, s."qrPayload"
  FROM jsonb_to_recordset(p->'seats') AS s("seatId" text, price int, "qrPayload" text);
  IF p->'payment' ? 'offline' THEN
    INSERT INTO payments (id, booking_id, method, recorded_by, reference, amount, currency, status)
    VALUES ((p->'payment'->'offline'->>'paymentId')::uuid, v_booking, (p->'payment'->'offline'->>'paymentMethod')::"PaymentMethod",
            p->'payment'->'offline'->>'recordedBy', p->'payment'->'offline'->>'reference', (p->>'amount')::int, p->>'currency', 'CAPTURED');
  ELSE
    INSERT INTO payments (id, booking_id, authorization_id, capture_id, amount, currency, status)
    VALUES (gen_random_uuid(), v_booking, p->'payment'->>'authorizationId', p->'payment'->>'captureId', (p->>'amount')::int, p->>'currency', 'CAPTURED');
  END IF;
  IF p ? 'concessions' THEN
    INSERT INTO concession_orders (id, booking_id, show_id, items, amount, prep_at, updated_at)
    VALUES ((p->'concessions'->>'orderId')::uuid, v_booking, v_show_id, p->'concessions'->'lines', (p->'concessions'->>'total')::int, (p->'concessions'->>'prepAt')::timestamptz, now());
    INSERT INTO outbox_events (id, aggregate_id, type, payload, correlation_id)
    VALUES (gen_random_uuid(), v_booking::text, 'kitchen.prep.scheduled',
            jsonb_build_object('bookingId', v_booking, 'concessionOrderId', p->'concessions'->'orderId', 'prepAt', p->'concessions'->'prepAt', 'items', p->'concessions'->'lines'),
            p->>'correlationId');
  END IF;

  UPDATE seat_claims SET kind = 'SOLD' WHERE hold_id = v_hold AND kind = 'HELD';
  GET DIAGNOSTICS v_claimed = ROW_COUNT;
  IF v_claimed <> jsonb_array_length(p->'seats') THEN
    RAISE EXCEPTION 'hold % claims % seats, the booking has %', v_hold, v_claimed, jsonb_array_length(p->'seats');
  END IF;
  UPDATE holds SET status = 'CONFIRMED', updated_at = now() WHERE id = v_hold;

  SELECT jsonb_agg(jsonb_build_object('seatId', bs.seat_id, 'qrPayload', bs.qr_payload, 'seatLabel', coalesce(se.label, bs.seat_id)) ORDER BY bs.seat_id) INTO v_tickets
    FROM booking_seats bs LEFT JOIN seats se ON se.venue_id = v_show.venue_id AND se.id = bs.seat_id WHERE bs.booking_id = v_booking;
  v_view := jsonb_build_object(
    'bookingId', v_booking, 'holdId', v_hold, 'showId', v_show_id, 'status', 'CONFIRMED', 'amount', (p->>'amount')::int, 'currency', p->>'currency',
    'seats', (SELECT jsonb_agg(t->'seatId') FROM jsonb_array_elements(v_tickets) AS t),
    'tickets', (SELECT jsonb_agg(jsonb_build_object('seatId', t->'seatId', 'qrPayload', t->'qrPayload')) FROM jsonb_array_elements(v_tickets) AS t));
  INSERT INTO outbox_events (id, aggregate_id, type, payload, correlation_id)
  VALUES (gen_random_uuid(), v_booking::text, 'booking.confirmed',
          v_view || jsonb_build_object('customerEmail', p->>'customerEmail', 'customerPhone', p->'customerPhone', 'tickets', v_tickets,
            'show', jsonb_build_object('title', v_show.title, 'startsAt', to_char(v_show.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'venue', v_show.venue)),
          p->>'correlationId');
  INSERT INTO audit_log (entity, entity_id, action, to_state, correlation_id, data)
  VALUES ('booking', v_booking::text, 'confirmed', 'CONFIRMED', p->>'correlationId', jsonb_build_object('holdId', v_hold, 'amount', (p->>'amount')::int));
  IF p->'payment' ? 'offline' THEN
    INSERT INTO audit_log (entity, entity_id, action, to_state, correlation_id, data)
    VALUES ('payment', p->'payment'->'offline'->>'paymentId', 'offline-recorded', 'CAPTURED', p->>'correlationId',
            jsonb_build_object('bookingId', v_booking, 'holdId', v_hold, 'method', p->'payment'->'offline'->>'method', 'amount', (p->>'amount')::int,
                               'currency', p->>'currency', 'recordedBy', p->'payment'->'offline'->>'recordedBy', 'reference', p->'payment'->'offline'->'reference'));
  END IF;
  RETURN jsonb_build_object('existing', false, 'view', v_view);
END
$body$;
