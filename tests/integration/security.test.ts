/**
 * The attacker holds the client credential (the gateway's API token) and tries, on every port a
 * client can reach, over HTTP and gRPC, what an outside probe found open: Dapr's actor, state,
 * secrets, publish, bindings, workflow, metadata and shutdown APIs; the apps' internal routes
 * through service invocation; a cheap place or confirm and a self-approval straight at the actors
 * and the workflow (as if an app's own sidecar token had leaked). Per sidecar, no secret outside
 * that app's list can be read. docs/security.md is the threat model these tests check.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, makeGenericClientConstructor, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import { DaprWorkflowClient } from '@dapr/dapr';
import { eventually, startBookingStack, startDeliveryStack, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { paymentCallsAbout, resetProviders } from '../support/providers-client';
import { TEST_DATA_DIR, TEST_LOG_DIR, TEST_PORTS } from '../support/test-env';
import { readConnections, ROOT, sidecarProcessEnv } from '../../scripts/devstack/env';
import { startSidecar, waitForSidecar } from '../../scripts/devstack/runtime';

let booking: AppStack;
let fulfillment: AppStack;
let delivery: AppStack;
let showId: string;
/** The delivery app's CLIENT_RATE_LIMIT_PER_SECOND in this stack. */
const RATE_LIMIT_PER_SECOND = 5;

const admin = () => ({ authorization: `Bearer ${booking.run.adminApiToken}` });
const manager = () => ({ authorization: `Bearer ${booking.run.managerApiToken}` });

async function http(url: string, method: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method, headers: { ...(token ? { 'dapr-api-token': token } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, text };
}

const Generic = makeGenericClientConstructor({}, 'Generic');
/** One unary gRPC call with an empty message (valid protobuf for any request type): the status code it ends with. */
function grpcCode(port: number, path: string, token: string): Promise<number> {
  const client = new Generic(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('dapr-api-token', token);
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), metadata, { deadline: Date.now() + 15_000 }, (error) => {
      client.close();
      resolve(error ? error.code : grpcStatus.OK);
    });
  });
}

/** Every family of Dapr's HTTP API but service invocation, as the probe tried them. */
function daprApiAttacks(holdId: string, orderId: string) {
  return [
    ['GET', '/v1.0/secrets/secretstore/bulk'],
    ['GET', '/v1.0/secrets/secretstore/PAYMENTS_WEBHOOK_SECRET'],
    ['GET', '/v1.0/secrets/secretstore/STATE_DATABASE_URL'],
    ['GET', '/v1.0/secrets/kubernetes/holdfast-secrets'],
    ['GET', '/v1.0/state/actorstate/anything'],
    ['POST', '/v1.0/state/actorstate', [{ key: 'k', value: 'v' }]],
    ['POST', '/v1.0/publish/pubsub/refund.requested', { bookingId: randomUUID() }],
    ['POST', '/v1.0/bindings/sms-gateway', { operation: 'post', data: { to: '+4915112345678', body: 'x' } }],
    ['POST', '/v1.0/bindings/refund-gateway', { operation: 'post', data: {} }],
    ['PUT', `/v1.0/actors/HoldActor/${holdId}/method/confirm`, { idempotencyKey: 'attacker-key-1', paymentToken: 'tok_visa', concessions: [] }],
    ['PUT', `/v1.0/actors/OrderActor/${orderId}/method/approve`, { approvedBy: 'not-a-manager' }],
    ['POST', `/v1.0/actors/OrderActor/${orderId}/reminders/approval-timeout`, { dueTime: '0s' }],
    ['POST', `/v1.0/workflows/dapr/${orderId}/raiseEvent/decision`, { outcome: 'approved', approvedBy: 'not-a-manager' }],
    ['POST', `/v1.0-beta1/workflows/dapr/${orderId}/raiseEvent/decision`, { outcome: 'approved', approvedBy: 'not-a-manager' }],
    ['POST', '/v1.0/workflows/dapr/OrderFulfillment/start', {}],
    ['GET', '/v1.0/metadata'],
    ['PUT', '/v1.0/metadata/attacker', 'x'],
    ['POST', '/v1.0/shutdown'],
    ['GET', '/v1.0/configuration/anything'],
    ['POST', '/v1.0-alpha1/lock/anything', { resourceId: 'r', lockOwner: 'o', expiryInSeconds: 5 }],
    ['POST', '/v1.0-alpha1/jobs/attacker', { schedule: '@every 1s', data: {} }],
    ['POST', '/v1.0-alpha1/conversation/anything/converse', { inputs: [] }],
  ] as Array<[string, string, unknown?]>;
}

