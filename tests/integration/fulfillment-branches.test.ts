/**
 * The fulfillment saga's branches that move money and had no test of their own (issue 18): a
 * capture the provider refuses, a compensation that fails for good, the label deadline, cancelling
 * while the order waits for a manager or for its down payment, shipping racing a cancellation, and
 * a declined down payment. Through the fulfillment app's sidecar against the providers app with
 * pinned outcomes; money is counted from the providers app's record, scoped to each test's order.
 */
import { randomUUID } from 'node:crypto';
import { eventually, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { ORDER_RETRY_POLICIES } from '../../apps/fulfillment/src/domain/order-duration';
import { providerResources, recordedCalls, resetProviders, setChaos, type ProviderResource } from '../support/providers-client';

let stack: AppStack;

interface OrderView {
  orderId: string; status: string; step: string | null; error: string | null;
  steps: Array<{ step: string; at: string }>;
  compensations: unknown[];
  compensationSteps: Array<{ step: string; target: string; at: string }>;
  finishedAt: string | null;
}

/** The settings this file's stack runs with: every wait below is derived from them. */
const SETTINGS = {
  AUTO_APPROVE_MAX_AMOUNT: 10,
  LABEL_POLL_SECONDS: 0.5,
  /** Short, so the deadline branch runs in seconds; the race's label is done well within it. */
  LABEL_DEADLINE_SECONDS: 5,
  PROVIDER_TIMEOUT_MS: 1500,
  /** Long: the cancels race no expiry, and no window has to be caught by polling. */
  DOWN_PAYMENT_EXPIRY_SECONDS: 120,
  VALIDATION_TIMEOUT_SECONDS: 120,
};
/** How long the race's label takes at the carrier: a fifth of the deadline. */
const RACE_LABEL_WORK_MS = (SETTINGS.LABEL_DEADLINE_SECONDS * 1000) / 5;
/** Generous: the saga's own steps, retries and compensations on a slow machine. */
const SLACK_MS = 45_000;

const FINAL = ['shipped', 'rejected', 'failed', 'cancelled'];
const manager = () => ({ authorization: `Bearer ${stack.run.managerApiToken}` });

beforeAll(async () => {
  stack = await startFulfillmentStack({
    logName: 'fulfillment-branches',
    env: Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, String(v)])),
  });
});
afterAll(() => stack?.stop());
beforeEach(() => resetProviders());

function orderInput(overrides: { total?: number; downPayment?: number } = {}) {
  const total = overrides.total ?? 5;
  return {
    orderId: `ord-${randomUUID()}`,
    customerId: 'cust-branches',
    items: [{ sku: 'BOOK-1', quantity: 2, price: total / 4 }, { sku: 'PEN-9', quantity: 1, price: total / 2 }],
    totalAmount: total,
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
    customerEmail: 'ada@example.com',
    ...(overrides.downPayment ? { downPayment: { amount: overrides.downPayment } } : {}),
  };
}

async function placeOrder(input = orderInput()): Promise<string> {
  const response = await stack.invoke<{ instanceId: string }>('POST', '/workflows/order', input);
  expect(response.status).toBe(202);
  return input.orderId;
}

const status = async (orderId: string) => (await stack.invoke<OrderView>('GET', `/workflows/${orderId}/status`)).body;
const until = (orderId: string, accept: (o: OrderView) => boolean, timeoutMs = SLACK_MS) => eventually(() => status(orderId), accept, timeoutMs);
const finished = (orderId: string, timeoutMs = SLACK_MS) => until(orderId, (o) => FINAL.includes(o.status) && o.finishedAt !== null, timeoutMs);
const steps = (order: OrderView) => order.steps.map((s) => s.step);
const undone = (order: OrderView) => order.compensationSteps.map((c) => c.step);
const kinds = (resources: ProviderResource[]) => resources.map((r) => `${r.kind}:${r.status}`).sort();
const ofKind = (resources: ProviderResource[], kind: ProviderResource['kind']) => resources.filter((r) => r.kind === kind);
const sum = (resources: ProviderResource[]) => resources.reduce((total, r) => total + (r.amount ?? 0), 0);
const callsUnder = async (domain: string, operation: string, key: string) => (await recordedCalls({ domain, operation })).filter((c) => c.idempotencyKey === key);

