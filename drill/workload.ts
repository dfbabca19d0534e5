/**
 * The fault drill's workload (issue 16, item 1): clients and staff through the gateway, as the
 * design's clients would call it, drawn from a seed. Holds (some confirmed, some declined, some
 * released, some left to expire), customer cancellations of bookings, orders through the saga
 * (approved, rejected, cancelled, left to time out; the providers app keeps the design's chaos),
 * and show cancellations above and below the refund threshold, so tickets, SMS, emails and refunds
 * are in flight together. A client retries what failed on the way (a 5xx, a 429, no answer) with
 * the same idempotency key, as a careful client does; the checker judges what happened, not what
 * the client was told.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import seedrandom from 'seedrandom';
import type { Flow } from './recovery';

export interface WorkloadOptions {
  seed: string;
  gatewayUrl: string;
  clientToken: string;
  adminToken: string;
  managerToken: string;
  /** When the load stops (ms since the epoch): no new journey starts after it. */
  until: number;
  /** Journeys in flight at once. */
  concurrency?: number;
  /** Each success the client sees, stamped with its flow (for recovery times). */
  onSuccess: (flow: Flow) => void;
  log: (line: string) => void;
}

export interface WorkloadStats {
  requests: number;
  /** Answers by path template and status, e.g. "POST /api/shows/:id/holds 201". */
  answers: Record<string, number>;
  showsCancelled: number;
}

interface Answer<T> { status: number; body: T }

