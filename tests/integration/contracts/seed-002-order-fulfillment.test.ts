/**
 * Seed 002 (order fulfillment with manager approval), driven as the document's client drives it:
 * through the gateway with the client credential (`stack.invoke`), its order input and paths copied
 * from the document, and a manager bearer token where security asks for more than the document
 * (approve, reject, search; a manager's cancel). docs/contracts.md's "Seed 002" rows name these tests.
 *
 * The approval timeout (the document's 2 minutes, APPROVAL_TIMEOUT_SECONDS=120 by default) is
 * shortened to 8 s by configuration; the orders that are approved are approved as soon as they wait.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eventually, startFulfillmentStack, type AppStack } from '../../support/app-stack';
import { resetProviders, setChaos } from '../../support/providers-client';

let stack: AppStack;
const APPROVAL_TIMEOUT_SECONDS = 8;
/** A manager with a token of their own (MANAGERS), named as the document's example names its approver. */
const PERSONAL_MANAGER = 'manager@company.com';
const personalToken = randomBytes(24).toString('hex');
/** This run's customers: searches stay within this run's orders. */
const run = randomUUID().slice(0, 8);

interface DocumentStep { name: string; status: string; timestamp: string; data: Record<string, unknown>; target?: string }
interface StatusAnswer {
  orderId: string; status: string; progress: number; currentStep: string | null;
  completedSteps: DocumentStep[]; compensations: DocumentStep[]; error: string | null;
  steps: Array<{ step: string; at: string; data?: Record<string, unknown> }>; step: string | null;
  totalAmount: number; approvedBy: string | null; rejectionReason: string | null; finishedAt: string | null; createdAt: string;
  cancelledBy: { kind: string; id: string } | null; decidedBy: { kind: string; id: string; action: string } | null;
}
interface Problem { code: string; detail?: string }

const DOCUMENT_STATUSES = ['awaiting_approval', 'approved', 'rejected', 'processing', 'shipped', 'failed', 'cancelled'];
const FINAL = ['shipped', 'rejected', 'failed', 'cancelled'];

/** The document's "Order Input", verbatim; a test changes only the ids it must (a fresh order each time). */
function documentOrder(overrides: { orderId?: string; customerId?: string } = {}) {
  return {
    orderId: overrides.orderId ?? 'ORD-123',
    customerId: overrides.customerId ?? 'CUST-456',
    items: [
      { sku: 'ITEM-001', quantity: 2, price: 29.99 },
      { sku: 'ITEM-002', quantity: 1, price: 49.99 },
    ],
    totalAmount: 109.97,
    shippingAddress: {
      street: '123 Main St',
      city: 'San Francisco',
      state: 'CA',
      zip: '94105',
      country: 'US',
    },
    customerEmail: 'customer@example.com',
  };
}
const freshOrder = (customerId = `CUST-456-${run}`) => documentOrder({ orderId: `ORD-123-${randomUUID().slice(0, 12)}`, customerId });

const manager = () => ({ authorization: `Bearer ${stack.run.managerApiToken}` });
const personalManager = () => ({ authorization: `Bearer ${personalToken}` });
const status = async (orderId: string) => (await stack.invoke<StatusAnswer>('GET', `/workflows/${orderId}/status`)).body;
const until = (orderId: string, accept: (o: StatusAnswer) => boolean, timeoutMs = 45_000) => eventually(() => status(orderId), accept, timeoutMs);
const finished = (orderId: string, timeoutMs?: number) => until(orderId, (o) => FINAL.includes(o.status) && o.finishedAt !== null, timeoutMs);

async function place(body: ReturnType<typeof documentOrder>): Promise<string> {
  const placed = await stack.invoke<{ orderId: string; instanceId: string; status: string }>('POST', '/workflows/order', body);
  expect(placed.status).toBe(202);
  expect(placed.body.orderId).toBe(body.orderId);
  return body.orderId;
}
const awaitingApproval = (orderId: string) => until(orderId, (o) => o.status === 'awaiting_approval');