/** Nothing of the order still authorized, reserved, captured or labelled: what was charged was refunded. */
function expectNothingHeld(resources: ProviderResource[]) {
  expect(resources.filter((r) => ['authorized', 'reserved', 'captured', 'in_progress', 'created'].includes(r.status))).toEqual([]);
  expect(sum(ofKind(resources, 'refund'))).toBe(sum(ofKind(resources, 'capture')));
}

describe('fulfillment saga branches that move money', () => {
  it('when the provider refuses the capture (402), then the reservation and the authorization are released, nothing is charged and the order fails', async () => {
    await setChaos({ 'payment.capture': { outcomes: { '402': 1 } } });
    const orderId = await placeOrder(orderInput({ total: 5 }));
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('capture failed');
    expect(steps(order)).toEqual(['authorize', 'approval', 'reserve']);
    expect(undone(order)).toEqual(['releaseReservation', 'releaseAuthorization']);
    const resources = await providerResources(orderId);
    expect(kinds(resources)).toEqual(['authorization:released', 'reservation:released']);
    // 5.00 authorized, then voided: no capture and no refund exist for the order.
    expect(ofKind(resources, 'authorization').map((r) => r.amount)).toEqual([500]);
    expect(ofKind(resources, 'capture')).toEqual([]);
    expect(ofKind(resources, 'refund')).toEqual([]);
    // A refusal is not retried.
    expect(await callsUnder('payment', 'capture', `order-${orderId}-capture`)).toHaveLength(1);
  });

  it('when releasing the authorization fails for good, then the order ends failed naming the compensation left to do by hand, and the authorization stays visible at the provider', async () => {
    // The capture is refused, so the authorization must be released; the provider refuses that too (400: never retried).
    await setChaos({ 'payment.capture': { outcomes: { '402': 1 } }, 'payment.release': { outcomes: { '400': 1 } } });
    const orderId = await placeOrder(orderInput({ total: 5 }));
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    const authorization = ofKind(await providerResources(orderId), 'authorization');
    expect(authorization.map((r) => `${r.status}:${r.amount}`)).toEqual(['authorized:500']);
    // Not silently dropped: the error names the failed compensation and its target; the one that worked is recorded.
    expect(order.error).toContain('capture failed');
    expect(order.error).toContain('compensation failed: releaseAuthorization');
    expect(undone(order)).toEqual(['releaseReservation']);
    expect(kinds(await providerResources(orderId))).toEqual(['authorization:authorized', 'reservation:released']);
    expect(await callsUnder('payment', 'release', `order-${orderId}-undo-authorize-${authorization[0]!.id}`)).toHaveLength(1);
  });

  it('when releasing the authorization gets no answer (503) a few times, then the compensation is retried under its key until it lands and nothing is left to do by hand', async () => {
    // Fewer failures than the compensation policy allows attempts.
    const failures = Math.min(3, ORDER_RETRY_POLICIES.compensation.maxAttempts - 1);
    await setChaos({ 'payment.capture': { outcomes: { '402': 1 } }, 'payment.release': { outcomes: { ok: 1 }, sequence: Array(failures).fill('503') } });
    const orderId = await placeOrder(orderInput({ total: 5 }));
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('capture failed');
    expect(order.error).not.toContain('compensation failed');
    expect(undone(order)).toEqual(['releaseReservation', 'releaseAuthorization']);
    const [authorization] = ofKind(await providerResources(orderId), 'authorization');
    expect(authorization!.status).toBe('released');
    const attempts = await callsUnder('payment', 'release', `order-${orderId}-undo-authorize-${authorization!.id}`);
    expect(attempts.map((c) => c.outcome)).toEqual([...Array(failures).fill('503'), 'ok']);
  });

  it('when refunding the capture fails for good after a label failure, then the order ends failed naming the refund left to do by hand, and the charge stays captured', async () => {
    await setChaos({ 'shipping.create-label': { outcomes: { '400': 1 } }, 'payment.refund': { outcomes: { '400': 1 } } });
    const orderId = await placeOrder(orderInput({ total: 5 }));
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('label failed');
    expect(order.error).toContain('compensation failed: refundCapture');
    // The refund failed; the reservation after it in the plan is still released.
    expect(undone(order)).toEqual(['releaseReservation']);
    const resources = await providerResources(orderId);
    expect(ofKind(resources, 'capture').map((r) => `${r.status}:${r.amount}`)).toEqual(['captured:500']);
    expect(ofKind(resources, 'refund')).toEqual([]);
    expect(ofKind(resources, 'reservation').map((r) => r.status)).toEqual(['released']);
  });

  it('when the carrier does not finish the label before LABEL_DEADLINE_SECONDS, then the label step fails and the label, capture and reservation are undone in reverse', async () => {
    // The carrier takes far longer than the deadline.
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: SETTINGS.LABEL_DEADLINE_SECONDS * 1000 * 20 } });
    const orderId = await placeOrder(orderInput({ total: 5 }));
    const order = await finished(orderId, SETTINGS.LABEL_DEADLINE_SECONDS * 1000 * 3 + SLACK_MS);
    expect(order.status).toBe('failed');
    expect(order.error).toContain(`the label was not done within ${SETTINGS.LABEL_DEADLINE_SECONDS} s`);
    expect(steps(order)).toEqual(['authorize', 'approval', 'reserve', 'capture']);
    expect(undone(order)).toEqual(['cancelLabel', 'refundCapture', 'releaseReservation']);
    const resources = await providerResources(orderId);
    expect(kinds(resources)).toEqual(['authorization:refunded', 'capture:refunded', 'label:cancelled', 'refund:refunded', 'reservation:released']);
    expectNothingHeld(resources);
    expect(sum(ofKind(resources, 'refund'))).toBe(500);
    // The label was cancelled while still in progress, and not before the deadline had passed.
    const label = ofKind(resources, 'label')[0]!;
    expect(label.history.map((h) => h.status)).toEqual(['in_progress', 'cancelled']);
    expect(Date.parse(label.history[1]!.at) - Date.parse(label.history[0]!.at)).toBeGreaterThanOrEqual(SETTINGS.LABEL_DEADLINE_SECONDS * 1000);
  });

  it('when the order is cancelled while it waits for the manager\'s approval, then only the authorization is released and a late approval is a 409', async () => {
    const orderId = await placeOrder(orderInput({ total: 50 }));
    await until(orderId, (o) => o.status === 'awaiting_approval');
    expect((await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order.status).toBe('cancelled');
    expect(steps(order)).toEqual(['authorize']);
    expect(undone(order)).toEqual(['releaseAuthorization']);
    const resources = await providerResources(orderId);
    expect(kinds(resources)).toEqual(['authorization:released']);
    expect(ofKind(resources, 'authorization').map((r) => r.amount)).toEqual([5000]);
    expect(await callsUnder('inventory', 'reserve', `order-${orderId}-reserve`)).toEqual([]);
    expect(await callsUnder('payment', 'capture', `order-${orderId}-capture`)).toEqual([]);
    const late = await stack.invoke<{ code: string }>('POST', `/workflows/${orderId}/approve`, { approvedBy: 'manager-7' }, manager());
    expect(late.status).toBe(409);
  });

  it('when a down-payment order is cancelled while it waits for the down payment, then its stock is released, nothing is charged, and a late payment is a 409', async () => {
    const orderId = await placeOrder(orderInput({ total: 50, downPayment: 15 }));
    await until(orderId, (o) => o.step === 'awaiting_payment');
    expect((await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager())).status).toBe(202);
    const order = await finished(orderId);
    expect(order.status).toBe('cancelled');
    // Cancelled by the manager, not expired: DOWN_PAYMENT_EXPIRY_SECONDS is far off.
    expect(order.error ?? '').not.toContain('not paid in time');
    expect(steps(order)).toEqual(['reserve']);
    expect(undone(order)).toEqual(['releaseReservation']);
    expect(kinds(await providerResources(orderId))).toEqual(['reservation:released']);
    expect(await callsUnder('payment', 'authorize', `order-${orderId}-down-payment-authorize`)).toEqual([]);
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, { paymentToken: 'tok_visa' })).status).toBe(409);
  });

  it('when the down payment is declined (402), then the order fails, its stock is released, nothing is charged and the decline is not retried', async () => {
    await setChaos({ 'payment.authorize': { outcomes: { '402': 1 } } });
    const orderId = await placeOrder(orderInput({ total: 50, downPayment: 15 }));
    await until(orderId, (o) => o.step === 'awaiting_payment');
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, { paymentToken: 'tok_declined' })).status).toBe(202);
    const order = await finished(orderId);
    expect(order.status).toBe('failed');
    expect(order.error).toContain('down-payment-authorize failed');
    expect(steps(order)).toEqual(['reserve']);
    expect(undone(order)).toEqual(['releaseReservation']);
    expect(kinds(await providerResources(orderId))).toEqual(['reservation:released']);
    expect(await callsUnder('payment', 'authorize', `order-${orderId}-down-payment-authorize`)).toHaveLength(1);
    expect(await callsUnder('payment', 'authorize', `order-${orderId}-balance-authorize`)).toEqual([]);
  });

  it('when a cancel arrives just as the label is done, then each order has one outcome: shipped and charged once with the cancel refused, or cancelled with everything undone', async () => {
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: RACE_LABEL_WORK_MS } });
    // Five orders side by side, each cancelled at another moment around the carrier's finishing time.
    const outcomes = await Promise.all([0.6, 0.8, 1, 1.2, 1.4].map(async (factor) => {
      const orderId = await placeOrder(orderInput({ total: 5 }));
      await until(orderId, (o) => o.step === 'label' && steps(o).includes('capture'));
      await new Promise((resolve) => setTimeout(resolve, RACE_LABEL_WORK_MS * factor));
      const cancel = await stack.invoke<{ code?: string }>('POST', `/workflows/${orderId}/cancel`, undefined, manager());
      return { orderId, cancel, order: await finished(orderId) };
    }));
    for (const { orderId, cancel, order } of outcomes) {
      expect([202, 409]).toContain(cancel.status);
      const resources = await providerResources(orderId);
      const captures = ofKind(resources, 'capture');
      expect(captures).toHaveLength(1);
      expect(captures[0]!.amount).toBe(500);
      if (cancel.status === 202) {
        expect(order.status).toBe('cancelled');
        expect(undone(order)).toEqual(['cancelLabel', 'refundCapture', 'releaseReservation']);
        expectNothingHeld(resources);
        expect(sum(ofKind(resources, 'refund'))).toBe(500);
        expect(await callsUnder('notification', 'send', `order-${orderId}-notify`)).toEqual([]);
      } else {
        expect(cancel.body.code).toBe('ORDER_FINISHED');
        expect(order.status).toBe('shipped');
        expect(undone(order)).toEqual([]);
        expect(kinds(resources)).toEqual(['authorization:captured', 'capture:captured', 'label:created', 'notification:sent', 'reservation:reserved']);
        expect(ofKind(resources, 'refund')).toEqual([]);
      }
      // Either way the outcome stands: a second cancel is refused.
      expect((await stack.invoke('POST', `/workflows/${orderId}/cancel`, undefined, manager())).status).toBe(409);
    }
  });
});