/** gRPC methods of the same families (Dapr's runtime service and the workflow engine's). */
const GRPC_ATTACKS = [
  'GetSecret', 'GetBulkSecret', 'GetState', 'SaveState', 'ExecuteStateTransaction', 'PublishEvent', 'InvokeBinding',
  'InvokeActor', 'RegisterActorReminder', 'GetMetadata', 'SetMetadata', 'Shutdown', 'StartWorkflowBeta1', 'RaiseEventWorkflowBeta1',
  'TerminateWorkflowBeta1', 'GetConfiguration', 'TryLockAlpha1', 'ScheduleJobAlpha1', 'ConverseAlpha1',
].map((m) => `/dapr.proto.runtime.v1.Dapr/${m}`);

beforeAll(async () => {
  booking = await startBookingStack({ logName: 'security-booking' });
  fulfillment = await startFulfillmentStack({ logName: 'security-fulfillment', env: { AUTO_APPROVE_MAX_AMOUNT: '0' } });
  // The delivery app takes at most 5 requests a second from one client credential here (a test below).
  delivery = await startDeliveryStack({ logName: 'security-delivery', env: { CLIENT_RATE_LIMIT_PER_SECOND: String(RATE_LIMIT_PER_SECOND) } });
  const created = await booking.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: 'Probe night', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: 'Probe hall', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 20 }] }] },
    policy: { currency: 'EUR', zonePrices: { front: 9900 } },
  }, admin());
  expect(created.status).toBe(201);
  showId = created.body.showId;
}, 240_000);
afterAll(async () => {
  await delivery?.stop();
  await fulfillment?.stop();
  await booking?.stop();
});
beforeEach(() => resetProviders());

const placeHold = async (seatIds: string[]) => {
  const placed = await booking.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds, customerId: 'attacker', customerEmail: 'eve@example.com' });
  expect(placed.status).toBe(201);
  return placed.body.holdId;
};

async function orderAwaitingApproval(): Promise<string> {
  const orderId = `ord-${randomUUID()}`;
  const placed = await fulfillment.invoke('POST', '/workflows/order', {
    orderId, customerId: 'eve', items: [{ sku: 'BOOK-1', quantity: 1, price: 50 }], totalAmount: 50,
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'eve@example.com',
  });
  expect(placed.status).toBe(202);
  await eventually(async () => (await fulfillment.invoke<{ status: string }>('GET', `/workflows/${orderId}/status`)).body.status, (s) => s === 'awaiting_approval', 45_000);
  return orderId;
}
const orderStatus = async (orderId: string) => (await fulfillment.invoke<{ status: string; approvedBy: string | null }>('GET', `/workflows/${orderId}/status`)).body;

