/** Seed 003's provider side, in-process: a WhatsApp notification and a stock release by product and quantity. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createHttpApp, finishHttpApp } from '@holdfast/shared/src/base';
import { adminRouter, createProvidersState, providersRouter } from './providers.routes';

let server: Server;
let base: string;

beforeAll(async () => {
  const logger = pino({ level: 'silent' });
  const state = createProvidersState({ rules: {}, seed: 7 });
  const { app } = createHttpApp({ name: 'providers', logger });
  app.use('/admin', adminRouter(state));
  app.use(providersRouter(state, logger));
  finishHttpApp(app, logger);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const post = (path: string, body: unknown, key?: string) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) });
const resources = async (reference: string) => ((await (await fetch(`${base}/admin/resources?reference=${encodeURIComponent(reference)}`)).json()) as { resources: Array<Record<string, unknown>> }).resources;

describe('providers app, seed 003', () => {
  it('when a WhatsApp notification goes to a phone number, then it is sent; to anything else it is a 400', async () => {
    const sent = await post('/notification/send', { channel: 'whatsapp', recipient: '+4915112345678', message: 'Your order was cancelled.', reference: 'ord-wa' });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toMatchObject({ status: 'sent' });
    expect((await resources('ord-wa')).map((r) => [r.kind, r.status])).toEqual([['notification', 'sent']]);
    expect((await post('/notification/send', { channel: 'whatsapp', recipient: 'ada@example.com', message: 'x' })).status).toBe(400);
  });

  it('when stock is released by product and quantity, then it is recorded for the product, once per idempotency key', async () => {
    const body = { productId: 'PROD-9', quantity: 4 };
    const first = await post('/inventory/release-stock', body, 'job-STOCK_RELEASE:PROD-9:a');
    expect(first.status).toBe(200);
    const again = await post('/inventory/release-stock', body, 'job-STOCK_RELEASE:PROD-9:a');
    expect(await again.json()).toEqual(await first.json());
    expect((await resources('PROD-9')).map((r) => [r.kind, r.amount, r.status])).toEqual([['stock_release', 4, 'released']]);
    expect((await post('/inventory/release-stock', { productId: 'PROD-9', quantity: 0 })).status).toBe(400);
  });
});
