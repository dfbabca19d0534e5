/**
 * The Jobs API adapter against a stand-in for the sidecar (what it sends), and its /job/:name
 * callback in the shared express app behind the app token and the invocation guard (who gets in).
 * The real sidecar and scheduler: tests/integration/delivery-dead-letter-reprocess.test.ts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { z } from 'zod';
import { createHttpApp, finishHttpApp } from './http-app';
import { invocationGuard } from './invocation-guard';
import { goDuration, JobExistsError, jobRequestBody, matchJobHandler, SchedulerJobs, serveJobs } from './scheduler-jobs';
import type { SidecarSettings } from './sidecar';

describe('jobRequestBody', () => {
  it('when a recurring job is given, then daprd gets its schedule, data and failure policy, overwriting by default', () => {
    expect(jobRequestBody({ name: 'dlq', schedule: '@every 15m', data: { kind: 'tick' }, failurePolicy: { drop: {} } }))
      .toEqual({ overwrite: true, schedule: '@every 15m', data: { kind: 'tick' }, failurePolicy: { drop: {} } });
  });

  it('when a one-shot job is given, then dueTime, repeats, ttl and overwrite:false pass as they are', () => {
    expect(jobRequestBody({ name: 'r', dueTime: '60s', repeats: 1, ttl: '1h', overwrite: false, failurePolicy: { constant: { interval: '5s', maxRetries: 2 } } }))
      .toEqual({ overwrite: false, dueTime: '60s', repeats: 1, ttl: '1h', failurePolicy: { constant: { interval: '5s', maxRetries: 2 } } });
  });

  it('when neither schedule nor dueTime is given, or repeats is not positive, then it throws before calling the sidecar', () => {
    expect(() => jobRequestBody({ name: 'x' })).toThrow(/schedule or a dueTime/);
    expect(() => jobRequestBody({ name: 'x', dueTime: '1s', repeats: 0 })).toThrow(/repeats/);
  });
});

describe('goDuration and matchJobHandler', () => {
  it('when given milliseconds, then the largest whole Go unit is used', () => {
    expect(goDuration(900_000)).toBe('15m');
    expect(goDuration(7_200_000)).toBe('2h');
    expect(goDuration(2_000)).toBe('2s');
    expect(goDuration(1_500)).toBe('1500ms');
    expect(goDuration(0)).toBe('0s');
  });

  it('when a name matches exactly, it wins; else the longest prefix', () => {
    const hs = [{ name: 'a-b' }, { prefix: 'a-' }, { prefix: 'a-b-' }];
    expect(matchJobHandler(hs, 'a-b')).toBe(hs[0]);
    expect(matchJobHandler(hs, 'a-b-c')).toBe(hs[2]);
    expect(matchJobHandler(hs, 'a-x')).toBe(hs[1]);
    expect(matchJobHandler(hs, 'z')).toBeUndefined();
  });
});

describe('SchedulerJobs against a stand-in sidecar', () => {
  let server: Server;
  let settings: SidecarSettings;
  const seen: Array<{ method: string; url: string; token: string | undefined; body: string }> = [];
  let answer = { status: 204, body: '' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', token: req.headers['dapr-api-token'] as string | undefined, body });
        res.statusCode = answer.status;
        res.end(answer.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    settings = { DAPR_HOST: '127.0.0.1', DAPR_HTTP_PORT: (server.address() as AddressInfo).port, DAPR_GRPC_PORT: 1, DAPR_API_TOKEN: 'sidecar-api-token' };
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('when a job is scheduled, then it is POSTed to /v1.0-alpha1/jobs/<name> with the API token', async () => {
    answer = { status: 204, body: '' };
    await new SchedulerJobs(settings).schedule({ name: 'dead-letter-reprocess', schedule: '@every 2s', data: { n: 1 } });
    expect(seen.at(-1)).toEqual({
      method: 'POST', url: '/v1.0-alpha1/jobs/dead-letter-reprocess', token: 'sidecar-api-token',
      body: JSON.stringify({ overwrite: true, schedule: '@every 2s', data: { n: 1 } }),
    });
  });

  it('when overwrite:false meets an existing job, then JobExistsError; other failures throw with the status', async () => {
    answer = { status: 500, body: '{"errorCode":"DAPR_SCHEDULER_SCHEDULE_JOB","message":"rpc error: code = AlreadyExists desc = job already exists"}' };
    await expect(new SchedulerJobs(settings).schedule({ name: 'once', dueTime: '1s', overwrite: false })).rejects.toBeInstanceOf(JobExistsError);
    answer = { status: 500, body: '{"message":"boom"}' };
    await expect(new SchedulerJobs(settings).schedule({ name: 'once', dueTime: '1s' })).rejects.toThrow(/answered 500/);
  });

  it('when a job is deleted, then DELETE is sent, and a missing job is not an error', async () => {
    answer = { status: 204, body: '' };
    await new SchedulerJobs(settings).delete('email-retry-1');
    expect(seen.at(-1)).toMatchObject({ method: 'DELETE', url: '/v1.0-alpha1/jobs/email-retry-1' });
    answer = { status: 500, body: '{"message":"job not found"}' };
    await expect(new SchedulerJobs(settings).delete('gone')).resolves.toBeUndefined();
  });

  it('when a name would escape the path, then it throws without calling the sidecar', async () => {
    const before = seen.length;
    await expect(new SchedulerJobs(settings).schedule({ name: '../x', dueTime: '1s' })).rejects.toThrow(/invalid scheduler job name/);
    await expect(new SchedulerJobs(settings).delete('a/b')).rejects.toThrow(/invalid/);
    expect(seen.length).toBe(before);
  });
});

describe('serveJobs behind the app token and the invocation guard', () => {
  let server: Server;
  let base: string;
  const fired: Array<{ data: unknown; name: string }> = [];

  beforeAll(async () => {
    const logger = pino({ level: 'silent' });
    const { app } = createHttpApp({ name: 'delivery', logger, appApiToken: 'app-token' });
    app.use(invocationGuard({ self: 'delivery', callers: ['gateway'], paths: ['/api/'] }));
    serveJobs(app, [
      { name: 'tick', data: z.object({ n: z.number() }), handle: async (data, name) => void fired.push({ data, name }) },
      { prefix: 'fail-', handle: async () => { throw new Error('downstream down'); } },
    ], logger);
    serveJobs(app, [{ name: 'other', handle: async (data, name) => void fired.push({ data, name }) }], logger);
    finishHttpApp(app, logger);
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('when the sidecar delivers a job (app token, no caller header), then its handler runs with the data', async () => {
    const response = await post('/job/tick', { 'dapr-api-token': 'app-token' }, { n: 3 });
    expect(response.status).toBe(200);
    expect(fired).toEqual([{ data: { n: 3 }, name: 'tick' }]);
  });

  it('when a client invokes /job/ through the gateway, or calls without the app token, then nothing runs', async () => {
    expect((await post('/job/tick', { 'dapr-api-token': 'app-token', 'dapr-caller-app-id': 'gateway' }, { n: 4 })).status).toBe(404);
    expect((await post('/job/tick', {}, { n: 5 })).status).toBe(401);
    expect((await post('/job/tick', { 'dapr-api-token': 'wrong' }, { n: 6 })).status).toBe(401);
    expect(fired).toHaveLength(1);
  });

  it('when the data is invalid, the handler fails or no handler takes the name, then 400, 500 (retried by daprd) and the app\'s 404 (final)', async () => {
    const bad = await post('/job/tick', { 'dapr-api-token': 'app-token' }, { n: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'JOB_DATA_INVALID' });
    const failed = await post('/job/fail-1', { 'dapr-api-token': 'app-token' }, {});
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ code: 'JOB_FAILED' });
    const unknown = await post('/job/nobody', { 'dapr-api-token': 'app-token' }, {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('when a second serveJobs is mounted, then each takes its own names', async () => {
    const second = await post('/job/other', { 'dapr-api-token': 'app-token' }, {});
    expect(second.status).toBe(200);
    expect(fired.at(-1)).toEqual({ data: {}, name: 'other' });
  });
});
