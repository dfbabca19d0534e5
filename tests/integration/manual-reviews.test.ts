/**
 * Booking's manual reviews for the admin console (issue 13): a cancellation whose refund the
 * provider refused leaves a real REFUND review; the console lists it, a retry that fails again
 * leaves it open (502), a retry that is paid resolves it once (audited, payment refunded), and a
 * second resolution is a 409. Calls naming the actor in X-Holdfast-Actor come as the console's do,
 * through a sidecar with the console's app id: the apps honour that header from the console alone.
 */
import { Client } from 'pg';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';
import { recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { book, createShow, seatIds, type DeliveryWorld } from '../support/delivery-fixtures';
import { startConsoleSidecar, type ConsoleSidecar } from '../support/console-sidecar';

let booking: AppStack;
let db: Client;
let world: DeliveryWorld;
let consoleSidecar: ConsoleSidecar;
const admin = () => ({ authorization: `Bearer ${booking.run.adminApiToken}` });

interface Review { id: string; bookingId: string | null; kind: string; status: string; reason: string; resolvedAt: string | null; resolvedBy: string | null; resolution: string | null; refundId?: string }

beforeAll(async () => {
  booking = await startBookingStack({ logName: 'manual-reviews-booking' });
  consoleSidecar = await startConsoleSidecar('manual-reviews-console');
  db = new Client({ connectionString: booking.run.databaseUrl });
  await db.connect();
  // The fixtures need only the booking app and the admin header.
  world = { booking, delivery: booking, db, admin: admin(), stop: async () => undefined };
});
afterAll(async () => {
  await db?.end();
  await booking?.stop();
  await consoleSidecar?.stop();
});
beforeEach(() => resetProviders());

async function refusedRefundReview(seat: number): Promise<{ bookingId: string; review: Review }> {
  const showId = await createShow(world, `Reviews ${Date.now()}-${seat}`, 1);
  const [confirmed] = await book(world, showId, [seatIds(seat, 1)]);
  const bookingId = confirmed!.bookingId;
  await setChaos({ 'payment.refund': { outcomes: { '400': 1 } } });
  expect((await booking.invoke('POST', `/api/bookings/${bookingId}/cancel`)).status).toBe(202);
  await eventually(async () => (await booking.invoke<{ status: string }>('GET', `/api/bookings/${bookingId}`)).body.status, (s) => s === 'CANCELLED', 60_000);
  const listed = await booking.invoke<{ reviews: Review[]; nextCursor: string | null }>('GET', '/api/admin/manual-reviews?status=OPEN&kind=REFUND&limit=500', undefined, admin());
  expect(listed.status).toBe(200);
  const review = listed.body.reviews.find((r) => r.bookingId === bookingId);
  expect(review).toMatchObject({ kind: 'REFUND', status: 'OPEN', resolvedAt: null, resolvedBy: null, resolution: null });
  return { bookingId, review: review! };
}

describe('booking manual reviews (admin console)', () => {
  it('when listed without the admin token, then 401; a bad status is 400; an unknown review is 404', async () => {
    expect((await booking.invoke('GET', '/api/admin/manual-reviews')).status).toBe(401);
    expect((await booking.invoke<{ code: string }>('GET', '/api/admin/manual-reviews?status=DONE', undefined, admin())).body.code).toBe('VALIDATION_FAILED');
    const missing = await booking.invoke<{ code: string }>('POST', '/api/admin/manual-reviews/00000000-0000-4000-8000-000000000000/resolve', { resolution: 'x' }, admin());
    expect(missing).toMatchObject({ status: 404, body: { code: 'REVIEW_NOT_FOUND' } });
  });

  it('when a refused cancellation refund is retried while the provider still refuses, then 502 and it stays open; retried once it pays, then resolved by the actor, refunded once, and a second resolve is 409', async () => {
    const { bookingId, review } = await refusedRefundReview(0);
    const failed = await consoleSidecar.invoke<{ code: string }>('booking', 'POST', `/api/admin/manual-reviews/${review.id}/resolve`, { resolution: 'refund retried', retry: true }, { ...admin(), 'x-holdfast-actor': 'Alice Admin' });
    expect(failed).toMatchObject({ status: 502, body: { code: 'REFUND_FAILED' } });
    expect((await db.query('SELECT status FROM manual_reviews WHERE id = $1', [review.id])).rows).toEqual([{ status: 'OPEN' }]);

    await setChaos({ 'payment.refund': { outcomes: { ok: 1 } } });
    const resolved = await consoleSidecar.invoke<Review>('booking', 'POST', `/api/admin/manual-reviews/${review.id}/resolve`, { resolution: 'refund retried', retry: true }, { ...admin(), 'x-holdfast-actor': 'Alice Admin' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: review.id, status: 'RESOLVED', resolvedBy: 'Alice Admin', resolution: 'refund retried', refundId: expect.any(String) });
    const paid = (await recordedCalls({ domain: 'payment', operation: 'refund', idempotencyKey: `booking-${bookingId}-refund` })).filter((c) => c.outcome === 'ok');
    expect(paid).toHaveLength(1);
    expect((await db.query('SELECT status, refund_id FROM payments WHERE booking_id = $1', [bookingId])).rows).toEqual([{ status: 'REFUNDED', refund_id: resolved.body.refundId }]);
    const audit = await db.query("SELECT action, data->>'resolvedBy' AS by FROM audit_log WHERE entity = 'manual-review' AND entity_id = $1", [review.id]);
    expect(audit.rows).toEqual([{ action: 'resolved', by: 'Alice Admin' }]);

    const again = await booking.invoke<{ code: string }>('POST', `/api/admin/manual-reviews/${review.id}/resolve`, { resolution: 'again' }, admin());
    expect(again).toMatchObject({ status: 409, body: { code: 'REVIEW_ALREADY_RESOLVED' } });
    const listed = await booking.invoke<{ reviews: Review[] }>('GET', '/api/admin/manual-reviews?status=RESOLVED&limit=500', undefined, admin());
    expect(listed.body.reviews.find((r) => r.id === review.id)).toMatchObject({ status: 'RESOLVED', resolvedBy: 'Alice Admin' });
  }, 180_000);

  it('when resolved without a retry, then nothing is paid; an actor header that is no name is 400 ACTOR_INVALID', async () => {
    const { bookingId, review } = await refusedRefundReview(1);
    const bad = await consoleSidecar.invoke<{ code: string }>('booking', 'POST', `/api/admin/manual-reviews/${review.id}/resolve`, { resolution: 'paid by hand' }, { ...admin(), 'x-holdfast-actor': '<script>' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'ACTOR_INVALID' } });
    const refundsBefore = (await recordedCalls({ domain: 'payment', operation: 'refund', idempotencyKey: `booking-${bookingId}-refund` })).length;
    const resolved = await booking.invoke<Review>('POST', `/api/admin/manual-reviews/${review.id}/resolve`, { resolution: 'paid by hand' }, admin());
    expect(resolved.body).toMatchObject({ status: 'RESOLVED', resolvedBy: 'admin-api-token', resolution: 'paid by hand' });
    expect((await recordedCalls({ domain: 'payment', operation: 'refund', idempotencyKey: `booking-${bookingId}-refund` })).length).toBe(refundsBefore);
  }, 180_000);
});