beforeAll(async () => {
  stack = await startFulfillmentStack({
    logName: 'contract-seed-002',
    env: { APPROVAL_TIMEOUT_SECONDS: String(APPROVAL_TIMEOUT_SECONDS), LABEL_POLL_SECONDS: '0.5', PROVIDER_TIMEOUT_MS: '1500', MANAGERS: `${PERSONAL_MANAGER}=${personalToken}` },
  });
});
afterAll(() => stack?.stop());
// The providers answer every call with success unless a test pins an outcome (the document's chaos mix is the providers app's default elsewhere).
beforeEach(() => resetProviders());

describe('Data Models: Order Input and Workflow State', () => {
  it('when the document\'s order input is sent verbatim (ORD-123), then an order starts (202) and its status answers in the document\'s shape', async () => {
    const placed = await stack.invoke<{ orderId: string; instanceId: string; status: string }>('POST', '/workflows/order', documentOrder());
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ orderId: 'ORD-123', instanceId: 'ORD-123' });
    // The test database outlives a run: ORD-123 may be this run's or an earlier one's; either way it answers as the document says.
    const answer = await until('ORD-123', (o) => o.completedSteps.length > 0 || FINAL.includes(o.status));
    expect(DOCUMENT_STATUSES).toContain(answer.status);
    expect(answer).toEqual(expect.objectContaining({ progress: expect.any(Number), compensations: expect.any(Array) }));
    expect(answer.completedSteps[0]).toEqual({ name: 'payment_authorization', status: 'completed', timestamp: expect.any(String), data: expect.objectContaining({ authId: expect.any(String), amount: 109.97 }) });
  });

  it('when an order waits for its manager, then the answer is awaiting_approval at manager_approval, the authorization done with its authId, amounts decimal', async () => {
    const orderId = await place(freshOrder());
    const waiting = await awaitingApproval(orderId);
    expect(waiting).toMatchObject({ status: 'awaiting_approval', currentStep: 'manager_approval', error: null, compensations: [], totalAmount: 109.97 });
    expect(waiting.progress).toBeGreaterThan(0);
    expect(waiting.progress).toBeLessThan(100);
    expect(waiting.completedSteps).toEqual([{ name: 'payment_authorization', status: 'completed', timestamp: expect.any(String), data: { authId: expect.stringMatching(/.+/), amount: 109.97 } }]);
    expect(Number.isNaN(Date.parse(waiting.completedSteps[0]!.timestamp))).toBe(false);
    // The saga's own record, as before, under `steps` (minor units, its own names).
    expect(waiting.steps[0]).toMatchObject({ step: 'authorize', data: { authorizationId: waiting.completedSteps[0]!.data.authId, amount: 10997 } });
    expect(waiting.step).toBe('approval');
    await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager());
    await finished(orderId);
  });
});

