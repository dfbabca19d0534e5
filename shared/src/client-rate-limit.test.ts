/** The per-credential request limit, on an in-process express app. */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { clientRateLimit } from './client-rate-limit';

async function withApp(perSecond: number, run: (url: string) => Promise<void>) {
  const app = express();
  app.use(clientRateLimit({ self: 'booking', perSecond }));
  app.get('/api/x', (_req, res) => void res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/x`);
  } finally {
    server.close();
  }
}

const get = (url: string, caller?: string) => fetch(url, { headers: caller ? { 'dapr-caller-app-id': caller } : {} });

describe('clientRateLimit', () => {
  it('when one client credential sends more than its rate in a second, then the rest get 429 with Retry-After and a problem', async () => {
    await withApp(3, async (url) => {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await get(url, 'gateway')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await get(url, 'gateway');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    });
  });

  it('when another credential, the app\'s own sidecar or no caller at all sends, then the first one\'s budget does not apply', async () => {
    await withApp(2, async (url) => {
      for (let i = 0; i < 3; i++) await get(url, 'gateway');
      expect((await get(url, 'gateway')).status).toBe(429);
      expect((await get(url, 'gateway-boxoffice')).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await get(url, 'booking')).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await get(url)).status).toBe(200);
    });
  });

  it('when the window has passed, then the client may send again', async () => {
    await withApp(1, async (url) => {
      expect((await get(url, 'gateway')).status).toBe(200);
      const refused = await get(url, 'gateway');
      expect(refused.status).toBe(429);
      // Waited for the Retry-After the answer named (the window began before it was given, so it has passed), not a literal.
      await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000));
      expect((await get(url, 'gateway')).status).toBe(200);
    });
  });

  it('when the limit is 0, then nothing is limited', async () => {
    await withApp(0, async (url) => {
      for (let i = 0; i < 10; i++) expect((await get(url, 'gateway')).status).toBe(200);
    });
  });
});
