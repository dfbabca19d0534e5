/**
 * The order-fulfillment saga through the fulfillment app's sidecar, against the providers app with
 * pinned outcomes: every row of the compensation table, then crashes, timeouts and cancellation.
 * After each, the providers' own records say what is still authorized, reserved or captured.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORDER_RETRY_POLICIES } from '../../apps/fulfillment/src/domain/order-duration';
import { TEST_LOG_DIR } from '../support/test-env';
import { eventually, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { providerResources, recordedCalls, resetProviders, setChaos, type ProviderResource } from '../support/providers-client';

let stack: AppStack;

interface OrderView {
  // The saga's own step records: `steps` and `step` (seed 002's completedSteps/currentStep carry the document's names; issue 12).
  orderId: string; instanceId: string; status: string; progress: number; step: string | null; error: string | null;
  steps: Array<{ step: string; at: string; data?: Record<string, unknown> }>;
  compensations: unknown[];
  compensationSteps: Array<{ step: string; target: string; at: string }>;
  approvedBy: string | null; rejectionReason: string | null; totalAmount: number; finishedAt: string | null; updatedAt: string;
}

const FINAL = ['shipped', 'rejected', 'failed', 'cancelled'];
const manager = () => ({ authorization: `Bearer ${stack.run.managerApiToken}` });

/**
 * The settings this file's stack runs with; every wait on time below is derived from them.
 * Orders up to 10.00 are approved automatically; larger ones wait for a manager. Down-payment
 * orders get 20 s to pay and 20 s to be validated: windows a test acts in by polling, so they are
 * long enough for a slow machine (the tests that let them expire wait that long).
 */
const SETTINGS = {
  AUTO_APPROVE_MAX_AMOUNT: 10, LABEL_POLL_SECONDS: 0.5, PROVIDER_TIMEOUT_MS: 1500,
  DOWN_PAYMENT_EXPIRY_SECONDS: 20, VALIDATION_TIMEOUT_SECONDS: 20,
};
/** The app's default APPROVAL_TIMEOUT_SECONDS (apps/fulfillment/src/main.ts): an order's own timeout must beat it. */
const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 120;
/** Generous slack for the saga's own steps and compensations on a slow machine. */
const SLACK_MS = 30_000;
/** How long to wait for a timer of `seconds` to have fired and the order to have ended. */
const afterTimer = (seconds: number) => seconds * 1000 * 3 + SLACK_MS;

beforeAll(async () => {
  stack = await startFulfillmentStack({
    logName: 'fulfillment-saga',
    env: Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, String(v)])),
  });
});
afterAll(() => stack?.stop());
beforeEach(() => resetProviders());

function orderInput(overrides: { total?: number; approvalTimeoutSeconds?: number; orderId?: string; downPayment?: number } = {}) {
  const total = overrides.total ?? 5;
  return {
    orderId: overrides.orderId ?? `ord-${randomUUID()}`,
    customerId: 'cust-42',
    items: [{ sku: 'BOOK-1', quantity: 2, price: total / 4 }, { sku: 'PEN-9', quantity: 1, price: total / 2 }],
    totalAmount: total,
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    customerEmail: 'ada@example.com',
    ...(overrides.approvalTimeoutSeconds ? { approvalTimeoutSeconds: overrides.approvalTimeoutSeconds } : {}),
    ...(overrides.downPayment ? { downPayment: { amount: overrides.downPayment } } : {}),
  };
}

async function placeOrder(input = orderInput()): Promise<string> {
  const response = await stack.invoke<{ orderId: string; instanceId: string }>('POST', '/workflows/order', input);
  expect(response.status).toBe(202);
  expect(response.body.instanceId).toBe(input.orderId);
  return input.orderId;
}

const status = async (orderId: string) => (await stack.invoke<OrderView>('GET', `/workflows/${orderId}/status`)).body;
const until = (orderId: string, accept: (o: OrderView) => boolean, timeoutMs = 45_000) => eventually(() => status(orderId), accept, timeoutMs);
const finished = (orderId: string, timeoutMs?: number) => until(orderId, (o) => FINAL.includes(o.status) && o.finishedAt !== null, timeoutMs);

/** Nothing of the order left authorized, reserved or captured, and never a capture twice. */
async function expectFullyUndone(orderId: string): Promise<ProviderResource[]> {
  const resources = await providerResources(orderId);
  expect(resources.filter((r) => r.kind === 'authorization' && r.status === 'authorized')).toEqual([]);
  expect(resources.filter((r) => r.kind === 'reservation' && r.status === 'reserved')).toEqual([]);
  expect(resources.filter((r) => r.kind === 'capture' && r.status === 'captured')).toEqual([]);
  expect(resources.filter((r) => r.kind === 'label' && r.status !== 'cancelled')).toEqual([]);
  await expectAtMostOneCharge(orderId);
  return resources;
}