describe('Signals: approveOrder, rejectOrder, cancelOrder', () => {
  it('when a manager approves with no body, then the authenticated manager is the approver and the order ships through the documented steps, progress 100', async () => {
    const orderId = await place(freshOrder());
    await awaitingApproval(orderId);
    const approved = await stack.invoke<{ approvedBy: string }>('POST', `/workflows/${orderId}/approve`, undefined, manager());
    expect(approved.status).toBe(202);
    expect(approved.body.approvedBy).toBe('manager');
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'shipped', progress: 100, currentStep: null, compensations: [], error: null, approvedBy: 'manager', decidedBy: { kind: 'manager', id: 'manager', action: 'approve' } });
    expect(order.completedSteps.map((s) => s.name)).toEqual(['payment_authorization', 'manager_approval', 'inventory_reservation', 'payment_capture', 'shipping_label', 'customer_notification']);
    expect(order.completedSteps.every((s) => s.status === 'completed' && !Number.isNaN(Date.parse(s.timestamp)))).toBe(true);
    const byName = Object.fromEntries(order.completedSteps.map((s) => [s.name, s.data]));
    expect(byName.payment_authorization).toEqual({ authId: expect.any(String), amount: 109.97 });
    expect(byName.manager_approval).toEqual({ approvedBy: 'manager' });
    expect(byName.payment_capture).toMatchObject({ amount: 109.97 });
  });

  it('when a manager with a token of their own approves with {}, then they are the approver; naming someone else with that token is a 403', async () => {
    const orderId = await place(freshOrder());
    await awaitingApproval(orderId);
    const impostor = await stack.invoke<Problem>('POST', `/workflows/${orderId}/approve`, { approvedBy: 'someone-else@company.com' }, personalManager());
    expect(impostor).toMatchObject({ status: 403, body: { code: 'APPROVER_MISMATCH' } });
    expect((await stack.invoke('POST', `/workflows/${orderId}/approve`, {}, personalManager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'shipped', approvedBy: PERSONAL_MANAGER, decidedBy: { kind: 'manager', id: PERSONAL_MANAGER, action: 'approve' } });
    expect(order.completedSteps.find((s) => s.name === 'manager_approval')?.data).toEqual({ approvedBy: PERSONAL_MANAGER });
  });

  it('when a manager rejects with no reason, then the order is rejected and the payment hold released (compensation shown)', async () => {
    const orderId = await place(freshOrder());
    await awaitingApproval(orderId);
    expect((await stack.invoke('POST', `/workflows/${orderId}/reject`, undefined, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'rejected', rejectionReason: 'no reason given', decidedBy: { kind: 'manager', id: 'manager', action: 'reject' } });
    expect(order.compensations).toEqual([expect.objectContaining({ name: 'releaseAuthorization', status: 'completed', timestamp: expect.any(String), target: order.completedSteps[0]!.data.authId })]);
  });

  it('when the order\'s customer cancels while it awaits approval (customerId in the body), then it is cancelled by the customer and the hold released', async () => {
    const body = freshOrder();
    const orderId = await place(body);
    await awaitingApproval(orderId);
    const cancelled = await stack.invoke<{ cancelledBy: unknown }>('POST', `/workflows/${orderId}/cancel`, { customerId: body.customerId });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.cancelledBy).toEqual({ kind: 'customer', id: body.customerId });
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'cancelled', cancelledBy: { kind: 'customer', id: body.customerId } });
    expect(order.compensations.map((c) => c.name)).toEqual(['releaseAuthorization']);
  });

  it('when another customer cancels, then it is a 403 with a code (body or X-Customer-Id), naming no customer is a 401, and the order goes on', async () => {
    const orderId = await place(freshOrder());
    await awaitingApproval(orderId);
    expect(await stack.invoke<Problem>('POST', `/workflows/${orderId}/cancel`, { customerId: 'CUST-999' })).toMatchObject({ status: 403, body: { code: 'CUSTOMER_MISMATCH' } });
    expect(await stack.invoke<Problem>('POST', `/workflows/${orderId}/cancel`, undefined, { 'x-customer-id': 'CUST-999' })).toMatchObject({ status: 403, body: { code: 'CUSTOMER_MISMATCH' } });
    expect(await stack.invoke<Problem>('POST', `/workflows/${orderId}/cancel`)).toMatchObject({ status: 401, body: { code: 'CANCEL_AUTH_REQUIRED' } });
    expect(await stack.invoke<Problem>('POST', `/workflows/${orderId}/cancel`, undefined, { authorization: 'Bearer not-a-manager-token' })).toMatchObject({ status: 401, body: { code: 'MANAGER_AUTH_REQUIRED' } });
    expect((await status(orderId)).status).toBe('awaiting_approval');
    expect((await stack.invoke('POST', `/workflows/${orderId}/approve`, undefined, manager())).status).toBe(202);
    expect((await finished(orderId)).status).toBe('shipped');
  });

  it('when the order\'s customer cancels while it is processing (X-Customer-Id), then everything done is undone and the order is cancelled by the customer', async () => {
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: 30_000 } });
    const body = freshOrder();
    const orderId = await place(body);
    await awaitingApproval(orderId);
    await stack.invoke('POST', `/workflows/${orderId}/approve`, undefined, manager());
    const processing = await until(orderId, (o) => o.currentStep === 'shipping_label' && o.completedSteps.some((s) => s.name === 'payment_capture'));
    expect(processing.status).toBe('processing');
    const cancelled = await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, { 'x-customer-id': body.customerId });
    expect(cancelled.status).toBe(202);
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'cancelled', cancelledBy: { kind: 'customer', id: body.customerId } });
    expect(order.compensations.map((c) => c.name)).toEqual(['cancelLabel', 'refundCapture', 'releaseReservation']);
  });

  it('when a manager cancels any order with the bearer token, then it is cancelled by that manager', async () => {
    const orderId = await place(freshOrder());
    await awaitingApproval(orderId);
    const cancelled = await stack.invoke<{ cancelledBy: unknown }>('POST', `/workflows/${orderId}/cancel`, undefined, manager());
    expect(cancelled).toMatchObject({ status: 202, body: { cancelledBy: { kind: 'manager', id: 'manager' } } });
    expect(await finished(orderId)).toMatchObject({ status: 'cancelled', cancelledBy: { kind: 'manager', id: 'manager' } });
  });
});

