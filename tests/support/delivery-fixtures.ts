/**
 * For the delivery tests: a booking stack and a delivery stack side by side, shows with many
 * seats, confirmed bookings made through the booking app's sidecar (holds paid with tok_visa),
 * and reads of what the delivery app recorded.
 */
import { Client } from 'pg';
import { startBookingStack, startDeliveryStack, type AppStack } from './app-stack';

export interface DeliveryWorld {
  booking: AppStack;
  delivery: AppStack;
  db: Client;
  admin: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDeliveryWorld(name: string, options: { deliveryEnv?: Record<string, string>; bookingEnv?: Record<string, string>; resourcesPath?: string } = {}): Promise<DeliveryWorld> {
  const [booking, delivery] = await Promise.all([
    startBookingStack({ logName: `${name}-booking`, env: options.bookingEnv }),
    startDeliveryStack({ logName: `${name}-delivery`, env: { EMAIL_RETRY_BASE_SECONDS: '1', ...options.deliveryEnv }, resourcesPath: options.resourcesPath }),
  ]);
  const db = new Client({ connectionString: booking.run.databaseUrl });
  await db.connect();
  const world: DeliveryWorld = {
    booking, delivery, db, admin: { authorization: `Bearer ${booking.run.adminApiToken}` },
    // A test may have swapped world.delivery for a restarted stack: stop whatever is there now.
    stop: async () => {
      await db.end();
      await Promise.all([world.booking.stop(), world.delivery.stop()]);
    },
  };
  return world;
}

/** The admin's request for a show tomorrow in a venue of `rows` rows of 50 seats (FLOOR-A-1 ...), 45.00 EUR a seat. */
export function showRequest(title: string, rows: number) {
  const labels = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.slice(0, rows).split('');
  return {
    title, startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: `${title} Hall`, sections: [{ name: 'Floor', zone: 'floor', rows: labels.map((label) => ({ label, seats: 50 })) }] },
    policy: { currency: 'EUR', zonePrices: { floor: 4500 }, maxSeatsPerHold: 10 },
  };
}

/** A show tomorrow in a venue of `rows` rows of 50 seats (FLOOR-A-1 ... ), 45.00 EUR a seat. */
export async function createShow(world: DeliveryWorld, title: string, rows = 6): Promise<string> {
  const created = await world.booking.invoke<{ showId: string }>('POST', '/api/admin/shows', showRequest(title, rows), world.admin);
  if (created.status !== 201) throw new Error(`creating the show: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.showId;
}

export interface ConfirmedBooking { bookingId: string; amount: number; tickets: Array<{ seatId: string; qrPayload: string }> }

/** Seat ids FLOOR-<row>-<n> for `count` seats from seat number `from` (0-based over the whole floor). */
export function seatIds(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const index = from + i;
    return `FLOOR-${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(index / 50)]}-${(index % 50) + 1}`;
  });
}

/** One confirmed booking per seat group, `concurrency` at a time. */
export async function book(world: DeliveryWorld, showId: string, groups: string[][], customer: { phone?: string } = {}, concurrency = 8): Promise<ConfirmedBooking[]> {
  const out: ConfirmedBooking[] = new Array(groups.length);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < groups.length) {
      const i = next++;
      const hold = await world.booking.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, {
        seatIds: groups[i], customerId: `cust-${i}`, customerEmail: `customer${i}@example.com`, ...(customer.phone ? { customerPhone: customer.phone } : {}),
      });
      if (hold.status !== 201) throw new Error(`hold: ${hold.status} ${JSON.stringify(hold.body)}`);
      const confirmed = await world.booking.invoke<ConfirmedBooking>('POST', `/api/holds/${hold.body.holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': `confirm-${hold.body.holdId}` });
      if (confirmed.status !== 201) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
      out[i] = confirmed.body;
    }
  }));
  return out;
}

export async function notificationsOf(world: DeliveryWorld, bookingIds: string[], topic: string) {
  const { rows } = await world.db.query<{ key: string; channel: string; status: string; attempts: number; provider_message_id: string | null; booking_id: string; last_error: string | null }>(
    'SELECT key, channel, status, attempts, provider_message_id, booking_id, last_error FROM notifications WHERE booking_id = ANY($1::uuid[]) AND topic = $2', [bookingIds, topic]);
  return rows;
}
