/**
 * An app's workflow worker outlives its sidecar (issue 16's drill found the opposite): the JS SDK's
 * worker ends for good on the first error of its first connection, so a daprd killed and started
 * again left the app serving with no saga ever run again. shared/src/workflow/worker-supervisor.ts
 * starts it again; this proves it through the fulfillment app, whose orders are sagas.
 */
import { randomUUID } from 'node:crypto';
import { eventually, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { resetProviders } from '../support/providers-client';

let stack: AppStack;

/** Orders up to 10 are approved automatically, so a saga runs to shipped with no manager. */
const SETTINGS = { AUTO_APPROVE_MAX_AMOUNT: '10', LABEL_POLL_SECONDS: '0.5' };
/** Generous: a whole saga on a slow machine, plus the supervisor's check (every 2 s) and the worker's reconnect. */
const SLACK_MS = 60_000;

beforeAll(async () => {
  await resetProviders();
  stack = await startFulfillmentStack({ logName: 'workflow-worker', env: SETTINGS });
});
afterAll(() => stack?.stop());

async function placeOrder(): Promise<string> {
  const orderId = `ord-worker-${randomUUID()}`;
  const placed = await stack.invoke('POST', '/workflows/order', {
    orderId, customerId: 'cust-worker', customerEmail: 'ada@example.com', totalAmount: 5,
    items: [{ sku: 'BOOK-1', quantity: 1, price: 5 }],
    shippingAddress: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
  });
  expect(placed.status).toBe(202);
  return orderId;
}

const statusOf = async (orderId: string) => (await stack.invoke<{ status: string }>('GET', `/workflows/${orderId}/status`)).body.status;
const workerRunning = async () => (await stack.invoke<{ worker: { running: boolean } }>('GET', '/api/monitoring/queue/info')).body.worker.running;

describe('the workflow worker and its sidecar', () => {
  it('when the fulfillment app\'s daprd is killed and started again, then the worker connects again and an order placed afterwards runs to shipped', async () => {
    const before = await placeOrder();
    expect(await eventually(() => statusOf(before), (s) => s === 'shipped', SLACK_MS)).toBe('shipped');

    await stack.restartSidecar();

    expect(await eventually(workerRunning, (running) => running, SLACK_MS)).toBe(true);
    const after = await placeOrder();
    expect(await eventually(() => statusOf(after), (s) => s === 'shipped', SLACK_MS)).toBe('shipped');
  });
});
