/**
 * Seed 003 (queue system: jobs, retries, monitoring) driven through the client path as the
 * document's examples do: `GET /api/monitoring/queue/health`, `GET /api/monitoring/queue/stats`,
 * `POST /api/test-queue {"type":"ORDER_AUTO_REFUND","orderIds":[...]}` (the manager bearer token
 * added: docs/contracts.md, Seed 003). The jobs run on the saga's own timers, shortened here by
 * configuration (DOWN_PAYMENT_EXPIRY_SECONDS, VALIDATION_TIMEOUT_SECONDS, JOB_RETRY_DELAYS_SECONDS).
 * Then seed 002's versioning: a saga started under the old workflow name before a restart finishes
 * as the old code says.
 */
import { randomUUID } from 'node:crypto';
import { DaprWorkflowClient, WorkflowRuntimeStatus } from '@dapr/dapr';
import { eventually, startFulfillmentStack, type AppStack } from '../../support/app-stack';
import { providerResources, recordedCalls, resetProviders, setChaos } from '../../support/providers-client';

interface OrderView { orderId: string; status: string; step: string | null; error: string | null; rejectionReason: string | null; finishedAt: string | null }
type Counts = { pending: number; processing: number; completed: number; failed: number; dead: number; retries: number };
interface Stats { queueDepth: number; pending: number; processing: number; completed: number; failed: number; dead: number; retries: number; byType: Record<string, Counts>; timers: { approval: number; downPayment: number; validation: number }; outbox: { pending: number }; deadLetters: { pending: number } }

const FINAL = ['shipped', 'rejected', 'failed', 'cancelled'];
const PHONE = '+4915112345678';

