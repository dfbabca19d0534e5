/**
 * Ticket emails for the benchmarks, without the booking app's confirm path in the way: bookings
 * committed straight to PostgreSQL in the shape the booking app writes (booking, seat with its
 * ticket, payment, booking.confirmed outbox event, one transaction), so what is measured is the
 * outbox relay, Redis Streams, the delivery app and the email provider.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';

/** One booking as the booking app commits it: booking, seat with its ticket, payment, outbox event. Returns the booking id. */
export async function commitBooking(pool: Pool, showId: string, n: number): Promise<string> {
  const bookingId = randomUUID();
  const seatId = `FLOOR-A-${n}`;
  const qrPayload = `bench.${bookingId}.${seatId}`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`INSERT INTO bookings (id, hold_id, show_id, customer_id, customer_email, idempotency_key, amount, currency) VALUES ($1, $2, $3, 'bench', $4, $5, 4500, 'EUR')`,
      [bookingId, randomUUID(), showId, `bench${n}@example.com`, randomUUID()]);
    await client.query('INSERT INTO booking_seats (id, booking_id, show_id, seat_id, price, qr_payload) VALUES ($1, $2, $3, $4, 4500, $5)', [randomUUID(), bookingId, showId, seatId, qrPayload]);
    await client.query("INSERT INTO payments (id, booking_id, authorization_id, capture_id, amount, currency, status) VALUES ($1, $2, $3, $4, 4500, 'EUR', 'CAPTURED')", [randomUUID(), bookingId, `auth_${n}`, `cap_${n}`]);
    const payload = {
      bookingId, holdId: randomUUID(), showId, status: 'CONFIRMED', amount: 4500, currency: 'EUR', seats: [seatId], customerEmail: `bench${n}@example.com`, customerPhone: null,
      tickets: [{ seatId, seatLabel: `Floor A${n}`, qrPayload }], show: { title: 'Benchmark', startsAt: new Date(Date.now() + 86_400_000).toISOString(), venue: 'Bench Hall' },
    };
    await client.query("INSERT INTO outbox_events (id, aggregate_id, type, payload, correlation_id) VALUES ($1, $2, 'booking.confirmed', $3, $4)", [randomUUID(), bookingId, payload, randomUUID()]);
    await client.query('COMMIT');
    return bookingId;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Seat numbers across every round: a seat is sold once per show (booking_seats_sold_once). */
let seatsSold = 0;

/** `count` commits, `writers` at a time: a burst. */
export async function commitBookings(pool: Pool, showId: string, count: number, writers: number): Promise<string[]> {
  const ids: string[] = [];
  let left = count;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (left > 0) {
      left--;
      ids.push(await commitBooking(pool, showId, ++seatsSold));
    }
  }));
  return ids;
}

/** `count` commits at `perSecond`, each on schedule (a late writer does not make up by bursting). */
export async function commitPaced(pool: Pool, showId: string, count: number, perSecond: number, writers: number): Promise<string[]> {
  const started = Date.now();
  const ids: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < count) {
      const n = next++;
      const due = started + (n * 1000) / perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      ids.push(await commitBooking(pool, showId, ++seatsSold));
    }
  }));
  return ids;
}
