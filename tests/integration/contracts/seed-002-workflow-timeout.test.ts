/**
 * Seed 002's "Workflow timeout: 30 minutes" (docs/contracts.md, Seed 002): not a second timer racing
 * the saga's own, but a bound they keep. The worst case of an order without a down payment follows
 * from the settings (apps/fulfillment/src/domain/order-duration.ts: 1627 s with the defaults); the
 * app refuses to start when it exceeds WORKFLOW_TIMEOUT_SECONDS (1800), and an order asking for an
 * approval timeout that would exceed it is a 400. Down-payment orders follow seed 003's timers.
 *
 * Driven through the gateway with the client credential (`stack.invoke`), the document's order input
 * with the optional approvalTimeoutSeconds; the timing settings are the defaults, so the most an
 * order may ask is 1800 - (1627 - 120) = 293 s.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { eventually, startFulfillmentStack, type AppStack } from '../../support/app-stack';
import { TEST_LOG_DIR } from '../../support/test-env';
import { providerResources, recordedCalls, resetProviders, setChaos } from '../../support/providers-client';

let stack: AppStack;
const MAX_APPROVAL_WITH_DEFAULTS = 293;
const REFUSED_LOG = `contract-seed-002-timeout-refused-${randomUUID().slice(0, 8)}`;
let refusedStart: unknown;

function documentOrder(extra: Record<string, unknown> = {}) {
  return {
    orderId: `ORD-123-${randomUUID().slice(0, 12)}`,
    customerId: 'CUST-456',
    items: [
      { sku: 'ITEM-001', quantity: 2, price: 29.99 },
      { sku: 'ITEM-002', quantity: 1, price: 49.99 },
    ],
    totalAmount: 109.97,
    shippingAddress: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
    customerEmail: 'customer@example.com',
    ...extra,
  };
}
const manager = () => ({ authorization: `Bearer ${stack.run.managerApiToken}` });
const status = async (orderId: string) => (await stack.invoke<{ status: string; finishedAt: string | null }>('GET', `/workflows/${orderId}/status`)).body;

describe('seed 002: workflow timeout 30 minutes', () => {
  beforeAll(async () => {
    // First, a start whose configured waits add up to more than the workflow timeout (approval 600 s: 2107 s at worst).
    refusedStart = await startFulfillmentStack({ logName: REFUSED_LOG, env: { APPROVAL_TIMEOUT_SECONDS: '600' } }).then(
      async (started) => {
        await started.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    stack = await startFulfillmentStack({ logName: 'contract-seed-002-timeout' });
    await resetProviders();
  });
  afterAll(() => stack?.stop());

  it('when the configured waits add up to more than WORKFLOW_TIMEOUT_SECONDS (APPROVAL_TIMEOUT_SECONDS=600), then the fulfillment app refuses to start, naming the settings', () => {
    expect(String(refusedStart)).toMatch(/exited with code 1/);
    const log = readFileSync(join(TEST_LOG_DIR, `${REFUSED_LOG}.log`), 'utf8');
    expect(log).toContain('Invalid configuration');
    expect(log).toContain('can take up to 2107 s');
    expect(log).toContain('more than WORKFLOW_TIMEOUT_SECONDS 1800');
    expect(log).toContain('APPROVAL_TIMEOUT_SECONDS (or the order\'s approvalTimeoutSeconds): 600 s');
  });

  it(`when an order without a down payment asks for an approval timeout past what the workflow timeout leaves (${MAX_APPROVAL_WITH_DEFAULTS + 1} s), then it is a 400 APPROVAL_TIMEOUT_TOO_LONG; ${MAX_APPROVAL_WITH_DEFAULTS} s is accepted`, async () => {
    const tooLong = documentOrder({ approvalTimeoutSeconds: MAX_APPROVAL_WITH_DEFAULTS + 1 });
    const refused = await stack.invoke<{ code: string; maxApprovalTimeoutSeconds: number }>('POST', '/workflows/order', tooLong);
    expect({ status: refused.status, body: refused.body }).toMatchObject({ status: 400, body: { code: 'APPROVAL_TIMEOUT_TOO_LONG', maxApprovalTimeoutSeconds: MAX_APPROVAL_WITH_DEFAULTS } });
    expect((await stack.invoke('GET', `/workflows/${tooLong.orderId}/status`)).status).toBe(404);
    // The earlier bound (86,400) is still the schema's: past it the input itself is malformed.
    expect((await stack.invoke<{ code: string }>('POST', '/workflows/order', documentOrder({ approvalTimeoutSeconds: 86_401 }))).body.code).toBe('VALIDATION_FAILED');

    const fits = documentOrder({ approvalTimeoutSeconds: MAX_APPROVAL_WITH_DEFAULTS });
    expect((await stack.invoke('POST', '/workflows/order', fits)).status).toBe(202);
    await eventually(() => status(fits.orderId), (o) => o.status === 'awaiting_approval', 45_000);
    // Cleaned up: a manager cancels it, and it ends cancelled (undone).
    expect((await stack.invoke('POST', `/workflows/${fits.orderId}/cancel`, undefined, manager())).status).toBe(202);
    expect((await eventually(() => status(fits.orderId), (o) => o.finishedAt !== null, 45_000)).status).toBe('cancelled');
  });

  it('when a down-payment order asks for a long approval timeout, then it is accepted: it follows seed 003\'s timers (30 minutes to pay, 24 hours to validate), not the 30-minute workflow bound', async () => {
    const withDownPayment = documentOrder({ approvalTimeoutSeconds: 3_600, downPayment: { amount: 20 } });
    expect((await stack.invoke('POST', '/workflows/order', withDownPayment)).status).toBe(202);
    await eventually(() => status(withDownPayment.orderId), (o) => o.status === 'pending_dp', 45_000);
    expect((await stack.invoke('POST', `/workflows/${withDownPayment.orderId}/cancel`, undefined, manager())).status).toBe(202);
    expect((await eventually(() => status(withDownPayment.orderId), (o) => o.finishedAt !== null, 45_000)).status).toBe('cancelled');
  });
});

/**
 * The label's deadline bounds the order only if slow checks count against it: it is workflow time
 * since the label started, not the number of checks x LABEL_POLL_SECONDS. Here the label never
 * finishes and every status check takes 1.5 s: counting checks would make 3 s / 0.5 s = 6 checks
 * (about 12 s); workflow time stops after at most 3 (each check starts before the deadline).
 */