function orderInput(extra: Record<string, unknown> = {}) {
  // Seed 002's order input, verbatim in its form; a down payment (seed 003's DP flow) and a phone for WhatsApp.
  return {
    orderId: `ORD-${randomUUID()}`,
    customerId: 'CUST-456',
    items: [{ sku: 'ITEM-001', quantity: 2, price: 29.99 }, { sku: 'ITEM-002', quantity: 1, price: 49.99 }],
    totalAmount: 109.97,
    shippingAddress: { street: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' },
    customerEmail: 'customer@example.com',
    downPayment: { amount: 15 },
    ...extra,
  };
}

function helpers(stack: () => AppStack) {
  const manager = () => ({ authorization: `Bearer ${stack().run.managerApiToken}` });
  const place = async (input = orderInput()) => {
    const response = await stack().invoke<{ orderId: string }>('POST', '/workflows/order', input);
    expect(response.status).toBe(202);
    return input.orderId;
  };
  const status = async (orderId: string) => (await stack().invoke<OrderView>('GET', `/workflows/${orderId}/status`)).body;
  const until = (orderId: string, accept: (o: OrderView) => boolean, timeoutMs = 45_000) => eventually(() => status(orderId), accept, timeoutMs);
  const finished = (orderId: string, timeoutMs = 45_000) => until(orderId, (o) => FINAL.includes(o.status) && o.finishedAt !== null, timeoutMs);
  const stats = async () => {
    const response = await stack().invoke<Stats>('GET', '/api/monitoring/queue/stats');
    expect(response.status).toBe(200);
    return response.body;
  };
  const whatsapps = async (orderId: string) => (await recordedCalls({ domain: 'notification', operation: 'send' }))
    .filter((c) => c.outcome === 'ok' && !c.replayed && (c.request as { channel?: string; reference?: string }).channel === 'whatsapp' && (c.request as { reference?: string }).reference === orderId);
  return { manager, place, status, until, finished, stats, whatsapps };
}

describe('seed 003 jobs on the saga\'s timers (clocks shortened by configuration)', () => {
  let stack: AppStack;
  const h = helpers(() => stack);
  beforeAll(async () => {
    // 4 s to pay a down payment, 4 s to validate it; job retries after 1 s, 1 s, 1 s (the document: 5 s, 30 s, 5 min).
    stack = await startFulfillmentStack({
      logName: 'seed-003-jobs',
      env: { DOWN_PAYMENT_EXPIRY_SECONDS: '4', VALIDATION_TIMEOUT_SECONDS: '4', JOB_RETRY_DELAYS_SECONDS: '1,1,1', LABEL_POLL_SECONDS: '0.5' },
    });
  });
  afterAll(() => stack?.stop());
  beforeEach(() => resetProviders());

  it('when a down-payment order waits for its payment, then it is pending_dp and counted as a down-payment timer; unpaid, ORDER_EXPIRE_DP cancels it, releases its stock and sends the WhatsApp', async () => {
    const timersBefore = (await h.stats()).timers.downPayment;
    const orderId = await h.place(orderInput({ customerPhone: PHONE }));
    await h.until(orderId, (o) => o.status === 'pending_dp');
    // This order's timer, exactly.
    expect((await h.stats()).timers.downPayment).toBe(timersBefore + 1);
    const order = await h.finished(orderId);
    expect(order.status).toBe('cancelled');
    expect(order.error).toContain('ORDER_EXPIRE_DP');
    const resources = await providerResources(orderId);
    expect(resources.filter((r) => r.kind === 'reservation').map((r) => r.status)).toEqual(['released']);
    expect(resources.filter((r) => r.kind === 'authorization' && r.status === 'authorized')).toEqual([]);
    const sent = await eventually(() => h.whatsapps(orderId), (calls) => calls.length > 0, 20_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.request).toMatchObject({ channel: 'whatsapp', recipient: PHONE });
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, {})).status).toBe(409);
  });

  it('when a paid down-payment order is not validated in time, then ORDER_AUTO_REFUND auto-rejects it, refunds the down payment once and releases the stock', async () => {
    const orderId = await h.place();
    await h.until(orderId, (o) => o.status === 'pending_dp');
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, { paymentToken: 'tok_visa' })).status).toBe(202);
    const order = await h.finished(orderId);
    expect(order.status).toBe('rejected');
    expect(order.error).toContain('ORDER_AUTO_REFUND');
    expect(order.rejectionReason).toContain('not validated');
    const resources = await providerResources(orderId);
    expect(resources.filter((r) => r.kind === 'refund').map((r) => r.amount)).toEqual([1500]);
    expect(resources.filter((r) => r.kind === 'reservation').map((r) => r.status)).toEqual(['released']);
    expect(resources.filter((r) => r.kind === 'capture' && r.status === 'captured')).toEqual([]);
  });

  it('when a job\'s provider call fails twice (503), then the job is retried on the schedule, the retries are counted, and it completes', async () => {
    const before = (await h.stats()).byType.ORDER_EXPIRE_DP!;
    await setChaos({ 'inventory.release': { outcomes: { ok: 1 }, sequence: ['503', '503'] } });
    const orderId = await h.place();
    const order = await h.finished(orderId);
    expect(order.status).toBe('cancelled');
    const releases = (await recordedCalls({ domain: 'inventory', operation: 'release' })).filter((c) => c.idempotencyKey?.startsWith(`order-${orderId}-`));
    expect(releases.map((c) => c.outcome)).toEqual(['503', '503', 'ok']);
    const after = (await h.stats()).byType.ORDER_EXPIRE_DP!;
    expect(after.retries - before.retries).toBe(2);
    expect(after.completed - before.completed).toBe(1);
    expect((await providerResources(orderId)).filter((r) => r.kind === 'reservation').map((r) => r.status)).toEqual(['released']);
  });

  it('when a job fails on every attempt (max 3 retries), then it is dead, counted, the health degraded, and the order still ends cancelled naming what is left to undo', async () => {
    const before = (await h.stats()).byType.ORDER_EXPIRE_DP!;
    const deadBefore = (await stack.invoke<{ checks: { deadJobsLast24h: number } }>('GET', '/api/monitoring/queue/health')).body.checks.deadJobsLast24h;
    await setChaos({ 'inventory.release': { outcomes: { ok: 1 }, sequence: ['503', '503', '503', '503'] } });
    const orderId = await h.place();
    const order = await h.finished(orderId);
    expect(order.status).toBe('cancelled');
    expect(order.error).toContain('ORDER_EXPIRE_DP gave up');
    const releases = (await recordedCalls({ domain: 'inventory', operation: 'release' })).filter((c) => c.idempotencyKey?.startsWith(`order-${orderId}-`));
    expect(releases.map((c) => c.outcome)).toEqual(['503', '503', '503', '503']);
    const after = (await h.stats()).byType.ORDER_EXPIRE_DP!;
    expect(after.dead - before.dead).toBe(1);
    expect(after.retries - before.retries).toBe(3);
    const health = await stack.invoke<{ status: string; checks: { deadJobsLast24h: number } }>('GET', '/api/monitoring/queue/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    // This order's dead job, exactly.
    expect(health.body.checks.deadJobsLast24h).toBe(deadBefore + 1);
    // Left for a person, as the error says: the reservation is still held.
    expect((await providerResources(orderId)).filter((r) => r.kind === 'reservation').map((r) => r.status)).toEqual(['reserved']);
  });

  it('when the test queue is not enabled, then POST /api/test-queue does not exist (404)', async () => {
    const response = await stack.invoke<{ code: string }>('POST', '/api/test-queue', { type: 'ORDER_AUTO_REFUND', orderIds: ['order1'] }, h.manager());
    expect(response.status).toBe(404);
  });
});

