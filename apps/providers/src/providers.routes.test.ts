/** The providers app in-process on a free port: the control surface later issues rely on. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pino from 'pino';
import { createHttpApp, finishHttpApp } from '@holdfast/shared';
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
beforeEach(async () => {
  await fetch(`${base}/admin/chaos`, { method: 'DELETE' });
  await fetch(`${base}/admin/calls`, { method: 'DELETE' });
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const putChaos = (body: unknown) =>
  fetch(`${base}/admin/chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const calls = async (query = '') => ((await (await fetch(`${base}/admin/calls${query}`)).json()) as { calls: Array<Record<string, unknown>> }).calls;

const authorize = { amount: 4200, currency: 'EUR', token: 'tok_unknown', reference: 'hold-1' };

describe('providers app', () => {
  it('when a test token is used, then it decides the payment whatever the chaos', async () => {
    expect((await putChaos({ rules: { 'payment.authorize': { outcomes: { '500': 1 } } } })).status).toBe(200);
    expect((await post('/payment/authorize', { ...authorize, token: 'tok_visa' })).status).toBe(200);
    expect((await post('/payment/authorize', { ...authorize, token: 'tok_chargeDeclined' })).status).toBe(402);
    expect((await post('/payment/authorize', authorize)).status).toBe(500);
  });

  it('when a request repeats an idempotency key that succeeded, then it gets the same answer, recorded as a replay', async () => {
    const first = await (await post('/payment/authorize', authorize, { 'Idempotency-Key': 'hold-1:authorize' })).json();
    const again = await (await post('/payment/authorize', authorize, { 'Idempotency-Key': 'hold-1:authorize' })).json();
    expect(again).toEqual(first);
    expect((await calls('?domain=payment&operation=authorize')).map((c) => c.replayed)).toEqual([false, true]);
  });

  it('when an attempt with a key failed, then a retry with that key is a fresh attempt', async () => {
    await putChaos({ rules: { 'payment.authorize': { outcomes: { ok: 1 }, sequence: ['500'] } } });
    expect((await post('/payment/authorize', authorize, { 'Idempotency-Key': 'k' })).status).toBe(500);
    expect((await post('/payment/authorize', authorize, { 'Idempotency-Key': 'k' })).status).toBe(200);
    expect((await calls()).map((c) => [c.outcome, c.idempotencyKey])).toEqual([['500', 'k'], ['ok', 'k']]);
  });

  it('when the outcome is timeout, then the answer is held for timeoutMs and is a 504', async () => {
    await putChaos({ rules: { 'inventory.reserve': { outcomes: { timeout: 1 }, timeoutMs: 300 } } });
    const started = Date.now();
    const response = await post('/inventory/reserve', { reference: 'o-1', items: [{ sku: 'A', quantity: 1 }] });
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('when a request is malformed, then it is a 400 and still recorded', async () => {
    expect((await post('/sms/send', { to: 'not a phone', body: '' })).status).toBe(400);
    expect(await calls('?domain=sms')).toMatchObject([{ operation: 'send', status: 400 }]);
  });

  it('when SendGrid mail is sent, then the answer is 202 with an X-Message-Id', async () => {
    const response = await post('/v3/mail/send', {
      personalizations: [{ to: [{ email: 'ada@example.com' }] }], from: { email: 'tickets@holdfast.dev' }, subject: 'Tickets',
      content: [{ type: 'text/plain', value: 'Enjoy the show' }],
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-message-id')).toMatch(/^sg_/);
  });

  it('when chaos is updated, then omitted operations keep their rules and the seed is reported', async () => {
    await putChaos({ rules: { 'payment.capture': { outcomes: { '409': 1 } } } });
    const view = (await (await putChaos({ rules: { 'payment.authorize': { outcomes: { ok: 1 }, latencyMs: 5 } }, seed: 99 })).json()) as { seed: number; rules: Record<string, unknown> };
    expect(view.seed).toBe(99);
    expect(Object.keys(view.rules).sort()).toEqual(['payment.authorize', 'payment.capture']);
  });

  it('when chaos names an unknown operation or bad probabilities, then it is a 400 with a code', async () => {
    expect(await (await putChaos({ rules: { 'payment.teleport': { outcomes: { ok: 1 } } } })).json()).toMatchObject({ code: 'UNKNOWN_OPERATION' });
    expect(await (await putChaos({ rules: { 'payment.capture': { outcomes: { ok: 0.3 } } } })).json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('providers app under retries', () => {
  it('when a retry with the same key arrives while the first attempt is still running, then there is one effect', async () => {
    await putChaos({ rules: { 'sms.send': { outcomes: { ok: 1 }, latencyMs: 300 } } });
    const body = { to: '+4915112345678', body: 'Doors open at 7' };
    const [first, second] = await Promise.all([
      post('/sms/send', body, { 'Idempotency-Key': 'sms-1' }),
      new Promise((resolve) => setTimeout(resolve, 50)).then(() => post('/sms/send', body, { 'Idempotency-Key': 'sms-1' })),
    ]);
    const messageId = async (r: unknown) => ((await (r as Response).json()) as { messageId: string }).messageId;
    expect(await messageId(second)).toBe(await messageId(first));
    expect((await calls('?domain=sms')).map((c) => c.replayed)).toEqual([false, true]);
  });
});
