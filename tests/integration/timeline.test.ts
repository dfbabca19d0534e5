/**
 * Issue 13's timeline, each app's part through the real stack: a booking whose first ticket email
 * failed tells, from booking and delivery, the hold, the payment with its provider ids, and the
 * failed then the successful email attempt, each at its own recorded time with the error and one
 * correlation id; an order tells its saga steps; search finds them; unknown ids are empty, bad ones 400.
 * Fulfillment's part is the console's alone: asked through a sidecar with the console's app id; the
 * gateway answers 404.
 */
import { randomUUID } from 'node:crypto';
import type { TimelinePart, TimelineSearchAnswer } from '@holdfast/shared';
import { eventually, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { resetProviders, setChaos } from '../support/providers-client';
import { book, createShow, seatIds, startDeliveryWorld, type DeliveryWorld } from '../support/delivery-fixtures';
import { startConsoleSidecar, type ConsoleSidecar } from '../support/console-sidecar';

let world: DeliveryWorld;
let fulfillment: AppStack;
let consoleSidecar: ConsoleSidecar;

beforeAll(async () => {
  [world, fulfillment] = await Promise.all([
    startDeliveryWorld('timeline', { deliveryEnv: { EMAIL_RETRY_MAX_SECONDS: '1' } }),
    startFulfillmentStack({ logName: 'timeline-fulfillment', env: { AUTO_APPROVE_MAX_AMOUNT: '100', LABEL_POLL_SECONDS: '0.5' } }),
  ]);
  consoleSidecar = await startConsoleSidecar('timeline-console');
});
afterAll(async () => Promise.all([world?.stop(), fulfillment?.stop(), consoleSidecar?.stop()]));
beforeEach(() => resetProviders());

const manager = () => ({ authorization: `Bearer ${fulfillment.run.managerApiToken}` });
/** Fulfillment's timeline, as the console asks for it. */
const fulfillmentTimeline = <T = unknown>(path: string, headers?: Record<string, string>) => consoleSidecar.invoke<T>('fulfillment', 'GET', path, undefined, headers);

describe('timeline endpoints', () => {
  it('when a booking\'s first email failed, then booking and delivery tell the hold, the payment, the failed and the successful attempt, each at its own time, with one correlation id', async () => {
    // Every email fails until the ticket email has failed once (the hold's request-received email
    // may take a first failure too); then the provider answers and the ticket email's retry goes.
    await setChaos({ 'email.send': { outcomes: { '500': 1 } } });
    const showId = await createShow(world, `Timeline ${Date.now()}`, 1);
    const [confirmed] = await book(world, showId, [seatIds(0, 1)]);
    const bookingId = confirmed!.bookingId;
    const timeline = async () => (await world.delivery.invoke<TimelinePart>('GET', `/api/admin/timeline/bookings/${bookingId}`, undefined, world.admin)).body;
    const ticketAttempts = (part: TimelinePart) => part.events.filter((e) => e.kind === 'email.attempt' && e.links?.some((l) => l.label === 'confirmed email'));
    await eventually(timeline, (part) => ticketAttempts(part).length >= 1, 60_000, 250);
    await setChaos({ 'email.send': { outcomes: { ok: 1 } } });

    const delivery = await eventually(timeline, (part) => ticketAttempts(part).some((e) => e.status === 'SENT'), 60_000, 500);
    const attempts = ticketAttempts(delivery);
    // Each attempt one by one: failures (the retry may have run once more before the provider recovered), then the one that went.
    expect(attempts.map((e) => [e.attempt, e.status])).toEqual(attempts.map((_, i) => [i + 1, i === attempts.length - 1 ? 'SENT' : 'TRANSIENT']));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0]!.error).toEqual(expect.stringContaining('500'));
    expect(attempts.at(-1)!.providerId).toMatch(/^sg_/);
    expect(attempts.map((e) => Date.parse(e.at))).toEqual([...attempts.map((e) => Date.parse(e.at))].sort((x, y) => x - y));
    expect(Date.parse(attempts[0]!.at)).toBeLessThan(Date.parse(attempts.at(-1)!.at));

    const booking = await world.booking.invoke<TimelinePart>('GET', `/api/admin/timeline/bookings/${bookingId}`, undefined, world.admin);
    expect(booking.status).toBe(200);
    const kinds = booking.body.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['hold.placed', 'booking.confirmed', 'payment.captured', 'outbox.event']));
    const held = booking.body.events.find((e) => e.kind === 'hold.placed')!;
    const paid = booking.body.events.find((e) => e.kind === 'payment.captured')!;
    expect(paid.providerId).toEqual(expect.any(String));
    expect(Date.parse(held.at)).toBeLessThanOrEqual(Date.parse(paid.at));
    expect(Date.parse(paid.at)).toBeLessThanOrEqual(Date.parse(attempts[0]!.at));
    // Sorted by time, and the whole story under the confirmation's correlation id.
    expect(booking.body.events.map((e) => Date.parse(e.at))).toEqual([...booking.body.events.map((e) => Date.parse(e.at))].sort((a, b) => a - b));
    const correlation = booking.body.events.find((e) => e.kind === 'booking.confirmed')!.correlationId;
    expect(correlation).toEqual(expect.any(String));
    expect(new Set(attempts.map((e) => e.correlationId))).toEqual(new Set([correlation]));
    expect(booking.body.related).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'show', id: showId })]));

    // Search: the booking id, the customer's email and the correlation id find it in both apps.
    for (const q of [bookingId, 'customer0@example.com', correlation!]) {
      const found = await world.booking.invoke<TimelineSearchAnswer>('GET', `/api/admin/timeline/search?q=${encodeURIComponent(q)}`, undefined, world.admin);
      expect([q, found.body.matches.some((m) => m.kind === 'booking' && m.id === bookingId)]).toEqual([q, true]);
      const inDelivery = await world.delivery.invoke<TimelineSearchAnswer>('GET', `/api/admin/timeline/search?q=${encodeURIComponent(q)}`, undefined, world.admin);
      expect([q, inDelivery.body.matches.some((m) => m.id === bookingId)]).toEqual([q, true]);
    }
  }, 120_000);

  it('when an order shipped, then fulfillment tells its creation and each saga step at its recorded time with provider ids; search finds it', async () => {
    const orderId = `ord-${randomUUID()}`;
    const placed = await fulfillment.invoke('POST', '/workflows/order', {
      orderId, customerId: 'cust-tl', items: [{ sku: 'BOOK-1', quantity: 1, price: 5 }], totalAmount: 5,
      shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'timeline@example.com',
    });
    expect(placed.status).toBe(202);
    const shipped = await eventually(async () => (await fulfillment.invoke<{ status: string; completedSteps: Array<{ name: string }> }>('GET', `/workflows/${orderId}/status`)).body, (o) => o.status === 'shipped', 60_000);
    const part = await fulfillmentTimeline<TimelinePart>(`/api/admin/timeline/orders/${orderId}`, manager());
    expect(part.status).toBe(200);
    expect(part.body.events[0]).toMatchObject({ kind: 'order.created', app: 'fulfillment' });
    const steps = part.body.events.filter((e) => e.kind === 'saga.step');
    // One event per completed step, in the saga's order: exactly the steps the status answer lists.
    expect(steps.map((e) => /^Step (\S+) completed/.exec(e.summary)?.[1])).toEqual(shipped.completedSteps.map((step) => step.name));
    expect(steps.some((e) => e.providerId)).toBe(true);
    expect(part.body.events.at(-1)).toMatchObject({ kind: 'order.shipped', status: 'SHIPPED' });
    expect((await fulfillmentTimeline<TimelineSearchAnswer>(`/api/admin/timeline/search?q=${orderId}`, manager())).body.matches).toEqual([expect.objectContaining({ kind: 'order', id: orderId })]);
    expect((await fulfillmentTimeline(`/api/admin/timeline/orders/${orderId}`)).status).toBe(401);
    // Not a client's: through the gateway, with the manager token, no such route.
    expect(await fulfillment.invoke('GET', `/api/admin/timeline/orders/${orderId}`, undefined, manager())).toMatchObject({ status: 404, body: { code: 'ROUTE_NOT_FOUND' } });
  }, 120_000);

  it('when an id is unknown, then 200 with no events; when malformed, then 400 VALIDATION_FAILED; without the token, 401', async () => {
    const unknown = randomUUID();
    for (const app of [world.booking, world.delivery]) {
      expect(await app.invoke('GET', `/api/admin/timeline/bookings/${unknown}`, undefined, world.admin)).toMatchObject({ status: 200, body: { events: [], related: [] } });
      expect((await app.invoke<{ code: string }>('GET', '/api/admin/timeline/bookings/not-a-uuid', undefined, world.admin)).body.code).toBe('VALIDATION_FAILED');
      expect((await app.invoke('GET', `/api/admin/timeline/bookings/${unknown}`)).status).toBe(401);
    }
    expect(await fulfillmentTimeline('/api/admin/timeline/orders/ord-unknown', manager())).toMatchObject({ status: 200, body: { events: [], related: [] } });
    expect((await fulfillmentTimeline<{ code: string }>('/api/admin/timeline/search', manager())).body.code).toBe('VALIDATION_FAILED');
  }, 60_000);
});