describe('seed 003 monitoring and the test queue, and seed 002 versioning (long clocks)', () => {
  let stack: AppStack;
  let workflows: DaprWorkflowClient;
  const h = helpers(() => stack);
  beforeAll(async () => {
    stack = await startFulfillmentStack({
      logName: 'seed-003-monitoring',
      env: { DOWN_PAYMENT_EXPIRY_SECONDS: '3600', VALIDATION_TIMEOUT_SECONDS: '3600', JOB_RETRY_DELAYS_SECONDS: '1,1,1', TEST_QUEUE_ENABLED: 'true' },
    });
    // The fulfillment sidecar's own workflow API, with the app's sidecar token (never the client's).
    workflows = new DaprWorkflowClient({ daprHost: '127.0.0.1', daprPort: String(stack.sidecarGrpcPort), daprApiToken: stack.run.daprApiToken });
  });
  afterAll(async () => {
    await workflows?.stop();
    await stack?.stop();
  });
  beforeEach(() => resetProviders());

  it('when GET /api/monitoring/queue/health is called as the document does, then the worker is healthy with its last activity', async () => {
    const response = await stack.invoke<{ status: string; healthy: boolean; worker: { healthy: boolean; running: boolean; lastActivity: string | null }; checks: Record<string, unknown>; timestamp: string }>('GET', '/api/monitoring/queue/health');
    expect(response.status).toBe(200);
    expect(['healthy', 'degraded']).toContain(response.body.status);
    expect(response.body.worker).toMatchObject({ healthy: true, running: true });
    expect(response.body.worker).toHaveProperty('lastActivity');
    expect(response.body.checks).toMatchObject({ database: 'ok', workflowRuntime: 'running' });
  });

  it('when GET /api/monitoring/queue/stats and /info are called, then they give the queue\'s counts per job type over the timers, the outbox and the dead letters', async () => {
    const stats = await h.stats();
    for (const key of ['queueDepth', 'pending', 'processing', 'completed', 'failed', 'dead', 'retries']) expect(typeof (stats as unknown as Record<string, unknown>)[key]).toBe('number');
    expect(Object.keys(stats.byType).sort()).toEqual(['NOTIFICATION_SEND_WHATSAPP', 'ORDER_AUTO_REFUND', 'ORDER_EXPIRE_DP', 'STOCK_RELEASE']);
    expect(stats.timers).toEqual(expect.objectContaining({ approval: expect.any(Number), downPayment: expect.any(Number), validation: expect.any(Number) }));
    expect(typeof stats.outbox.pending).toBe('number');
    expect(typeof stats.deadLetters.pending).toBe('number');
    for (const path of ['/api/monitoring/queue/info', '/api/monitoring/info']) {
      const info = await stack.invoke<{ jobTypes: Record<string, { retry: { delaysSeconds: number[]; maxRetries: number }; delaySeconds: number | null; priority: string }> }>('GET', path);
      expect(info.status).toBe(200);
      expect(info.body.jobTypes.ORDER_EXPIRE_DP).toMatchObject({ delaySeconds: 3600, priority: 'high', retry: { delaysSeconds: [1, 1, 1], maxRetries: 3 } });
      expect(info.body.jobTypes.ORDER_AUTO_REFUND).toMatchObject({ delaySeconds: 3600 });
    }
  });

  it('when POST /api/test-queue {"type":"ORDER_AUTO_REFUND","orderIds":[...]} is sent by a manager, then an order awaiting validation is auto-rejected and refunded now, and an unknown order is reported, not an error', async () => {
    expect((await stack.invoke('POST', '/api/test-queue', { type: 'ORDER_AUTO_REFUND', orderIds: ['order1'] })).status).toBe(401);
    const orderId = await h.place();
    await h.until(orderId, (o) => o.status === 'pending_dp');
    const validationBefore = (await h.stats()).timers.validation;
    expect((await stack.invoke('POST', `/workflows/${orderId}/pay`, {})).status).toBe(202);
    await h.until(orderId, (o) => o.status === 'awaiting_approval');
    // This order's validation timer, exactly.
    expect((await h.stats()).timers.validation).toBe(validationBefore + 1);
    const response = await stack.invoke<{ type: string; results: Array<{ orderId: string; queued: boolean; code?: string }> }>('POST', '/api/test-queue', { type: 'ORDER_AUTO_REFUND', orderIds: [orderId, 'order1'] }, h.manager());
    expect(response.status).toBe(202);
    expect(response.body.results).toEqual([
      expect.objectContaining({ orderId, queued: true }),
      expect.objectContaining({ orderId: 'order1', queued: false, code: 'ORDER_NOT_FOUND' }),
    ]);
    const order = await h.finished(orderId);
    expect(order.status).toBe('rejected');
    expect((await providerResources(orderId)).filter((r) => r.kind === 'refund').map((r) => r.amount)).toEqual([1500]);
    // Asked again: the order no longer waits on that timer; reported, nothing runs twice.
    const again = await stack.invoke<{ results: Array<{ queued: boolean; code?: string }> }>('POST', '/api/test-queue', { type: 'ORDER_AUTO_REFUND', orderIds: [orderId] }, h.manager());
    expect(again.body.results).toEqual([expect.objectContaining({ queued: false, code: 'ORDER_FINISHED' })]);
    expect((await providerResources(orderId)).filter((r) => r.kind === 'refund')).toHaveLength(1);
  });

  it('when ORDER_EXPIRE_DP and NOTIFICATION_SEND_WHATSAPP are queued by hand, then the pending_dp order is cancelled with its stock released, and the WhatsApp goes out once per order status', async () => {
    const orderId = await h.place(orderInput({ customerPhone: PHONE }));
    await h.until(orderId, (o) => o.status === 'pending_dp');
    const notApplicable = await stack.invoke<{ results: Array<{ queued: boolean; code?: string }> }>('POST', '/api/test-queue', { type: 'ORDER_AUTO_REFUND', orderIds: [orderId] }, h.manager());
    expect(notApplicable.body.results).toEqual([expect.objectContaining({ queued: false, code: 'NOT_AWAITING_VALIDATION' })]);
    const expire = await stack.invoke<{ results: Array<{ queued: boolean }> }>('POST', '/api/test-queue', { type: 'ORDER_EXPIRE_DP', orderIds: [orderId] }, h.manager());
    expect(expire.body.results).toEqual([expect.objectContaining({ queued: true })]);
    const order = await h.finished(orderId);
    expect(order.status).toBe('cancelled');
    expect((await providerResources(orderId)).filter((r) => r.kind === 'reservation').map((r) => r.status)).toEqual(['released']);
    // The saga's own WhatsApp after the expiry; by hand for the same status it is the same job (not sent twice).
    await eventually(() => h.whatsapps(orderId), (calls) => calls.length === 1, 20_000);
    const byHand = await stack.invoke<{ results: Array<{ queued: boolean; code?: string }> }>('POST', '/api/test-queue', { type: 'NOTIFICATION_SEND_WHATSAPP', orderIds: [orderId] }, h.manager());
    expect(byHand.status).toBe(202);
    expect(byHand.body.results).toEqual([expect.objectContaining({ queued: false, code: 'JOB_EXISTS' })]);
    // An order in another status gets its own message.
    const other = await h.place(orderInput({ customerPhone: PHONE }));
    await h.until(other, (o) => o.status === 'pending_dp');
    const sent = await stack.invoke<{ results: Array<{ queued: boolean }> }>('POST', '/api/test-queue', { type: 'NOTIFICATION_SEND_WHATSAPP', orderIds: [other] }, h.manager());
    expect(sent.body.results).toEqual([expect.objectContaining({ queued: true })]);
    const calls = await eventually(() => h.whatsapps(other), (c) => c.length === 1, 20_000);
    expect(calls[0]!.request).toMatchObject({ channel: 'whatsapp', recipient: PHONE });
  });

  it('when STOCK_RELEASE is queued with a product and a quantity, then the provider releases that quantity once per job id', async () => {
    const productId = `PROD-${randomUUID()}`;
    const body = { type: 'STOCK_RELEASE', productId, quantity: 3, jobId: 'restock-1' };
    const first = await stack.invoke<{ jobId: string; queued: boolean }>('POST', '/api/test-queue', body, h.manager());
    expect(first.status).toBe(202);
    expect(first.body.queued).toBe(true);
    const released = await eventually(() => providerResources(productId), (r) => r.some((x) => x.kind === 'stock_release'), 20_000);
    expect(released.map((r) => [r.kind, r.amount, r.status])).toEqual([['stock_release', 3, 'released']]);
    const again = await stack.invoke<{ queued: boolean; code?: string }>('POST', '/api/test-queue', body, h.manager());
    expect(again.body).toMatchObject({ queued: false, code: 'JOB_EXISTS' });
    expect((await stack.invoke('POST', '/api/test-queue', { type: 'STOCK_RELEASE', productId, quantity: 0 }, h.manager())).status).toBe(400);
    expect(await providerResources(productId)).toHaveLength(1);
  });

  it('when a saga started under the old workflow name waits on its timer across a restart of the app, then it finishes as the old code says (failed, stock released), while new orders run OrderFulfillmentV4', async () => {
    const orderId = `ORD-V1-${randomUUID()}`;
    const DOWN_PAYMENT_EXPIRY_SECONDS = 30;
    // The input OrderFulfillment took before V2 (no job settings), started through the sidecar's workflow API.
    await workflows.scheduleNewWorkflow('OrderFulfillment', {
      orderId, correlationId: randomUUID(), amount: 5000, currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 1 }],
      address: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'ada@example.com',
      approvalTimeoutSeconds: 120, labelPollSeconds: 0.5, labelDeadlineSeconds: 60,
      downPayment: { amount: 1500, expirySeconds: DOWN_PAYMENT_EXPIRY_SECONDS, validationTimeoutSeconds: 30 },
    }, orderId);
    // Its durable wait: the OrderActor holds the payment-expiry reminder.
    await eventually(() => stack.dapr<{ phase?: string }>('GET', `/v1.0/actors/OrderActor/${orderId}/method/get`), (r) => r.status === 200 && r.body?.phase === 'awaiting_payment', 30_000);
    const waiting = await workflows.getWorkflowState(orderId, false);
    // The expiry is counted from after the run was created, so it cannot be due before createdAt + expirySeconds.
    const earliestExpiry = waiting!.createdAt.getTime() + DOWN_PAYMENT_EXPIRY_SECONDS * 1000;
    await stack.killApp();
    // The kill landed mid-wait: the run was still running and its payment expiry still ahead.
    expect(waiting!.runtimeStatus).toBe(WorkflowRuntimeStatus.RUNNING);
    expect(Date.now()).toBeLessThan(earliestExpiry);
    await stack.startApp();
    const state = await workflows.waitForWorkflowCompletion(orderId, true, 120);
    expect(state?.runtimeStatus).toBe(WorkflowRuntimeStatus.COMPLETED);
    expect(state?.name).toBe('OrderFulfillment');
    const output = JSON.parse(state!.serializedOutput!) as { status: string; error: string };
    // The old rule: an unpaid down payment ends failed (V2: cancelled).
    expect(output.status).toBe('failed');
    expect(output.error).toContain('not paid in time');
    expect((await providerResources(orderId)).filter((r) => r.kind === 'reservation').map((r) => r.status)).toEqual(['released']);
    // New orders start the new name.
    const newOrder = await h.place();
    expect((await workflows.getWorkflowState(newOrder, false))?.name).toBe('OrderFulfillmentV4');
  });

  // V2: each step its own activity; V3: authorize, reserve and capture in one, the label and the shipping in another.
  it.each(['OrderFulfillmentV2', 'OrderFulfillmentV3'])('when an auto-approved saga started under %s runs after V4 came, then it ships as that version ran it: charged once, nothing left held', async (name) => {
    const orderId = `ORD-${name}-${randomUUID()}`;
    // The input the version took, started through the sidecar's workflow API as the app started it before V4.
    await workflows.scheduleNewWorkflow(name, {
      orderId, correlationId: randomUUID(), amount: 5000, currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 1 }],
      address: { line1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' }, customerEmail: 'ada@example.com',
      approvalTimeoutSeconds: 120, autoApprovedBy: 'auto-approval', labelPollSeconds: 0.5, labelDeadlineSeconds: 60, jobRetryDelaysSeconds: [1, 1, 1],
    }, orderId);
    const state = await workflows.waitForWorkflowCompletion(orderId, true, 60);
    expect(state?.name).toBe(name);
    expect(JSON.parse(state!.serializedOutput!)).toEqual({ status: 'shipped', compensations: [] });
    expect((await providerResources(orderId)).map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['authorization:captured', 'capture:captured', 'label:created', 'notification:sent', 'reservation:reserved']);
    const captures = (await recordedCalls({ domain: 'payment', operation: 'capture' })).filter((c) => c.idempotencyKey === `order-${orderId}-capture` && c.outcome === 'ok' && !c.replayed);
    expect(captures).toHaveLength(1);
  });
});
