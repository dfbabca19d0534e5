import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, HttpTimeoutError } from './http-client';

let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 300);
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body }));
    });
  });
  // A server that drops idle connections quickly: the client must not trip over them.
  server.keepAliveTimeout = 30;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

describe('http client', () => {
  it('when requests come with pauses longer than the server keeps idle connections, then every one succeeds', async () => {
    for (let i = 0; i < 10; i++) {
      const response = await httpRequest(`${url}/echo`, { method: 'PUT', body: `{"i":${i}}`, timeoutMs: 2_000 });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ method: 'PUT', body: `{"i":${i}}` });
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  });

  it('when the server answers 404, then it resolves with the status for the caller to judge', async () => {
    expect((await httpRequest(`${url}/missing`, { method: 'GET', timeoutMs: 2_000 })).status).toBe(404);
  });

  it('when the server does not answer in time, then it rejects with a timeout naming the URL', async () => {
    await expect(httpRequest(`${url}/slow`, { method: 'GET', timeoutMs: 100 })).rejects.toBeInstanceOf(HttpTimeoutError);
  });
});