describe('Timeouts', () => {
  it(`when no manager decides within the approval timeout (the document's 2 minutes, here ${APPROVAL_TIMEOUT_SECONDS} s by APPROVAL_TIMEOUT_SECONDS), then the payment hold is released and the order fails`, async () => {
    const orderId = await place(freshOrder());
    const waiting = await awaitingApproval(orderId);
    const order = await finished(orderId, APPROVAL_TIMEOUT_SECONDS * 3 * 1000 + 15_000);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('approval timeout');
    expect(order.compensations.map((c) => c.name)).toEqual(['releaseAuthorization']);
    // Not before the timeout: it ran from the authorization (the wait began there); a tenth of it for the clocks.
    expect(Date.parse(order.finishedAt!) - Date.parse(waiting.completedSteps[0]!.timestamp)).toBeGreaterThanOrEqual(APPROVAL_TIMEOUT_SECONDS * 1000 * 0.9);
  });
});

describe('Search Attributes: orderId, customerId, orderStatus, totalAmount, createdAt', () => {
  it('when orders are searched by each documented attribute, then the read model answers (managers only)', async () => {
    const customerId = `CUST-search-${run}`;
    const shipped = await place(freshOrder(customerId));
    await awaitingApproval(shipped);
    await stack.invoke('POST', `/workflows/${shipped}/approve`, undefined, manager());
    const rejected = await place(freshOrder(customerId));
    await awaitingApproval(rejected);
    await stack.invoke('POST', `/workflows/${rejected}/reject`, undefined, manager());
    await finished(shipped);
    await finished(rejected);
    const search = async (query: string) => {
      const answer = await stack.invoke<{ orders: StatusAnswer[]; nextCursor: string | null }>('GET', `/workflows?${query}`, undefined, manager());
      expect(answer.status).toBe(200);
      return answer.body.orders.map((o) => o.orderId).sort();
    };
    const both = [shipped, rejected].sort();
    expect(await search(`orderId=${shipped}`)).toEqual([shipped]);
    expect(await search(`customerId=${customerId}`)).toEqual(both);
    expect(await search(`customerId=${customerId}&orderStatus=shipped`)).toEqual([shipped]);
    expect(await search(`customerId=${customerId}&orderStatus=rejected`)).toEqual([rejected]);
    expect(await search(`customerId=${customerId}&orderStatus=pending`)).toEqual([]);
    expect(await search(`customerId=${customerId}&totalAmount=109.97`)).toEqual(both);
    expect(await search(`customerId=${customerId}&totalAmount=109.98`)).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await search(`customerId=${customerId}&createdAt=${today}`)).toEqual(both);
    expect(await search(`customerId=${customerId}&createdAt=2000-01-01..2000-12-31`)).toEqual([]);
    expect(await search(`customerId=${customerId}&createdAt=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}..`)).toEqual(both);
    // The earlier parameters still work beside them.
    expect(await search(`customerId=${customerId}&status=shipped&minAmount=100&maxAmount=110`)).toEqual([shipped]);
    expect(await stack.invoke<Problem>('GET', `/workflows?customerId=${customerId}&createdAt=last-week`, undefined, manager())).toMatchObject({ status: 400, body: { code: 'INVALID_CREATED_AT' } });
    expect(await stack.invoke<Problem>('GET', `/workflows?orderId=${shipped}`)).toMatchObject({ status: 401, body: { code: 'MANAGER_AUTH_REQUIRED' } });
    // A manager's own token searches too.
    expect((await stack.invoke<{ orders: unknown[] }>('GET', `/workflows?orderId=${shipped}`, undefined, personalManager())).body.orders).toHaveLength(1);
  });
});
