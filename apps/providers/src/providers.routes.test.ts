/** The providers app in-process on a free port: the control surface later issues rely on. */
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
beforeEach(async () => {
  await fetch(`${base}/admin/chaos`, { method: 'DELETE' });
  await fetch(`${base}/admin/calls`, { method: 'DELETE' });
  await fetch(`${base}/admin/resources`, { method: 'DELETE' });
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
    const timeoutMs = 300;
    await putChaos({ rules: { 'inventory.reserve': { outcomes: { timeout: 1 }, timeoutMs } } });
    const started = Date.now();
    const response = await post('/inventory/reserve', { reference: 'o-1', items: [{ sku: 'A', quantity: 1 }] });
    expect(response.status).toBe(504);
    // Not answered before timeoutMs (a tenth of it for the timer's granularity); no upper bound.
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs * 0.9);
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

  it('when chaos is put without a body, then it is a 400 (the document requires one), and nothing changes', async () => {
    const response = await fetch(`${base}/admin/chaos`, { method: 'PUT' });
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('when mail names an address its document calls invalid (a local part over 64 characters, a label ending in a hyphen), then it is a 400', async () => {
    for (const from of [`${'a'.repeat(65)}@holdfast.dev`, 'tickets@holdfast-.dev']) {
      const response = await post('/v3/mail/send', { personalizations: [{ to: [{ email: 'ada@example.com' }] }], from: { email: from } });
      expect([from, response.status]).toEqual([from, 400]);
    }
  });
});

describe('providers app resources', () => {
  const get = async (path: string) => { const r = await fetch(`${base}${path}`); return { status: r.status, body: (await r.json()) as any }; };
  const json = async (r: Promise<Response>) => { const response = await r; return { status: response.status, body: (await response.json()) as any }; };

  it('when an authorization is captured and then refunded, then its history says so and a second capture or a release is refused', async () => {
    const auth = await json(post('/payment/authorize', { amount: 500, reference: 'order-r1' }));
    const capture = await json(post('/payment/capture', { authorizationId: auth.body.authorizationId }, { 'Idempotency-Key': 'c-1' }));
    expect(capture.status).toBe(200);
    expect((await json(post('/payment/capture', { authorizationId: auth.body.authorizationId }, { 'Idempotency-Key': 'c-2' }))).status).toBe(409);
    expect((await json(post('/payment/release', { authorizationId: auth.body.authorizationId }))).status).toBe(409);
    expect((await json(post('/payment/refund', { captureId: capture.body.captureId }))).status).toBe(200);
    expect((await get(`/payment/${auth.body.authorizationId}/status`)).body.history.map((h: { status: string }) => h.status)).toEqual(['authorized', 'captured', 'refunded']);
    const byReference = (await get('/admin/resources?reference=order-r1')).body.resources as Array<{ kind: string; status: string }>;
    expect(byReference.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['authorization:refunded', 'capture:refunded', 'refund:refunded']);
  });

  it('when a released authorization is captured, then it is a 410 and nothing is charged', async () => {
    const auth = await json(post('/payment/authorize', { amount: 500, reference: 'order-r2' }));
    await post('/payment/release', { authorizationId: auth.body.authorizationId });
    expect((await json(post('/payment/capture', { authorizationId: auth.body.authorizationId }))).status).toBe(410);
    expect((await get('/admin/resources?reference=order-r2&kind=capture')).body.resources).toEqual([]);
  });

  it('when a label takes workMs, then it is accepted in progress, reports progress, and is created once the work is done', async () => {
    const workMs = 1_000;
    await putChaos({ rules: { 'shipping.create-label': { outcomes: { ok: 1 }, workMs } } });
    const label = await json(post('/shipping/create-label', { reference: 'order-r3', address: { line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' } }));
    expect(label.status).toBe(202);
    expect(label.body).toMatchObject({ status: 'in_progress', progress: 0 });
    // Polled, not slept for: the first answer that shows progress shows it midway, and the label is created within three times workMs.
    const statusUntil = async (accept: (s: { status: string; progress: number }) => boolean) => {
      const deadline = Date.now() + 3 * workMs;
      for (;;) {
        const current = (await get(`/shipping/${label.body.labelId}/status`)).body as { status: string; progress: number };
        if (accept(current) || Date.now() > deadline) return current;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const midway = await statusUntil((s) => s.progress > 0);
    expect(midway.status).toBe('in_progress');
    expect(midway.progress).toBeGreaterThan(0);
    expect(midway.progress).toBeLessThan(100);
    expect(await statusUntil((s) => s.status === 'created')).toMatchObject({ status: 'created', progress: 100 });
  });

  it('when an unknown id is asked for, then it is a 404', async () => {
    expect((await get('/inventory/res_nope/status')).status).toBe(404);
    expect((await json(post('/inventory/release', { reservationId: 'res_nope' }))).status).toBe(404);
  });
});

describe('providers app idempotency', () => {
  it('when a key that succeeded comes back with other parameters, then it is a 422 and nothing happens', async () => {
    expect((await post('/payment/authorize', authorize, { 'Idempotency-Key': 'same-key' })).status).toBe(200);
    const other = await post('/payment/authorize', { ...authorize, amount: 9999 }, { 'Idempotency-Key': 'same-key' });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { type: string } }).error.type).toBe('idempotency_error');
    expect((await (await fetch(`${base}/admin/resources?reference=hold-1&kind=authorization`)).json() as { resources: unknown[] }).resources).toHaveLength(1);
  });

  it('when several retries wait for a first attempt that fails, then only one of them acts', async () => {
    await putChaos({ rules: { 'inventory.reserve': { outcomes: { ok: 1 }, latencyMs: 200, sequence: ['500'] } } });
    const body = { reference: 'order-flight', items: [{ sku: 'A', quantity: 1 }] };
    const first = post('/inventory/reserve', body, { 'Idempotency-Key': 'flight-1' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const retries = await Promise.all([1, 2, 3].map(() => post('/inventory/reserve', body, { 'Idempotency-Key': 'flight-1' })));
    expect((await first).status).toBe(500);
    const ids = await Promise.all(retries.map(async (r) => ((await r.json()) as { reservationId: string }).reservationId));
    expect(new Set(ids).size).toBe(1);
    expect((await (await fetch(`${base}/admin/resources?reference=order-flight`)).json() as { resources: unknown[] }).resources).toHaveLength(1);
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