describe('seed 002: the label deadline is workflow time', () => {
  const LABEL_DEADLINE_SECONDS = 3;
  const LABEL_POLL_SECONDS = 0.5;
  const STATUS_LATENCY_MS = 1_500;

  beforeAll(async () => {
    stack = await startFulfillmentStack({ logName: 'contract-seed-002-label-deadline', env: { LABEL_DEADLINE_SECONDS: String(LABEL_DEADLINE_SECONDS), LABEL_POLL_SECONDS: String(LABEL_POLL_SECONDS) } });
  });
  afterAll(() => stack?.stop());

  it('when every label check is slow, then the order fails at the deadline after fewer checks than deadline / poll, and everything is undone', async () => {
    await resetProviders();
    await setChaos({ 'shipping.create-label': { outcomes: { ok: 1 }, workMs: 600_000 }, 'shipping.status': { outcomes: { ok: 1 }, latencyMs: STATUS_LATENCY_MS } });
    const order = documentOrder();
    expect((await stack.invoke('POST', '/workflows/order', order)).status).toBe(202);
    await eventually(() => status(order.orderId), (o) => o.status === 'awaiting_approval', 45_000);
    expect((await stack.invoke('POST', `/workflows/${order.orderId}/approve`, undefined, manager())).status).toBe(202);
    const ended = await eventually(() => stack.invoke<{ status: string; finishedAt: string | null; error: string | null; compensations: Array<{ name: string }> }>('GET', `/workflows/${order.orderId}/status`).then((r) => r.body),
      (o) => o.finishedAt !== null, 60_000);
    expect(ended.status).toBe('failed');
    expect(ended.error).toContain(`the label was not done within ${LABEL_DEADLINE_SECONDS} s`);
    expect(ended.compensations.map((c) => c.name)).toEqual(['cancelLabel', 'refundCapture', 'releaseReservation']);
    // This order's label checks only (a label-polling saga of an earlier file could still be checking its own).
    const labels = (await providerResources(order.orderId)).filter((r) => r.kind === 'label');
    expect(labels).toHaveLength(1);
    const checks = (await recordedCalls({ domain: 'shipping', operation: 'status' })).filter((c) => (c.request as { id?: string }).id === labels[0]!.id).length;
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(checks).toBeLessThan(LABEL_DEADLINE_SECONDS / LABEL_POLL_SECONDS);
    expect(checks).toBeLessThanOrEqual(Math.ceil((LABEL_DEADLINE_SECONDS * 1000) / STATUS_LATENCY_MS) + 1);
  });
});