/** No charge twice: at most one capture per authorization, and no capture key that acted more than once. */
async function expectAtMostOneCharge(orderId: string) {
  const captures = (await providerResources(orderId)).filter((r) => r.kind === 'capture');
  const perAuthorization = new Map<string, number>();
  for (const capture of captures) perAuthorization.set(String(capture.parentId), (perAuthorization.get(String(capture.parentId)) ?? 0) + 1);
  expect([...perAuthorization.values()].filter((n) => n > 1)).toEqual([]);
  const acted = (await recordedCalls({ domain: 'payment', operation: 'capture' }))
    .filter((c) => c.idempotencyKey?.startsWith(`order-${orderId}-`) && c.outcome === 'ok' && !c.replayed).map((c) => c.idempotencyKey);
  expect(acted.length).toBe(new Set(acted).size);
}

const kinds = (resources: ProviderResource[]) => resources.map((r) => `${r.kind}:${r.status}`).sort();
const steps = (order: OrderView) => order.steps.map((s) => s.step);

describe('order fulfillment saga', () => {
  it('when every provider succeeds and the manager approves, then the order ships, charged once', async () => {
    const orderId = await placeOrder(orderInput({ total: 50 }));
    await until(orderId, (o) => o.status === 'awaiting_approval');
    const approved = await stack.invoke('POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, manager());
    expect(approved.status).toBe(202);
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'shipped', progress: 100, approvedBy: 'manager-7', error: null, compensations: [] });
    expect(steps(order)).toEqual(['authorize', 'approval', 'reserve', 'capture', 'label', 'notify']);
    expect(kinds(await providerResources(orderId))).toEqual(['authorization:captured', 'capture:captured', 'label:created', 'notification:sent', 'reservation:reserved']);
    await expectAtMostOneCharge(orderId);
    // Every call carried a key derived from the order and the step.
    const keys = (await recordedCalls()).filter((c) => c.idempotencyKey?.startsWith(`order-${orderId}-`)).map((c) => c.idempotencyKey);
    expect(new Set(keys)).toEqual(new Set(['authorize', 'reserve', 'capture', 'label', 'notify'].map((s) => `order-${orderId}-${s}`)));
  });

  it('when the authorization is declined, then the order fails at once and nothing is held', async () => {
    await setChaos({ 'payment.authorize': { outcomes: { '402': 1 } } });
    const orderId = await placeOrder();
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('authorize failed');
    expect(order.compensations).toEqual([]);
    // A 402 is not retried.
    expect((await recordedCalls({ domain: 'payment', operation: 'authorize' })).filter((c) => c.idempotencyKey === `order-${orderId}-authorize`)).toHaveLength(1);
    expect(await providerResources(orderId)).toEqual([]);
  });

  it('when the manager rejects, then the authorization is released', async () => {
    const orderId = await placeOrder(orderInput({ total: 50 }));
    await until(orderId, (o) => o.status === 'awaiting_approval');
    expect((await stack.invoke('POST', `/workflows/${orderId}/reject`, { reason: 'suspicious address' }, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order).toMatchObject({ status: 'rejected', rejectionReason: 'suspicious address' });
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['releaseAuthorization']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:released']);
  });

  it('when no manager decides within a 3-second approval timeout, then it fails and compensates, and a late approval is a 409', async () => {
    const approvalTimeoutSeconds = 3;
    const orderId = await placeOrder(orderInput({ total: 50, approvalTimeoutSeconds }));
    // Not caught by polling (the window is 3 s): the durable step record says when the wait began.
    const order = await finished(orderId, afterTimer(approvalTimeoutSeconds));
    const waitingSince = order.steps.find((s) => s.step === 'authorize')!.at;
    expect(order.status).toBe('failed');
    expect(order.error).toContain('approval timeout');
    // The order's own timeout fired, not the app's default: well within three times it plus slack,
    // a bound that is itself below the default.
    const bound = approvalTimeoutSeconds * 1000 * 3 + SLACK_MS;
    expect(bound).toBeLessThan(DEFAULT_APPROVAL_TIMEOUT_SECONDS * 1000);
    expect(steps(order)).toEqual(['authorize']);
    expect(Date.parse(order.finishedAt!) - Date.parse(waitingSince)).toBeLessThan(bound);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:released']);
    const late = await stack.invoke<{ code: string }>('POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, manager());
    expect(late.status).toBe(409);
    expect(['NOT_AWAITING_APPROVAL', 'ORDER_FINISHED']).toContain(late.body.code);
  });

  it('when the payment provider never answers (503 every time), then the order fails after the retries and nothing is held', async () => {
    await setChaos({ 'payment.authorize': { outcomes: { '503': 1 } } });
    const orderId = await placeOrder();
    const order = await finished(orderId, 60_000);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('authorize failed');
    // Every attempt of the payment policy, then every attempt of the reconcile policy asking whether one of them acted after all.
    const attempts = (await recordedCalls({ domain: 'payment', operation: 'authorize' })).filter((c) => c.idempotencyKey === `order-${orderId}-authorize`);
    expect(attempts.map((c) => c.status)).toEqual(Array(ORDER_RETRY_POLICIES.payment.maxAttempts + ORDER_RETRY_POLICIES.reconcile.maxAttempts).fill(503));
    expect(order.error).toContain('may have happened at the provider');
    expect(await providerResources(orderId)).toEqual([]);
  });

  it('when every reserve attempt got no answer and the reservation turns out made, then the saga learns it under the same key and releases it', async () => {
    // Unanswered attempts, all the reserve policy allows, then the provider answers the saga's question.
    await setChaos({ 'inventory.reserve': { outcomes: { ok: 1 }, sequence: Array(ORDER_RETRY_POLICIES.inventory.maxAttempts).fill('503') } });
    const orderId = await placeOrder();
    const order = await finished(orderId, 60_000);
    expect(order.status).toBe('failed');
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['releaseReservation', 'releaseAuthorization']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:released', 'reservation:released']);
  });

  it('when the stock is out (409), then the authorization is released and the reserve is not retried', async () => {
    await setChaos({ 'inventory.reserve': { outcomes: { '409': 1 } } });
    const orderId = await placeOrder();
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['releaseAuthorization']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:released']);
    expect((await recordedCalls({ domain: 'inventory', operation: 'reserve' })).filter((c) => c.idempotencyKey === `order-${orderId}-reserve`)).toHaveLength(1);
  });

  it('when the capture fails (410 expired authorization), then the reservation and the authorization are released', async () => {
    await setChaos({ 'payment.capture': { outcomes: { '410': 1 } } });
    const orderId = await placeOrder();
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['releaseReservation', 'releaseAuthorization']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:released', 'reservation:released']);
  });

  it('when the label fails (400 bad address), then the capture is refunded and the reservation released', async () => {
    await setChaos({ 'shipping.create-label': { outcomes: { '400': 1 } } });
    const orderId = await placeOrder();
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['refundCapture', 'releaseReservation']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:refunded', 'capture:refunded', 'refund:refunded', 'reservation:released']);
  });

  it('when the notification fails for good, then the order still ships and the failure is recorded', async () => {
    await setChaos({ 'notification.send': { outcomes: { '400': 1 } } });
    const orderId = await placeOrder();
    const order = await finished(orderId);
    expect(order.status).toBe('shipped');
    expect(order.error).toContain('notification failed');
    expect(order.compensations).toEqual([]);
    expect(kinds(await providerResources(orderId))).toEqual(['authorization:captured', 'capture:captured', 'label:created', 'reservation:reserved']);
  });

  it('when a provider fails twice with 500, then the step is retried under one key and the order ships', async () => {
    await setChaos({ 'payment.authorize': { outcomes: { ok: 1 }, sequence: ['500', '500'] } });
    const orderId = await placeOrder();
    expect((await finished(orderId)).status).toBe('shipped');
    const attempts = (await recordedCalls({ domain: 'payment', operation: 'authorize' })).filter((c) => c.idempotencyKey === `order-${orderId}-authorize`);
    expect(attempts.map((c) => c.outcome)).toEqual(['500', '500', 'ok']);
    expect((await providerResources(orderId)).filter((r) => r.kind === 'authorization')).toHaveLength(1);
  });

  it('when the order is cancelled while its label is being made, then the saga stops waiting and undoes everything', async () => {
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: 30_000 } });
    const orderId = await placeOrder();
    await until(orderId, (o) => o.step === 'label' && steps(o).includes('capture'));
    expect((await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order.status).toBe('cancelled');
    // The saga stopped waiting: the label was cancelled while the carrier was still making it, never created.
    expect((await providerResources(orderId)).filter((r) => r.kind === 'label').map((r) => r.history.map((h) => h.status))).toEqual([['in_progress', 'cancelled']]);
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['cancelLabel', 'refundCapture', 'releaseReservation']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:refunded', 'capture:refunded', 'label:cancelled', 'refund:refunded', 'reservation:released']);
    expect((await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager())).status).toBe(409);
  });

  it('when the fulfillment app is killed during the label step and restarted, then the order still ships with one capture', async () => {
    const labelWorkMs = 15_000;
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: labelWorkMs } });
    const orderId = await placeOrder();
    const before = await until(orderId, (o) => o.step === 'label' && o.progress > 60);
    await stack.killApp();
    // The kill landed mid-work: the order was not finished, and the carrier is still making its label.
    expect(before.finishedAt).toBeNull();
    expect((await providerResources(orderId)).filter((r) => r.kind === 'label').map((r) => r.status)).toEqual(['in_progress']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await stack.startApp();
    const order = await finished(orderId, labelWorkMs * 3 + SLACK_MS);
    expect(order.status).toBe('shipped');
    expect(kinds(await providerResources(orderId))).toEqual(['authorization:captured', 'capture:captured', 'label:created', 'notification:sent', 'reservation:reserved']);
    await expectAtMostOneCharge(orderId);
    expect((await providerResources(orderId)).filter((r) => r.kind === 'label')).toHaveLength(1);
  });
});