describe('the client credential on the gateway', () => {
  it('when it calls any Dapr HTTP API but service invocation, then the gateway refuses it (with or without a dapr-app-id header)', async () => {
    const holdId = await placeHold(['STALLS-A-1']);
    const orderId = `ord-${randomUUID()}`;
    for (const [method, path, body] of daprApiAttacks(holdId, orderId)) {
      for (const extra of [{}, { 'dapr-app-id': 'booking' }] as Array<Record<string, string>>) {
        const answer = await http(`${booking.run.gatewayUrl}${path}`, method, booking.run.clientApiToken, body, extra);
        // Without dapr-app-id the gateway knows no such API (404); with it, the request becomes an
        // invocation of that path on the app, which has no such route (404) or refuses the body (400).
        const refused = extra['dapr-app-id'] ? [400, 404].includes(answer.status) : answer.status === 404;
        expect({ method, path, extra, status: answer.status, refused }).toEqual({ method, path, extra, status: answer.status, refused: true });
        expect(answer.text).not.toContain(booking.run.paymentsWebhookSecret);
      }
    }
    // Nothing of it happened: the hold is still active.
    expect((await booking.invoke<{ status: string }>('GET', `/api/holds/${holdId}`)).body.status).toBe('ACTIVE');
  });

  it('when it calls any Dapr gRPC API but service invocation, then the gateway refuses it; InvokeService itself is served', async () => {
    for (const method of GRPC_ATTACKS) {
      const code = await grpcCode(booking.run.gatewayGrpcPort, method, booking.run.clientApiToken);
      expect({ method, refused: [grpcStatus.UNIMPLEMENTED, grpcStatus.PERMISSION_DENIED].includes(code) }).toEqual({ method, refused: true });
    }
    // The same empty message to InvokeService is refused for what it lacks (no app id), not for being forbidden.
    const invoke = await grpcCode(booking.run.gatewayGrpcPort, '/dapr.proto.runtime.v1.Dapr/InvokeService', booking.run.clientApiToken);
    expect([grpcStatus.UNIMPLEMENTED, grpcStatus.PERMISSION_DENIED, grpcStatus.UNAUTHENTICATED]).not.toContain(invoke);
  });

  it('when it drives the workflow engine over gRPC (raise an approval, start a saga), then nothing reaches the order', async () => {
    const orderId = await orderAwaitingApproval();
    const workflows = new DaprWorkflowClient({ daprHost: '127.0.0.1', daprPort: String(booking.run.gatewayGrpcPort), daprApiToken: booking.run.clientApiToken });
    try {
      await expect(workflows.raiseEvent(orderId, 'decision', { outcome: 'approved', approvedBy: 'not-a-manager' })).rejects.toThrow();
      await expect(workflows.scheduleNewWorkflow('OrderFulfillment', {}, `ord-${randomUUID()}`)).rejects.toThrow();
    } finally {
      await workflows.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await orderStatus(orderId)).status).toBe('awaiting_approval');
    await fulfillment.invoke('POST', `/workflows/${orderId}/cancel`, {}, manager());
  });

  it('when it invokes an app\'s internal routes (actors, Dapr callbacks, another address), then they do not exist for it', async () => {
    const holdId = await placeHold(['STALLS-A-2']);
    const gateway = booking.run.gatewayUrl;
    const attempts: Array<[string, string, Record<string, string>?]> = [
      ['PUT', `/v1.0/invoke/booking/method/actors/HoldActor/${holdId}/method/confirm`],
      ['PUT', `/v1.0/invoke/booking/method/actors/HoldActor/${holdId}/method/confirm`, { 'dapr-caller-app-id': 'booking' }],
      ['PUT', `/v1.0/invoke/booking/method/actors/HoldActor/${holdId}/method/release`],
      ['GET', '/v1.0/invoke/booking/method/dapr/config'],
      ['GET', '/v1.0/invoke/delivery/method/dapr/subscribe'],
      ['PUT', `/v1.0/invoke/fulfillment/method/actors/OrderActor/ord-x/method/approve`],
    ];
    for (const [method, path, headers] of attempts) {
      const body = method === 'GET' ? undefined : { idempotencyKey: 'attacker-key-2', paymentToken: 'tok_visa', concessions: [] };
      const answer = await http(`${gateway}${path}`, method, booking.run.clientApiToken, body, headers);
      expect({ path, refused: [403, 404].includes(answer.status) }).toEqual({ path, refused: true });
    }
    // A URL as the target would make the gateway call any address it can reach: refused.
    const providersAdmin = await http(`${gateway}/v1.0/invoke/${encodeURIComponent(booking.run.providersUrl)}/method/admin/calls`, 'GET', booking.run.clientApiToken);
    expect(providersAdmin.status).toBe(400);
    expect((await booking.invoke<{ status: string }>('GET', `/api/holds/${holdId}`)).body.status).toBe('ACTIVE');
    expect(await paymentCallsAbout({}, holdId)).toEqual([]);
  });

  it('when it sends a method invocation cannot carry, a NUL in the path or a body over the limit, then it gets a 4xx naming no address', async () => {
    const gateway = `${booking.run.gatewayUrl}/v1.0/invoke/booking/method`;
    const query = await http(`${gateway}/api/shows/${showId}/holds`, 'QUERY', booking.run.clientApiToken, { seatIds: ['STALLS-A-3'], customerId: 'eve', customerEmail: 'eve@example.com' });
    expect(query.status).toBe(405);
    const nul = await http(`${gateway}/api/shows/a%00b`, 'GET', booking.run.clientApiToken);
    expect(nul.status).toBe(400);
    const doubleEncoded = await http(`${gateway}/api/shows/a%2500b`, 'GET', booking.run.clientApiToken);
    expect(doubleEncoded.status).toBe(400);
    for (const size of [2 * 1024 * 1024, 5 * 1024 * 1024]) {
      const big = await http(`${gateway}/api/shows/${showId}/holds`, 'POST', booking.run.clientApiToken, JSON.stringify({ pad: 'x'.repeat(size) }));
      expect({ size, status: big.status }).toEqual({ size, status: 413 });
      expect(big.text).not.toMatch(/127\.0\.0\.1|localhost|:\d{4,5}\b/);
    }
    const seats = await booking.invoke<{ seats: Array<{ id: string; status: string }> }>('GET', `/api/shows/${showId}/seats`);
    expect(seats.body.seats.find((s) => s.id === 'STALLS-A-3')?.status).toBe('AVAILABLE');
  });

  it('when it is sent to an app\'s own sidecar, HTTP or gRPC, then that sidecar refuses it', async () => {
    for (const [appId, stack] of [['booking', booking], ['fulfillment', fulfillment], ['delivery', delivery]] as const) {
      expect((await http(`${stack.sidecarUrl}/v1.0/invoke/${appId}/method/healthz`, 'GET', booking.run.clientApiToken)).status).toBe(401);
      expect((await http(`${stack.sidecarUrl}/v1.0/secrets/secretstore/bulk`, 'GET', booking.run.clientApiToken)).status).toBe(401);
      expect(await grpcCode(stack.sidecarGrpcPort, '/dapr.proto.runtime.v1.Dapr/GetBulkSecret', booking.run.clientApiToken)).toBe(grpcStatus.UNAUTHENTICATED);
      expect(await grpcCode(stack.sidecarGrpcPort, '/dapr.proto.runtime.v1.Dapr/InvokeService', booking.run.clientApiToken)).toBe(grpcStatus.UNAUTHENTICATED);
    }
  });
});