const SEATS_PER_ROW = 10;
const ROWS = ['A', 'B', 'C'];
const TRANSIENT = (status: number) => status === 0 || status === 429 || status >= 500;

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadStats> {
  const random = seedrandom(`holdfast-drill-load:${options.seed}`);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const stats: WorkloadStats = { requests: 0, answers: {}, showsCancelled: 0 };
  // Ids are drawn from the seed too, so two runs of one seed ask for the same things.
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };

  async function send<T>(app: string, method: string, path: string, template: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    stats.requests++;
    let status = 0;
    let parsed: unknown;
    try {
      const response = await fetch(`${options.gatewayUrl}/v1.0/invoke/${app}/method${path}`, {
        method, signal: AbortSignal.timeout(20_000),
        headers: { 'dapr-api-token': options.clientToken, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      status = response.status;
      const text = await response.text();
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
    } catch (error) {
      parsed = { error: error instanceof Error ? error.message : String(error) };
    }
    const key = `${method} ${template} ${status}`;
    stats.answers[key] = (stats.answers[key] ?? 0) + 1;
    return { status, body: parsed as T };
  }

  /** Retries a transient failure with the same request (and so the same idempotency key) for up to a minute. */
  async function retried<T>(app: string, method: string, path: string, template: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const deadline = Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      const answer = await send<T>(app, method, path, template, body, headers);
      if (!TRANSIENT(answer.status) || Date.now() > deadline) return answer;
      await sleep(Math.min(5_000, 500 * 2 ** attempt));
    }
  }

  const admin = { authorization: `Bearer ${options.adminToken}` };
  const manager = { authorization: `Bearer ${options.managerToken}` };

  interface Show { id: string; free: Set<string>; booked: number; cancelled: boolean; private?: boolean }
  const shows: Show[] = [];

  async function openShow(): Promise<Show> {
    const answer = await retried<{ showId: string }>('booking', 'POST', '/api/admin/shows', '/api/admin/shows', {
      title: `Drill ${shows.length + 1}`, startsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      venue: { name: 'Drill hall', sections: [{ name: 'M', zone: 'main', rows: ROWS.map((label) => ({ label, seats: SEATS_PER_ROW })) }] },
      policy: { zonePrices: { main: 1500 } },
    }, admin);
    if (answer.status !== 201) throw new Error(`drill: a show could not be created: ${answer.status} ${JSON.stringify(answer.body)}`);
    const seats = ROWS.flatMap((row) => Array.from({ length: SEATS_PER_ROW }, (_, i) => `M-${row}-${i + 1}`));
    const show: Show = { id: answer.body.showId, free: new Set(seats), booked: 0, cancelled: false };
    shows.push(show);
    return show;
  }

  /** A customer holds one or two seats, then confirms (or is declined), releases, or lets the hold expire; `only` books one show, confirmed. */
  async function bookingJourney(only?: Show): Promise<void> {
    const open = shows.filter((s) => !s.cancelled && !s.private && s.free.size >= 2);
    if (!only && open.length < 2) await openShow();
    const show = only ?? pick(shows.filter((s) => !s.cancelled && !s.private && s.free.size >= 2));
    const seats = [...show.free].sort(() => random() - 0.5).slice(0, chance(0.7) ? 1 : 2);
    for (const seat of seats) show.free.delete(seat);
    const customerId = `drill-${Math.floor(random() * 1_000_000)}`;
    const phone = chance(0.6) ? { customerPhone: `+4915${String(Math.floor(random() * 1e8)).padStart(8, '0')}` } : {};
    const ending = only ? 1 : random();
    const ttlSeconds = 8 + Math.floor(random() * 12);
    const holdKey = `drill-hold-${uuid()}`;
    const hold = await retried<{ holdId: string }>('booking', 'POST', `/api/shows/${show.id}/holds`, '/api/shows/:id/holds',
      { seatIds: seats, customerId, customerEmail: `${customerId}@example.com`, ttlSeconds, ...phone }, { 'idempotency-key': holdKey });
    if (hold.status !== 201) {
      for (const seat of seats) show.free.add(seat);
      return;
    }
    options.onSuccess('hold');
    const holdId = hold.body.holdId;
    if (ending < 0.15) {
      // Left to expire: the reminder releases it.
      await sleep(1_000 * ttlSeconds + 2_000);
      for (const seat of seats) show.free.add(seat);
      return;
    }
    await sleep(200 + random() * 2_000);
    if (ending < 0.3) {
      const released = await retried('booking', 'DELETE', `/api/holds/${holdId}`, '/api/holds/:id');
      if (released.status < 300) for (const seat of seats) show.free.add(seat);
      return;
    }
    const declined = ending < 0.4;
    const confirmed = await retried<{ bookingId?: string }>('booking', 'POST', `/api/holds/${holdId}/confirm`, '/api/holds/:id/confirm',
      { payment: { token: declined ? 'tok_chargeDeclined' : 'tok_visa' } }, { 'idempotency-key': `drill-confirm-${holdId}` });
    if (confirmed.status >= 300 || !confirmed.body.bookingId) return;
    options.onSuccess('confirm');
    show.booked++;
    if (!only && chance(0.25)) {
      await sleep(500 + random() * 5_000);
      const cancelled = await retried('booking', 'POST', `/api/bookings/${confirmed.body.bookingId}/cancel`, '/api/bookings/:id/cancel', {}, { 'x-customer-id': customerId });
      if (cancelled.status < 300) options.onSuccess('cancel');
    }
  }

  /** An order through the saga; a manager approves, rejects or never answers (the approval times out), or the customer cancels. */
  async function orderJourney(): Promise<void> {
    const orderId = `drill-${uuid()}`;
    const customerId = `drill-buyer-${Math.floor(random() * 1_000)}`;
    const total = 20 + Math.floor(random() * 80);
    const placed = await retried('fulfillment', 'POST', '/workflows/order', '/workflows/order', {
      orderId, customerId, customerEmail: `${customerId}@example.com`, totalAmount: total,
      items: [{ sku: 'DRILL-1', quantity: 1, price: total }],
      shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    });
    if (placed.status !== 202) return;
    options.onSuccess('order');
    const ending = random();
    await sleep(1_000 + random() * 6_000);
    if (ending < 0.45) await retried('fulfillment', 'POST', `/workflows/${orderId}/approve`, '/workflows/:id/approve', {}, manager);
    else if (ending < 0.6) await retried('fulfillment', 'POST', `/workflows/${orderId}/reject`, '/workflows/:id/reject', { reason: 'drill' }, manager);
    else if (ending < 0.75) await retried('fulfillment', 'POST', `/workflows/${orderId}/cancel`, '/workflows/:id/cancel', { customerId });
    // else: nobody decides; the approval timeout ends it.
  }

  /**
   * An admin cancels a show: above the refund threshold, the busiest show; below it, a show of its
   * own with two bookings made for it (no other journey books there, so it stays below).
   */
  async function cancelAShow(above: boolean): Promise<void> {
    let show = above ? shows.filter((s) => !s.cancelled && !s.private).sort((a, b) => b.booked - a.booked)[0] : undefined;
    if (!above) {
      show = await openShow();
      show.private = true;
      await Promise.all([bookingJourney(show), bookingJourney(show)]);
    }
    if (!show) return;
    show.cancelled = true;
    const answer = await retried('booking', 'POST', `/api/admin/shows/${show.id}/cancel`, '/api/admin/shows/:id/cancel', { reason: `drill (${above ? 'above' : 'below'} the threshold)` }, admin);
    if (answer.status < 300) stats.showsCancelled++;
    options.log(`drill: show ${show.id} cancelled with ${show.booked} bookings (${answer.status})`);
  }

  await openShow();
  await openShow();
  const concurrency = options.concurrency ?? 6;
  const started = Date.now();
  const span = options.until - started;
  // Two show cancellations at a third and two thirds of the run, one on each side of the threshold.
  const cancellations = [
    sleep(span / 3).then(() => cancelAShow(true)),
    sleep((2 * span) / 3).then(() => cancelAShow(false)),
  ];
  const worker = async () => {
    while (Date.now() < options.until) {
      try {
        if (chance(0.7)) await bookingJourney();
        else await orderJourney();
      } catch (error) {
        options.log(`drill: a journey failed on the client's side: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(1_000);
      }
    }
  };
  await Promise.all([...Array.from({ length: concurrency }, worker), ...cancellations]);
  return stats;
}

/** A fresh id for a drill run's report, when no seed was given. */
export const randomSeed = () => randomUUID().slice(0, 8);
