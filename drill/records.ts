/**
 * Reads what the drill's checker judges (drill/checker.ts): our tables, read as they are, and the
 * providers app's call and resource records (GET /admin/calls, GET /admin/resources). Read-only.
 */
import { Client } from 'pg';
import type { ActiveHoldSample, DrillRecords, ProviderCall, ProviderResource } from './checker';

export interface RecordSources {
  databaseUrl: string;
  /** The providers app the platform under drill calls (its admin routes are open on loopback). */
  providersUrl: string;
}

async function providers<T>(providersUrl: string, path: string): Promise<T> {
  const response = await fetch(`${providersUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The holds ACTIVE right now, with the database's clock as the moment seen (no skew with expires_at). */
export async function sampleActiveHolds(db: Client): Promise<ActiveHoldSample[]> {
  const { rows } = await db.query<{ id: string; expires_at: Date; seen_at: Date }>("SELECT id, expires_at, now() AS seen_at FROM holds WHERE status = 'ACTIVE'");
  return rows.map((r) => ({ holdId: r.id, expiresAt: r.expires_at, seenAt: r.seen_at }));
}

/** Everything the checker needs, read after the platform settled; `activeHoldSamples` are the runner's samples from the load. */
export async function readRecords(sources: RecordSources, activeHoldSamples: ActiveHoldSample[]): Promise<DrillRecords> {
  const db = new Client({ connectionString: sources.databaseUrl });
  await db.connect();
  try {
    const query = async <T extends Record<string, unknown>>(sql: string) => (await db.query<T>(sql)).rows;
    // One connection answers one query at a time: read them in turn.
    const bookings = await query<{ id: string; hold_id: string; show_id: string; status: DrillRecords['bookings'][number]['status']; customer_phone: string | null; paid_by_card: boolean }>(
      "SELECT b.id, b.hold_id, b.show_id, b.status, b.customer_phone, EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.method = 'CARD') AS paid_by_card FROM bookings b");
    const bookingSeats = await query<{ booking_id: string; show_id: string; seat_id: string; released_at: Date | null }>('SELECT booking_id, show_id, seat_id, released_at FROM booking_seats');
    const cancelledShows = await query<{ id: string }>("SELECT id FROM shows WHERE status = 'CANCELLED'");
    const notifications = await query<{ key: string; status: DrillRecords['notifications'][number]['status']; last_error: string | null }>('SELECT key, status, last_error FROM notifications');
    const refundJobs = await query<{ booking_id: string; refund_key: string; status: DrillRecords['refundJobs'][number]['status']; manual_review_id: string | null }>('SELECT booking_id, refund_key, status, manual_review_id FROM refund_jobs');
    const outbox = await query<{ id: string; type: string; aggregate_id: string; published_at: Date | null }>('SELECT id, type, aggregate_id, published_at FROM outbox_events');
    const deadLetters = await query<{ id: string; topic: string; status: DrillRecords['deadLetters'][number]['status']; manual_review_reason: string | null }>('SELECT id, topic, status, manual_review_reason FROM dead_letters');
    const orders = await query<{ id: string; status: string }>('SELECT id, status FROM orders');
    const finalSample = await sampleActiveHolds(db);
    const [{ calls }, { resources }] = await Promise.all([
      providers<{ calls: ProviderCall[] }>(sources.providersUrl, '/admin/calls'),
      providers<{ resources: ProviderResource[] }>(sources.providersUrl, '/admin/resources'),
    ]);
    return {
      bookings: bookings.map((b) => ({ id: b.id, holdId: b.hold_id, showId: b.show_id, status: b.status, customerPhone: b.customer_phone, paidByCard: b.paid_by_card })),
      bookingSeats: bookingSeats.map((s) => ({ bookingId: s.booking_id, showId: s.show_id, seatId: s.seat_id, releasedAt: s.released_at })),
      cancelledShowIds: cancelledShows.map((s) => s.id),
      notifications: notifications.map((n) => ({ key: n.key, status: n.status, lastError: n.last_error })),
      refundJobs: refundJobs.map((j) => ({ bookingId: j.booking_id, refundKey: j.refund_key, status: j.status, manualReviewId: j.manual_review_id })),
      outbox: outbox.map((e) => ({ id: e.id, type: e.type, aggregateId: e.aggregate_id, publishedAt: e.published_at })),
      deadLetters: deadLetters.map((d) => ({ id: d.id, topic: d.topic, status: d.status, manualReviewReason: d.manual_review_reason })),
      orders,
      providerCalls: calls.map((c) => ({ domain: c.domain, operation: c.operation, idempotencyKey: c.idempotencyKey, outcome: c.outcome, replayed: c.replayed })),
      providerResources: resources.map((r) => ({ id: r.id, kind: r.kind, status: r.status, reference: r.reference, ...(r.parentId ? { parentId: r.parentId } : {}) })),
      activeHoldSamples: [...activeHoldSamples, ...finalSample],
    };
  } finally {
    await db.end();
  }
}