describe('money and approvals, tried straight at the actors and the workflow', () => {
  it('when a caller hands HoldActor.place and confirm its own policy, zones and prices, then they are refused; intents alone are priced from our records', async () => {
    const holdId = randomUUID();
    const actor = (method: string, body: unknown) => booking.dapr<Record<string, unknown>>('PUT', `/v1.0/actors/HoldActor/${holdId}/method/${method}`, body);
    const cheapPlace = await actor('place', {
      showId, seatIds: ['STALLS-A-4', 'STALLS-A-5'], customerId: 'eve', customerEmail: 'eve@example.com', ttlSeconds: 300,
      policyVersion: 1, policyHash: 'recomputed', seats: [{ id: 'STALLS-A-4', zone: 'FREE', adjacentIds: [] }, { id: 'STALLS-A-5', zone: 'FREE', adjacentIds: [] }],
    });
    expect(cheapPlace.body).toMatchObject({ placed: false, reason: 'INVALID_COMMAND' });

    const place = await actor('place', { showId, seatIds: ['STALLS-A-4', 'STALLS-A-5'], customerId: 'eve', customerEmail: 'eve@example.com', ttlSeconds: 300 });
    expect(place.body).toMatchObject({ placed: true });
    const cheapConfirm = await actor('confirm', {
      idempotencyKey: 'attacker-key-3', paymentToken: 'tok_visa', policy: { currency: 'EUR', defaultPrice: 1, zonePrices: { FREE: 1 }, maxSeatsPerHold: 10 },
      policyVersion: 1, policyHash: 'recomputed', seats: [], concessions: { lines: [], total: 0, prepAt: new Date().toISOString() },
    });
    expect(cheapConfirm.body).toMatchObject({ confirmed: false, reason: 'INVALID_COMMAND' });
    expect(await paymentCallsAbout({}, holdId)).toEqual([]);

    const confirmed = await actor('confirm', { idempotencyKey: 'attacker-key-3', paymentToken: 'tok_visa', concessions: [] });
    expect(confirmed.body).toMatchObject({ confirmed: true, booking: { amount: 19_800 } });
    const authorized = (await paymentCallsAbout({ operation: 'authorize' }, holdId)).filter((c) => c.outcome === 'ok');
    expect(authorized.map((c) => (c.request as { amount: number }).amount)).toEqual([19_800]);
  });

  it('when a caller approves through the OrderActor or raises approvals and cancels into the saga itself, then the order waits on; a manager\'s approval through the route ships it', async () => {
    const orderId = await orderAwaitingApproval();
    const approve = await fulfillment.dapr<{ ok: boolean; reason?: string }>('PUT', `/v1.0/actors/OrderActor/${orderId}/method/approve`, { approvedBy: 'not-a-manager', issuedAt: new Date().toISOString(), signature: 'f'.repeat(64) });
    expect(approve.body).toMatchObject({ ok: false, reason: 'DECISION_NOT_SIGNED' });
    const cancel = await fulfillment.dapr<{ ok: boolean; reason?: string }>('PUT', `/v1.0/actors/OrderActor/${orderId}/method/cancel`);
    expect(cancel.body).toMatchObject({ ok: false, reason: 'DECISION_NOT_SIGNED' });
    for (const [name, payload] of [['decision', { outcome: 'approved', approvedBy: 'not-a-manager' }], ['cancel', { at: new Date().toISOString() }], ['decision', { outcome: 'rejected', reason: 'x', signature: 'f'.repeat(64) }]] as const) {
      const raised = await fulfillment.dapr('POST', `/v1.0/workflows/dapr/${orderId}/raiseEvent/${name}`, payload);
      expect(raised.status).toBe(202);
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await orderStatus(orderId)).status).toBe('awaiting_approval');

    const approved = await fulfillment.invoke('POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, manager());
    expect(approved.status).toBe(202);
    const shipped = await eventually(() => orderStatus(orderId), (o) => o.status === 'shipped', 60_000);
    expect(shipped.approvedBy).toBe('manager-7');
  });
});

