/**
 * CPU per local HTTP round trip, client and server in this process: the global fetch against
 * shared/src/http-client.ts (node:http with a keep-alive agent). `node --import tsx bench/http-roundtrip.ts`.
 * Why the apps call their sidecar and the providers with the latter.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from '../shared/src/http-client';

async function main() {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  const body = '{"x":1}';
  const clients: Record<string, () => Promise<unknown>> = {
    'global fetch': () => fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(30_000) }).then((r) => r.text()),
    'node:http keep-alive (httpRequest)': () => httpRequest(url, { method: 'PUT', body, headers: { 'content-type': 'application/json' }, timeoutMs: 30_000 }),
  };
  const rows: string[] = [];
  for (const round of [1, 2]) {
    for (const [name, call] of Object.entries(clients)) {
      for (let i = 0; i < 500; i++) await call(); // warm-up
      const n = 5000;
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await call();
      const used = process.cpuUsage(cpu);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      rows.push(`| ${round} | ${name} | ${(((used.user + used.system) / 1000) / n).toFixed(3)} | ${(wallMs / n).toFixed(3)} |`);
    }
  }
  server.close();
  console.log('\nOne local round trip, sequential, client and server in one process (5,000 calls per row)\n');
  console.log('| round | client | CPU ms per call | wall ms per call |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(row);
}

void main();
