/**
 * The apps record the admin console's signed-in user (issue 13): on a request the console invoked
 * (dapr-caller-app-id admin: here a sidecar alone with the console's app id) with a valid admin or
 * manager bearer token, X-Holdfast-Actor names who approved an order and who cancelled a show when
 * the body names no one; a body's own name still wins; without a valid token the header opens
 * nothing; through the gateway, even with the admin or manager token, the header is ignored.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, startBookingStack, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { resetProviders } from '../support/providers-client';
import { createShow, type DeliveryWorld } from '../support/delivery-fixtures';
import { startConsoleSidecar, type ConsoleSidecar } from '../support/console-sidecar';

let booking: AppStack;
let fulfillment: AppStack;
let db: Client;
let consoleSidecar: ConsoleSidecar;

beforeAll(async () => {
  [booking, fulfillment] = await Promise.all([
    startBookingStack({ logName: 'admin-actor-booking' }),
    startFulfillmentStack({ logName: 'admin-actor-fulfillment', env: { AUTO_APPROVE_MAX_AMOUNT: '0', LABEL_POLL_SECONDS: '0.5' } }),
  ]);
  consoleSidecar = await startConsoleSidecar('admin-actor-console');
  db = new Client({ connectionString: booking.run.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await Promise.all([booking?.stop(), fulfillment?.stop(), consoleSidecar?.stop()]);
});
beforeEach(() => resetProviders());

const manager = () => ({ authorization: `Bearer ${fulfillment.run.managerApiToken}` });
const admin = () => ({ authorization: `Bearer ${booking.run.adminApiToken}` });
/** As the console calls: through a sidecar whose app id is `admin`. */
const viaConsole = <T = unknown>(app: 'booking' | 'fulfillment', method: string, path: string, body?: unknown, headers?: Record<string, string>) => consoleSidecar.invoke<T>(app, method, path, body, headers);

async function orderAwaitingApproval(): Promise<string> {
  const orderId = `ord-${randomUUID()}`;
  const placed = await fulfillment.invoke('POST', '/workflows/order', {
    orderId, customerId: 'cust-actor', items: [{ sku: 'BOOK-1', quantity: 1, price: 50 }], totalAmount: 50,
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'actor@example.com',
  });
  expect(placed.status).toBe(202);
  await eventually(async () => (await fulfillment.invoke<{ status: string }>('GET', `/workflows/${orderId}/status`)).body.status, (s) => s === 'awaiting_approval', 45_000);
  return orderId;
}