describe('ids are capabilities, scoped to the customer the client names', () => {
  it('when a client names another customer (X-Customer-Id) on a change, then the hold, booking or order does not exist for it', async () => {
    const holdId = await placeHold(['STALLS-A-10', 'STALLS-A-11']);
    const as = (customerId: string) => ({ 'x-customer-id': customerId });
    expect(await booking.invoke('DELETE', `/api/holds/${holdId}`, undefined, as('mallory'))).toMatchObject({ status: 404, body: { code: 'HOLD_NOT_FOUND' } });
    expect(await booking.invoke('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } }, { ...as('mallory'), 'idempotency-key': randomUUID() })).toMatchObject({ status: 404, body: { code: 'HOLD_NOT_FOUND' } });
    expect(await paymentCallsAbout({}, holdId)).toEqual([]);
    const confirmed = await booking.invoke<{ bookingId: string }>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } }, { ...as('attacker'), 'idempotency-key': randomUUID() });
    expect(confirmed.status).toBe(201);
    expect(await booking.invoke('POST', `/api/bookings/${confirmed.body.bookingId}/cancel`, {}, as('mallory'))).toMatchObject({ status: 404, body: { code: 'BOOKING_NOT_FOUND' } });
    expect((await booking.invoke<{ status: string }>('GET', `/api/bookings/${confirmed.body.bookingId}`)).body.status).toBe('CONFIRMED');

    const released = await placeHold(['STALLS-A-12']);
    expect((await booking.invoke('DELETE', `/api/holds/${released}`, undefined, as('attacker'))).status).toBe(200);

    const orderId = `ord-${randomUUID()}`;
    await fulfillment.invoke('POST', '/workflows/order', {
      orderId, customerId: 'eve', items: [{ sku: 'BOOK-1', quantity: 1, price: 50 }], totalAmount: 50, downPayment: { amount: 10 },
      shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'eve@example.com',
    });
    expect(await fulfillment.invoke('POST', `/workflows/${orderId}/pay`, { paymentToken: 'tok_visa' }, as('mallory'))).toMatchObject({ status: 404, body: { code: 'ORDER_NOT_FOUND' } });
    await fulfillment.invoke('POST', `/workflows/${orderId}/cancel`, {}, manager());
  });
});

