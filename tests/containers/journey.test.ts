/**
 * The whole platform from the images as the chart deploys it, driven as a client drives it:
 * through the gateway sidecar with the client credential. A booking whose ticket email reaches
 * the providers app with its PDF, and an order through the fulfillment saga to shipped.
 */
import { PDFDocument } from 'pdf-lib';
import { bookSeat, createShow, resiliencyTimeoutMs, startWorld, ticketKey, type World } from '../support/containers/world';

/** The fulfillment knobs this file sets through the chart's fulfillment.env (as tests/integration/fulfillment-saga.test.ts does). */
const SAGA = { AUTO_APPROVE_MAX_AMOUNT: 10, LABEL_POLL_SECONDS: 0.5, PROVIDER_TIMEOUT_MS: 1500 };
/** The saga's six steps, each at most one provider timeout, and the label poll: three times that, and slack for a loaded machine. */
const SAGA_WAIT_MS = 3 * (6 * SAGA.PROVIDER_TIMEOUT_MS + SAGA.LABEL_POLL_SECONDS * 1000) + 30_000;

let world: World;

beforeAll(async () => {
  world = await startWorld('journey', ['gateway', 'providers', 'booking', 'fulfillment', 'delivery', 'admin'], {
    fulfillment: { env: Object.fromEntries(Object.entries(SAGA).map(([k, v]) => [k, String(v)])) },
  });
}, 900_000);
afterAll(() => world?.stop());

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`not reached after ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 500)}`);
}

describe('the platform in containers, as the chart deploys it', () => {
  it('when a client creates a show, holds a seat and confirms it through the gateway, then the ticket email reaches the providers app once, with its PDF', async () => {
    const showId = await createShow(world, 'Container Premiere', 1);
    const booking = await bookSeat(world, showId, 0);
    expect(booking.tickets).toHaveLength(1);

    // One delivery of the message takes at most the subscriber's timeout (the rendered Resiliency): three times that.
    const sends = await eventually(async () => (await world.providers.acceptedByKey('email', 'send')).get(ticketKey(booking.bookingId)) ?? [], (s) => s.length > 0, 3 * resiliencyTimeoutMs(world, 'subscriberCall'));
    expect(sends).toHaveLength(1);
    const mail = sends[0]!.request as { personalizations: Array<{ to: Array<{ email: string }> }>; subject: string; attachments: Array<{ type: string; filename: string; content: string }> };
    expect(mail.personalizations[0]!.to[0]!.email).toBe('customer0@example.com');
    expect(mail.subject).toBe('Your tickets for Container Premiere');
    const pdf = mail.attachments.find((a) => a.type === 'application/pdf');
    expect(pdf?.filename).toBe(`tickets-${booking.bookingId}.pdf`);
    expect((await PDFDocument.load(Buffer.from(pdf!.content, 'base64'))).getPageCount()).toBe(1);
  }, 600_000);

  it('when a client places an order above the auto-approval amount and a manager approves it, then the saga ships it, charged once', async () => {
    const orderId = `ord-containers-${Date.now()}`;
    const placed = await world.invoke<{ orderId: string }>('fulfillment', 'POST', '/workflows/order', {
      orderId, customerId: 'cust-42', items: [{ sku: 'BOOK-1', quantity: 2, price: 12.5 }, { sku: 'PEN-9', quantity: 1, price: 25 }], totalAmount: 50,
      shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'ada@example.com',
    });
    expect(placed.status).toBe(202);
    type Order = { status: string; finishedAt: string | null; approvedBy: string | null; steps: Array<{ step: string }> };
    const status = async () => (await world.invoke<Order>('fulfillment', 'GET', `/workflows/${orderId}/status`)).body;
    await eventually(status, (o) => o.status === 'awaiting_approval', SAGA_WAIT_MS);

    const approved = await world.invoke('fulfillment', 'POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, world.manager);
    expect(approved.status).toBe(202);
    const order = await eventually(status, (o) => ['shipped', 'rejected', 'failed', 'cancelled'].includes(o.status) && o.finishedAt !== null, SAGA_WAIT_MS);
    expect(order).toMatchObject({ status: 'shipped', approvedBy: 'manager-7' });
    expect(order.steps.map((s) => s.step)).toEqual(['authorize', 'approval', 'reserve', 'capture', 'label', 'notify']);
    const kinds = (await world.providers.resources(orderId)).map((r) => `${r.kind}:${r.status}`).sort();
    expect(kinds).toEqual(['authorization:captured', 'capture:captured', 'label:created', 'notification:sent', 'reservation:reserved']);
  }, 600_000);
});
