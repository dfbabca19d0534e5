/** The shared express app in-process: the text guard and the 405 answer every app inherits. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { request } from 'node:http';
import express, { Router } from 'express';
import pino from 'pino';
import { createHttpApp, finishHttpApp } from './http-app';

let server: Server;
let base: string;
const seen: Array<{ route: string; method: string; body: unknown; params: unknown }> = [];

beforeAll(async () => {
  const logger = pino({ level: 'silent' });
  const { app } = createHttpApp({
    name: 'test', logger,
    rawBodyRoutes: (a) => a.post('/webhooks/raw', express.raw({ type: () => true }), (req, res) => void res.json({ bytes: (req.body as Buffer).length })),
  });
  const record = (route: string): express.RequestHandler => (req, res) => {
    seen.push({ route, method: req.method, body: req.body, params: { ...req.params } });
    res.json({ route });
  };
  const shows = Router();
  shows.post('/api/shows/:showId/holds', record('place'));
  shows.get('/api/holds/:holdId', record('get'));
  shows.delete('/api/holds/:holdId', record('release'));
  shows.get('/api/bookings/:bookingId/tickets/:seatId.png', record('png'));
  shows.post('/api/echo', record('echo'));
  app.use(shows);
  const admin = Router();
  admin.put('/chaos', record('chaos'));
  admin.post('/webhooks/:eventId/resend', record('resend'));
  app.use('/admin', admin);
  // As the Dapr SDK registers them: on the app itself, after our routes; actor arguments are bare JSON values.
  app.put('/actors/:actorType/:actorId/method/:method', record('actor'));
  finishHttpApp(app, logger);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => void (seen.length = 0));

/** JSON text as sent on the wire (JSON.stringify would keep the escapes too; this makes them explicit). */
async function send(method: string, path: string, rawJson?: string) {
  const response = await fetch(`${base}${path}`, {
    method, headers: rawJson === undefined ? {} : { 'content-type': 'application/json' }, body: rawJson,
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), allow: response.headers.get('allow'), body: text ? JSON.parse(text) : undefined };
}