describe('the console\'s actor header', () => {
  it('when a manager token approves with X-Holdfast-Actor and no approvedBy, then the order records that name, and approvalDueAt was served while it waited', async () => {
    const orderId = await orderAwaitingApproval();
    const waiting = await fulfillment.invoke<{ approvalDueAt: string | null; createdAt: string }>('GET', `/workflows/${orderId}/status`);
    // The default APPROVAL_TIMEOUT_SECONDS (120 s) after the wait began, which is after the order was created.
    expect(Date.parse(waiting.body.approvalDueAt!)).toBeGreaterThanOrEqual(Date.parse(waiting.body.createdAt) + 120_000);
    const search = await fulfillment.invoke<{ orders: Array<{ orderId: string; approvalDueAt: string | null }> }>('GET', `/workflows?orderId=${orderId}`, undefined, manager());
    expect(search.body.orders).toEqual([expect.objectContaining({ orderId, approvalDueAt: waiting.body.approvalDueAt })]);

    const approved = await viaConsole<{ approvedBy: string }>('fulfillment', 'POST', `/workflows/${orderId}/approve`, undefined, { ...manager(), 'x-holdfast-actor': 'Maria Manager' });
    expect(approved).toMatchObject({ status: 202, body: { approvedBy: 'Maria Manager' } });
    const after = await eventually(async () => (await fulfillment.invoke<{ status: string; approvedBy: string; approvalDueAt: string | null; decidedBy: unknown }>('GET', `/workflows/${orderId}/status`)).body, (o) => o.status !== 'awaiting_approval', 30_000);
    expect(after).toMatchObject({ approvedBy: 'Maria Manager', approvalDueAt: null, decidedBy: { kind: 'manager', id: 'manager', action: 'approve', actor: 'Maria Manager' } });
  }, 120_000);

  it('when the body names the approver, then the body wins over the header; a header that is no name is 400', async () => {
    const orderId = await orderAwaitingApproval();
    expect((await viaConsole<{ code: string }>('fulfillment', 'POST', `/workflows/${orderId}/approve`, {}, { ...manager(), 'x-holdfast-actor': 'bad\tname' })).body.code).toBe('ACTOR_INVALID');
    const approved = await viaConsole<{ approvedBy: string }>('fulfillment', 'POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, { ...manager(), 'x-holdfast-actor': 'Maria Manager' });
    expect(approved).toMatchObject({ status: 202, body: { approvedBy: 'manager-7' } });
  }, 120_000);

  it('when an admin cancels a show with X-Holdfast-Actor, then the show and its audit line name who; without the admin token the header opens nothing', async () => {
    const world = { booking, admin: admin() } as unknown as DeliveryWorld;
    const showId = await createShow(world, `Actor ${Date.now()}`, 1);
    expect((await viaConsole('booking', 'POST', `/api/admin/shows/${showId}/cancel`, { reason: 'storm' }, { 'x-holdfast-actor': 'Alice Admin' })).status).toBe(401);
    const cancelled = await viaConsole<{ cancelledBy: string }>('booking', 'POST', `/api/admin/shows/${showId}/cancel`, { reason: 'storm' }, { ...admin(), 'x-holdfast-actor': 'Alice Admin' });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED', cancelledBy: 'Alice Admin' } });
    const audit = await db.query("SELECT data->>'cancelledBy' AS by FROM audit_log WHERE entity = 'show' AND entity_id = $1 AND action = 'cancelled'", [showId]);
    expect(audit.rows).toEqual([{ by: 'Alice Admin' }]);
    const created = await db.query("SELECT data->>'createdBy' AS by FROM audit_log WHERE entity = 'show' AND entity_id = $1 AND action = 'created'", [showId]);
    expect(created.rows).toEqual([{ by: null }]);
    const again = await viaConsole<{ cancelledBy: string }>('booking', 'POST', `/api/admin/shows/${showId}/cancel`, { reason: 'storm' }, { ...admin(), 'x-holdfast-actor': 'Bob Admin' });
    expect(again.body.cancelledBy).toBe('Alice Admin');
  }, 120_000);

  it('when the header comes through the gateway with the admin or manager token, then it is ignored: the token\'s own name (or none) is recorded, and a header that is no name is no 400', async () => {
    const world = { booking, admin: admin() } as unknown as DeliveryWorld;
    const showId = await createShow(world, `Actor gateway ${Date.now()}`, 1);
    const cancelled = await booking.invoke<{ status: string; cancelledBy?: string }>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'storm' }, { ...admin(), 'x-holdfast-actor': 'Mallory' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelledBy).toBeUndefined();
    const audit = await db.query("SELECT data->>'cancelledBy' AS by FROM audit_log WHERE entity = 'show' AND entity_id = $1 AND action = 'cancelled'", [showId]);
    expect(audit.rows).toEqual([{ by: null }]);

    const orderId = await orderAwaitingApproval();
    const approved = await fulfillment.invoke<{ approvedBy: string }>('POST', `/workflows/${orderId}/approve`, undefined, { ...manager(), 'x-holdfast-actor': 'bad\tname Mallory' });
    expect(approved).toMatchObject({ status: 202, body: { approvedBy: 'manager' } });
    const after = await eventually(async () => (await fulfillment.invoke<{ status: string; approvedBy: string; decidedBy: unknown }>('GET', `/workflows/${orderId}/status`)).body, (o) => o.status !== 'awaiting_approval', 30_000);
    expect(after).toMatchObject({ approvedBy: 'manager', decidedBy: { kind: 'manager', id: 'manager', action: 'approve' } });
    expect(after.decidedBy).not.toHaveProperty('actor');
  }, 120_000);

  it('when the console names a client route (place an order, pay one, place a hold), then its invocation is a 404: it reaches only its exact routes', async () => {
    const order = await viaConsole<{ code: string }>('fulfillment', 'POST', '/workflows/order', { orderId: 'ord-x' }, manager());
    expect(order).toMatchObject({ status: 404, body: { code: 'ROUTE_NOT_FOUND' } });
    expect((await viaConsole<{ code: string }>('fulfillment', 'POST', '/workflows/ord-x/pay', {}, manager())).status).toBe(404);
    expect((await viaConsole<{ code: string }>('booking', 'POST', `/api/shows/${randomUUID()}/holds`, {}, admin())).body.code).toBe('ROUTE_NOT_FOUND');
    expect((await viaConsole('booking', 'GET', '/api/shows', undefined, admin())).status).toBe(200);
  }, 60_000);
});