describe('no one client floods an app', () => {
  it('when the client credential sends more than CLIENT_RATE_LIMIT_PER_SECOND, then the rest get 429 with Retry-After through the gateway', async () => {
    const headers = { authorization: `Bearer ${delivery.run.adminApiToken}` };
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${delivery.run.gatewayUrl}/v1.0/invoke/delivery/method/api/monitoring/delivery`, { headers: { ...headers, 'dapr-api-token': delivery.run.clientApiToken } });
      await response.text();
      answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
    }
    // The limit in each one-second window: the twelve calls span one window or cross into a second.
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(RATE_LIMIT_PER_SECOND);
    expect(answers.filter((a) => a.status === 200).length).toBeLessThanOrEqual(2 * RATE_LIMIT_PER_SECOND);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const answer of limited) expect(answer.retryAfter).toBe('1');
    expect(answers.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);
    // Once the Retry-After it named has passed, the client is let through again (polled for three times that).
    const retryAfterMs = Number(limited[0]!.retryAfter) * 1000;
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
    await eventually(() => delivery.invoke('GET', '/api/monitoring/delivery', undefined, headers), (r) => r.status === 200, 3 * retryAfterMs, 100);
  });
});

describe('no one hoards a show', () => {
  it('when one customer holds seats in parallel, then no more than MAX_HELD_SEATS_PER_CUSTOMER (20) are held at once; a release makes room again', async () => {
    const created = await booking.invoke<{ showId: string }>('POST', '/api/admin/shows', {
      title: 'Drop night', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      venue: { name: 'Drop hall', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 40 }] }] },
      policy: { currency: 'EUR', zonePrices: { front: 5000 } },
    }, admin());
    const dropShow = created.body.showId;
    // Six holds of five seats each, all at once: four fit under the cap.
    const blocks = Array.from({ length: 6 }, (_, i) => Array.from({ length: 5 }, (__, n) => `STALLS-A-${i * 5 + n + 1}`));
    const attempts = await Promise.all(blocks.map((seatIds) =>
      booking.invoke<{ holdId?: string; code?: string; maxHeldSeats?: number }>('POST', `/api/shows/${dropShow}/holds`, { seatIds, customerId: 'hoarder', customerEmail: 'h@example.com' })));
    const placed = attempts.filter((a) => a.status === 201);
    expect(placed).toHaveLength(4);
    expect(attempts.filter((a) => a.status !== 201).map((a) => [a.status, a.body.code, a.body.maxHeldSeats])).toEqual([[409, 'CUSTOMER_HOLD_LIMIT', 20], [409, 'CUSTOMER_HOLD_LIMIT', 20]]);
    // Another customer is not affected; a released hold makes room for the first.
    expect((await booking.invoke('POST', `/api/shows/${dropShow}/holds`, { seatIds: ['STALLS-A-31'], customerId: 'someone-else', customerEmail: 's@example.com' })).status).toBe(201);
    expect((await booking.invoke('DELETE', `/api/holds/${placed[0]!.body.holdId}`)).status).toBe(200);
    expect((await booking.invoke('POST', `/api/shows/${dropShow}/holds`, { seatIds: ['STALLS-A-32', 'STALLS-A-33'], customerId: 'hoarder', customerEmail: 'h@example.com' })).status).toBe(201);
    // The refused placements left no seat held.
    const held = (await booking.invoke<{ seats: Array<{ id: string; status: string }> }>('GET', `/api/shows/${dropShow}/seats`)).body.seats.filter((s) => s.status !== 'AVAILABLE');
    expect(held).toHaveLength(15 + 1 + 2);
  });
});

describe('every port of ours, on loopback only', () => {
  /** Listening TCP sockets on `ports`, as `address:port` (from /proc/net/tcp and tcp6). */
  function listeners(ports: Set<number>): string[] {
    const found: string[] = [];
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
        const [, local, , state] = line.trim().split(/\s+/);
        if (state !== '0A' || !local) continue;
        const [address, portHex] = local.split(':');
        const port = parseInt(portHex!, 16);
        if (!ports.has(port)) continue;
        const loopback = address === '0100007F' || address === '00000000000000000000000001000000';
        found.push(`${loopback ? 'loopback' : address}:${port}`);
      }
    }
    return found;
  }

  it('when placement, scheduler, the gateway, the sidecars and the apps listen, then none of them listens beyond 127.0.0.1 (placement and scheduler health included)', () => {
    const ports = new Set(Object.values(TEST_PORTS).concat([booking.sidecarGrpcPort + 2, fulfillment.sidecarGrpcPort + 2, delivery.sidecarGrpcPort + 2]));
    const open = listeners(ports);
    expect(open.length).toBeGreaterThan(15);
    expect(open.filter((l) => !l.startsWith('loopback:'))).toEqual([]);
    expect(open).toEqual(expect.arrayContaining([`loopback:${TEST_PORTS.placementHealthz}`, `loopback:${TEST_PORTS.schedulerHealthz}`]));
  });
});

describe('secrets, per sidecar', () => {
  it('when each app reads through its own sidecar, then only the secrets on its list answer', async () => {
    const cases: Array<[AppStack, string[]]> = [[booking, ['PAYMENTS_WEBHOOK_SECRET']], [fulfillment, []], [delivery, []]];
    for (const [stack, allowed] of cases) {
      for (const name of ['PAYMENTS_WEBHOOK_SECRET', 'STATE_DATABASE_URL', 'REDIS_PASSWORD', 'TICKET_SIGNING_KEY']) {
        const answer = await stack.dapr('GET', `/v1.0/secrets/secretstore/${name}`);
        expect({ sidecar: stack.sidecarUrl, name, readable: answer.status === 200 }).toEqual({ sidecar: stack.sidecarUrl, name, readable: allowed.includes(name) });
      }
      const bulk = await stack.dapr<Record<string, unknown>>('GET', '/v1.0/secrets/secretstore/bulk');
      expect(Object.keys(bulk.body ?? {}).sort()).toEqual(allowed);
      expect((await stack.dapr('GET', '/v1.0/secrets/kubernetes/holdfast-secrets')).status).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('rotating the client credential', () => {
  it('when the gateway restarts with a new token, then the old one is refused and the new one invokes, with no app restarted', async () => {
    const connections = readConnections({ ...process.env, HOLDFAST_PG_DATABASE: 'holdfast_test' });
    const ports = { http: TEST_PORTS.gatewayDaprHttp + 10, grpc: TEST_PORTS.gatewayDaprGrpc + 10, metrics: TEST_PORTS.gatewayMetrics + 10 };
    const start = async (token: string) => {
      const gateway = startSidecar({
        appId: 'gateway', httpPort: ports.http, grpcPort: ports.grpc, metricsPort: ports.metrics,
        resourcesPath: join(ROOT, 'components'), configFilePath: join(ROOT, 'components', 'config-gateway.yaml'), runDir: TEST_DATA_DIR,
        env: sidecarProcessEnv(process.env, connections, { daprApiToken: token, appApiToken: '' }, booking.run.providersUrl, 'gateway'),
        output: join(TEST_LOG_DIR, 'security-rotated-gateway-dapr.log'),
      });
      await waitForSidecar(gateway, ports.http, token);
      return gateway;
    };
    const oldToken = randomUUID().replace(/-/g, '');
    const newToken = randomUUID().replace(/-/g, '');
    const first = await start(oldToken);
    const url = `http://127.0.0.1:${ports.http}/v1.0/invoke/booking/method/api/shows/${showId}`;
    expect((await http(url, 'GET', oldToken)).status).toBe(200);
    await first.stop();
    const second = await start(newToken);
    try {
      expect((await http(url, 'GET', oldToken)).status).toBe(401);
      expect((await http(url, 'GET', newToken)).status).toBe(200);
    } finally {
      await second.stop();
    }
  });
});
