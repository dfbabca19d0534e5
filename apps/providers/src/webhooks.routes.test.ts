/** The providers app in-process with a webhook endpoint of our own: a refund is announced, signed, and can be resent. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import Stripe from 'stripe';
import { createHttpApp, finishHttpApp, httpRequest } from '@holdfast/shared/src/base';
import { adminRouter, createProvidersState, providersRouter } from './providers.routes';
import { WebhookSender } from './domain/webhooks';

const SECRET = 'whsec_routes_test';
let provider: Server;
let providerWithoutWebhooks: Server;
let endpoint: Server;
let base: string;
let baseWithoutWebhooks: string;
/** What the endpoint received; it answers with the next status of `answers` (200 once they run out). */
const received: Array<{ body: string; signature: string }> = [];
const answers: number[] = [];

const listenOnFreePort = async (server: Server) => {
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

function providersApp(webhooks?: WebhookSender): Server {
  const logger = pino({ level: 'silent' });
  const state = createProvidersState({ rules: {}, seed: 7 }, webhooks);
  const { app } = createHttpApp({ name: 'providers', logger });
  app.use('/admin', adminRouter(state));
  app.use(providersRouter(state, logger));
  finishHttpApp(app, logger);
  return createServer(app);
}

beforeAll(async () => {
  endpoint = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature']) });
      res.statusCode = answers.shift() ?? 200;
      res.end('{"received":true}');
    });
  });
  const endpointUrl = await listenOnFreePort(endpoint);
  const sender = new WebhookSender(
    { url: `${endpointUrl}/webhooks/payments`, secret: SECRET, delayMs: 20, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, timeoutMs: 2_000 },
    (url, body, headers, timeoutMs) => httpRequest(url, { method: 'POST', headers, body, timeoutMs }),
    (prefix) => `${prefix}_${randomUUID().replace(/-/g, '')}`,
  );
  provider = providersApp(sender);
  base = await listenOnFreePort(provider);
  providerWithoutWebhooks = providersApp();
  baseWithoutWebhooks = await listenOnFreePort(providerWithoutWebhooks);
});
afterAll(async () => {
  for (const server of [provider, providerWithoutWebhooks, endpoint]) await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  received.length = 0;
  answers.length = 0;
  await fetch(`${base}/admin/webhooks`, { method: 'DELETE' });
});

const refund = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/refunds`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 3_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
interface DeliveryView { eventId: string; type: string; objectId: string; status: string; attempts: number; lastStatus: number | null }
const deliveries = async (url = base, query = '') =>
  (await (await fetch(`${url}/admin/webhooks${query}`)).json()) as { enabled: boolean; deliveries: DeliveryView[] };

const request = { amount: 4200, currency: 'EUR', paymentReference: 'booking-1', reason: 'show cancelled', metadata: { bookingId: 'b-1', refundKey: 'booking-b-1-refund' } };

describe('providers app payment webhooks', () => {
  it('when a refund succeeds, then a signed charge.refunded event with the refund and its metadata reaches the endpoint', async () => {
    const answer = (await (await refund(base, request)).json()) as { refundId: string };
    await until(() => received.length === 1);
    const event = Stripe.webhooks.constructEvent(received[0]!.body, received[0]!.signature, SECRET, 300);
    expect(event).toMatchObject({
      object: 'event', type: 'charge.refunded',
      data: { object: { id: answer.refundId, object: 'refund', amount: 4200, currency: 'eur', status: 'succeeded', payment_reference: 'booking-1', metadata: request.metadata } },
    });
    await until(async () => (await deliveries()).deliveries[0]?.status === 'delivered');
    expect((await deliveries()).deliveries).toMatchObject([{ eventId: event.id, type: 'charge.refunded', objectId: answer.refundId, attempts: 1, lastStatus: 200 }]);
  });

  it('when the endpoint fails, then the event is retried, and a resend sends the same event again', async () => {
    answers.push(500, 503);
    await refund(base, request);
    await until(async () => (await deliveries()).deliveries[0]?.status === 'delivered');
    const [delivery] = (await deliveries()).deliveries;
    expect(delivery).toMatchObject({ attempts: 3, lastStatus: 200 });
    expect(new Set(received.map((r) => JSON.parse(r.body).id))).toEqual(new Set([delivery!.eventId]));

    const resent = await fetch(`${base}/admin/webhooks/${delivery!.eventId}/resend`, { method: 'POST' });
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ eventId: delivery!.eventId, attempts: 4, attempt: { status: 200, manual: true } });
    expect(received).toHaveLength(4);
    expect(received[3]!.body).toBe(received[0]!.body);
    expect((await fetch(`${base}/admin/webhooks/evt_nope/resend`, { method: 'POST' })).status).toBe(404);
  });

  it('when a refund is replayed under its idempotency key or refused, then no second event is sent', async () => {
    const key = { 'Idempotency-Key': 'refund-once' };
    await refund(base, request, key);
    await refund(base, request, key);
    expect((await refund(base, { ...request, metadata: { bookingId: { nested: true } } })).status).toBe(400);
    await until(async () => (await deliveries()).deliveries[0]?.status === 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(1);
  });

  it('when no webhook URL is configured, then refunds still work and nothing is sent', async () => {
    expect((await refund(baseWithoutWebhooks, request)).status).toBe(200);
    expect(await deliveries(baseWithoutWebhooks)).toEqual({ enabled: false, url: null, deliveries: [] });
    expect((await fetch(`${baseWithoutWebhooks}/admin/webhooks/evt_x/resend`, { method: 'POST' })).status).toBe(404);
  });
});