describe('orders paid by down payment', () => {
  const amounts = async (orderId: string, kind: string) => (await providerResources(orderId)).filter((r) => r.kind === kind).map((r) => r.amount).sort();

  it('when the customer pays the down payment and a manager validates, then the balance is charged and the order ships', async () => {
    const orderId = await placeOrder(orderInput({ total: 50, downPayment: 15 }));
    await until(orderId, (o) => o.step === 'awaiting_payment');
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, { paymentToken: 'tok_visa' })).status).toBe(202);
    await until(orderId, (o) => o.status === 'awaiting_approval');
    expect((await stack.invoke('POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order.status).toBe('shipped');
    expect(steps(order)).toEqual(['reserve', 'down-payment-authorize', 'down-payment-capture', 'approval', 'balance-authorize', 'balance-capture', 'label', 'notify']);
    // 1500 + 3500 cents, each captured once.
    expect(await amounts(orderId, 'capture')).toEqual([1500, 3500]);
    expect((await providerResources(orderId)).filter((r) => r.kind === 'authorization').map((r) => r.status)).toEqual(['captured', 'captured']);
  });

  it('when a down-payment order is cancelled after both payments were taken, then both are refunded, each once', async () => {
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: 30_000 } });
    const orderId = await placeOrder(orderInput({ total: 50, downPayment: 15 }));
    await until(orderId, (o) => o.step === 'awaiting_payment');
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, {})).status).toBe(202);
    await until(orderId, (o) => o.status === 'awaiting_approval');
    expect((await stack.invoke('POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, manager())).status).toBe(202);
    await until(orderId, (o) => o.step === 'label' && steps(o).includes('balance-capture'));
    expect((await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order.status).toBe('cancelled');
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['cancelLabel', 'refundCapture', 'refundCapture', 'releaseReservation']);
    await expectFullyUndone(orderId);
    expect(await amounts(orderId, 'refund')).toEqual([1500, 3500]);
  });

  // Seed 003 (ORDER_EXPIRE_DP): an expired down payment ends the order cancelled, no longer failed (docs/contracts.md, Seed 003).
  it('when the down payment is not paid in time, then the order is cancelled (seed 003), its stock is released, and a late payment is a 409', async () => {
    const orderId = await placeOrder(orderInput({ total: 50, downPayment: 15 }));
    const order = await finished(orderId, afterTimer(SETTINGS.DOWN_PAYMENT_EXPIRY_SECONDS));
    expect(order.status).toBe('cancelled');
    expect(order.error).toContain('not paid in time');
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['reservation:released']);
    const late = await stack.invoke<{ code: string }>('POST', `/workflows/${orderId}/pay`, {});
    expect(late.status).toBe(409);
  });

  // Seed 003 (ORDER_AUTO_REFUND, "auto-reject"): a paid order not validated in time ends rejected, no longer failed (docs/contracts.md, Seed 003).
  it('when a paid order is not validated in time, then it is auto-rejected (seed 003), the down payment refunded and the stock released', async () => {
    const orderId = await placeOrder(orderInput({ total: 50, downPayment: 15 }));
    await until(orderId, (o) => o.step === 'awaiting_payment');
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, {})).status).toBe(202);
    const order = await finished(orderId, afterTimer(SETTINGS.VALIDATION_TIMEOUT_SECONDS));
    expect(order.status).toBe('rejected');
    expect(order.error).toContain('not validated in time');
    expect(order.compensationSteps.map((c) => c.step)).toEqual(['refundCapture', 'releaseReservation']);
    expect(kinds(await expectFullyUndone(orderId))).toEqual(['authorization:refunded', 'capture:refunded', 'refund:refunded', 'reservation:released']);
    expect(await amounts(orderId, 'refund')).toEqual([1500]);
  });
});