/** A raw request line, for paths fetch would normalise. */
function rawRequest(method: string, path: string): Promise<{ status: number; body: any; allow?: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, allow: res.headers.allow }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the text guard', () => {
  it('when a JSON body string or key holds NUL or a lone surrogate at any depth, then it is a 400 VALIDATION_FAILED naming the field, before the handler', async () => {
    const answer = await send('POST', '/api/echo', '{"title":"Hamlet\\u0000","policy":{"zonePrices":{"VIP\\ud800":100}},"seatIds":["A-1","\\udc00"]}');
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(answer.body.errors).toEqual(expect.arrayContaining([
      { path: 'body.title', message: expect.any(String), code: 'invalid_format' },
      { path: 'body.policy.zonePrices', message: expect.stringMatching(/key/), code: 'invalid_key' },
      { path: 'body.seatIds.1', message: expect.any(String), code: 'invalid_format' },
    ]));
    expect(seen).toEqual([]);
  });

  it('when the text is valid (accents, emoji as surrogate pairs, control characters other than NUL), then the handler gets it unchanged', async () => {
    const answer = await send('POST', '/api/echo', '{"title":"Caf\\u00e9 \\ud83c\\udfad \\u0001","k\\u00fcr":["\\u2028"]}');
    expect(answer.status).toBe(200);
    expect(seen[0]!.body).toEqual({ title: 'Café 🎭 \u0001', 'kür': ['\u2028'] });
  });

  it('when an actor call carries a bare JSON value (the parser is not strict), then it passes; a bare bad string does not', async () => {
    expect((await send('PUT', '/actors/HoldActor/h-1/method/place', '2')).status).toBe(200);
    expect((await send('PUT', '/actors/HoldActor/h-1/method/place', 'null')).status).toBe(200);
    expect((await send('PUT', '/actors/HoldActor/h-1/method/place', '{"seatIds":["A-1"],"customerId":"c-1"}')).status).toBe(200);
    expect(seen.map((s) => s.body)).toEqual([2, null, { seatIds: ['A-1'], customerId: 'c-1' }]);
    const bad = await send('PUT', '/actors/HoldActor/h-1/method/place', '"\\u0000"');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'body', message: expect.any(String), code: 'invalid_format' }]);
  });

  it('when a query value holds NUL, then it is named query.<name>', async () => {
    const answer = await send('GET', '/api/holds/h-1?topic=ticket%00&limit=5');
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([{ path: 'query.topic', message: expect.any(String), code: 'invalid_format' }]);
    expect((await send('GET', '/api/holds/h-1?topic=ticket%C3%A9')).status).toBe(200);
  });

  it('when a path parameter holds NUL or a percent-encoded surrogate, then it is named params.<name>, in mounted routers too', async () => {
    const nul = await send('GET', '/api/holds/%00');
    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([{ path: 'params.holdId', message: expect.any(String), code: 'invalid_format' }]);
    const surrogate = await rawRequest('GET', '/api/bookings/b-1/tickets/A-%ED%A0%80.png');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.errors).toEqual([{ path: 'params.seatId', message: expect.stringMatching(/UTF-8/), code: 'invalid_format' }]);
    const actor = await send('PUT', '/actors/HoldActor/h%00/method/place', '1');
    expect(actor.body.errors).toEqual([{ path: 'params.actorId', message: expect.any(String), code: 'invalid_format' }]);
    const mounted = await send('POST', '/admin/webhooks/evt%00/resend');
    expect(mounted.body.errors).toEqual([{ path: 'params.eventId', message: expect.any(String), code: 'invalid_format' }]);
    expect(seen).toEqual([]);
    // Percent-encoded valid text reaches the handler decoded.
    expect((await send('GET', '/api/holds/caf%C3%A9')).status).toBe(200);
    expect(seen[0]!.params).toEqual({ holdId: 'café' });
  });

  it('when a raw-body route (a signed webhook) is called, then the guard leaves its bytes to it', async () => {
    const answer = await send('POST', '/webhooks/raw', '{"id":"evt_\\u0000"}');
    expect(answer).toMatchObject({ status: 200, body: { bytes: 19 } });
  });
});

describe('methods a path does not declare', () => {
  it('when a path exists with other methods, then it is a 405 METHOD_NOT_ALLOWED with an Allow header, and no handler runs', async () => {
    const patch = await send('PATCH', '/api/holds/h-1', '{}');
    expect(patch).toMatchObject({ status: 405, allow: 'DELETE, GET, HEAD', body: { code: 'METHOD_NOT_ALLOWED', allow: ['DELETE', 'GET', 'HEAD'] } });
    expect(patch.type).toMatch(/^application\/problem\+json/);
    const query = await send('QUERY', '/api/shows/s-1/holds', '{"seatIds":["A-1"]}');
    expect(query).toMatchObject({ status: 405, allow: 'POST', body: { code: 'METHOD_NOT_ALLOWED' } });
    expect((await send('PUT', '/api/shows/s-1/holds', '{}')).allow).toBe('POST');
    expect((await send('GET', '/admin/chaos')).allow).toBe('PUT');
    expect(seen).toEqual([]);
  });

  it('when the method is declared (HEAD through GET), the path unknown, or OPTIONS is asked, then the usual answer comes', async () => {
    expect((await send('GET', '/api/holds/h-1')).status).toBe(200);
    expect((await fetch(`${base}/api/holds/h-1`, { method: 'HEAD' })).status).toBe(200);
    expect((await send('PATCH', '/api/nothing-here')).body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    expect((await send('QUERY', '/api/nothing-here')).status).toBe(404);
    const options = await fetch(`${base}/api/holds/h-1`, { method: 'OPTIONS' });
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('DELETE, GET, HEAD');
  });
});
