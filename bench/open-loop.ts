/**
 * An open loop at a fixed offered rate: request i leaves at start + i / rate, whatever the earlier
 * ones are doing, and its latency counts from when it was due (a send the load generator made late
 * is charged to the latency, not hidden: no coordinated omission).
 *
 * Not autocannon's `overallRate`: that splits the rate over its connections, each with its own
 * one-second timer, all started together, so 100/s offered went out as 100 requests at once at
 * the top of every second; and it corrects for coordinated omission with an expected interval of
 * `ceil(1 / per-connection rate)` ms (1 ms at 1 request a second per connection), adding a made-up
 * sample for every millisecond of every response. Its p50 / p99 were a burst's, drawn out.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './support';

export interface OpenLoopRequest { method: 'POST' | 'GET'; path: string; body?: unknown; headers?: Record<string, string> }

export interface OpenLoopResult {
  /** Answers per second, from the first request's due time to the last answer. */
  rps: number;
  p50: number;
  p99: number;
  /** Non-2xx answers, failed connections and timeouts. */
  errors: number;
  total: number;
  /** Requests sent more than 5 ms after they were due (the load generator fell behind: its figures then overstate). */
  lateSends: number;
}

export async function openLoop(url: string, headers: Record<string, string>, requests: OpenLoopRequest[], rate: number, options: { maxSockets?: number; timeoutMs?: number } = {}): Promise<OpenLoopResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const timeoutMs = options.timeoutMs ?? 30_000;
  const latencies: number[] = [];
  let errors = 0;
  let lateSends = 0;
  let lastAnswer = 0;

  const send = (request: OpenLoopRequest, due: number) => new Promise<void>((resolve) => {
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    if (performance.now() - due > 5) lateSends++;
    const finish = (ok: boolean) => {
      const now = performance.now();
      if (ok) latencies.push(now - due);
      else errors++;
      lastAnswer = Math.max(lastAnswer, now);
      resolve();
    };
    const req = http.request({
      host: target.hostname, port: target.port, method: request.method, path: request.path, agent,
      headers: { ...headers, ...request.headers, ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}) },
    }, (res) => {
      res.resume();
      res.on('end', () => finish((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      res.on('error', () => finish(false));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(false));
    req.end(body);
  });

  const interval = 1000 / rate;
  const start = performance.now() + 20;
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < requests.length; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    inFlight.push(send(requests[i]!, due));
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const seconds = Math.max(0.001, (lastAnswer - start) / 1000);
  return { rps: (latencies.length + errors) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, total: latencies.length + errors, lateSends };
}