describe('order API', () => {
  it('when an order is placed twice, then the second answer names the same instance and nothing runs twice', async () => {
    const input = orderInput();
    await placeOrder(input);
    const again = await stack.invoke<{ instanceId: string; created: boolean }>('POST', '/workflows/order', input);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ instanceId: input.orderId, created: false });
    expect((await finished(input.orderId)).status).toBe('shipped');
    expect((await recordedCalls({ domain: 'payment', operation: 'authorize' })).filter((c) => c.idempotencyKey === `order-${input.orderId}-authorize`)).toHaveLength(1);
    const other = await stack.invoke<{ code: string }>('POST', '/workflows/order', { ...input, customerId: 'someone-else' });
    expect(other.status).toBe(409);
  });

  it('when orders finish, then /metrics counts them by status with their durations, and the log follows each by order and correlation id', async () => {
    const orderId = await placeOrder();
    expect((await finished(orderId)).status).toBe('shipped');
    const metrics = (await stack.app<string>('GET', '/metrics')).body;
    expect(metrics).toMatch(/holdfast_orders_finished_total\{[^}]*status="shipped"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/holdfast_order_duration_seconds_count\{[^}]*status="shipped"[^}]*\} [1-9]/);
    const lines = readFileSync(join(TEST_LOG_DIR, 'fulfillment-saga.log'), 'utf8').split('\n').filter((l) => l.includes(orderId)).map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.msg === 'order step done').map((l) => l.step)).toEqual(['authorize', 'reserve', 'capture']);
    expect(lines.find((l) => l.msg === 'order finished')).toMatchObject({ status: 'shipped', correlationId: expect.any(String) });
  });

  it('when the total is not the items\' sum, or the input is malformed, then it is a 400 with a code', async () => {
    const wrong = await stack.invoke<{ code: string; detail: string }>('POST', '/workflows/order', { ...orderInput(), totalAmount: 7.5 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('TOTAL_MISMATCH');
    const malformed = await stack.invoke<{ code: string }>('POST', '/workflows/order', { ...orderInput(), approvalTimeoutSeconds: 0 });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
  });

  it('when a manager action comes without the manager token, then it is a 401; an unknown order is a 404', async () => {
    const orderId = await placeOrder();
    const anonymous = await stack.invoke<{ code: string }>('POST', `/workflows/${orderId}/approve`, { approvedBy: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('MANAGER_AUTH_REQUIRED');
    expect((await stack.invoke('POST', '/workflows/no-such-order/cancel', undefined, manager())).status).toBe(404);
    await finished(orderId);
  });

  it('when orders are searched by customer, status, amount and time, then the read model answers, page by page', async () => {
    const customerId = `cust-${randomUUID()}`;
    const ids: string[] = [];
    for (const total of [4, 6, 8]) {
      const input = { ...orderInput({ total }), customerId };
      ids.push(await placeOrder(input));
    }
    for (const id of ids) await finished(id);
    // Searching every customer's orders is a manager's action.
    const search = async (query: string) => (await stack.invoke<{ orders: OrderView[]; nextCursor: string | null }>('GET', `/workflows?customerId=${customerId}&${query}`, undefined, manager())).body;
    expect(await stack.invoke('GET', `/workflows?customerId=${customerId}`)).toMatchObject({ status: 401, body: { code: 'MANAGER_AUTH_REQUIRED' } });
    expect((await search('status=shipped')).orders.map((o) => o.orderId).sort()).toEqual([...ids].sort());
    expect((await search('minAmount=5&maxAmount=7')).orders.map((o) => o.totalAmount)).toEqual([6]);
    expect((await search(`from=${new Date(Date.now() + 60_000).toISOString()}`)).orders).toEqual([]);
    const first = await search('limit=2');
    expect(first.orders).toHaveLength(2);
    const second = await search(`limit=2&cursor=${first.nextCursor}`);
    expect(second.orders).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.orders, ...second.orders].map((o) => o.orderId))).toEqual(new Set(ids));
    expect((await stack.invoke('GET', '/workflows?status=lost', undefined, manager())).status).toBe(400);
  });
});
