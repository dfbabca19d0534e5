/**
 * Pub/sub on Redis Streams through a real sidecar: an event reaches its subscriber; a subscriber
 * that keeps failing gets the resiliency policy's retries, then the event goes to the dead-letter
 * topic, whose subscriber stores it in PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { COMPONENTS, TOPICS } from '@holdfast/shared';
import { eventually, startSkeletonStack, type SkeletonStack } from '../support/app-stack';
import { configuredMaxIntervalMs, configuredMaxRetries, goDurationMs } from '../support/resiliency';
import { TEST_LOG_DIR } from '../support/test-env';
import { ROOT } from '../../scripts/devstack/env';

/**
 * The inbound retry policy resiliency.yaml puts on pub/sub deliveries, as Dapr runs it: exponential
 * from 0.5 s, x1.5 each time, capped at maxInterval, each interval +-50 % jitter (Dapr's defaults).
 */
function inboundRetryTimings(): { maxIntervalMs: number; allRetriesMs: number } {
  const maxIntervalMs = configuredMaxIntervalMs(COMPONENTS.pubsub, 'inbound');
  let allRetriesMs = 0;
  for (let i = 0; i < configuredMaxRetries(COMPONENTS.pubsub, 'inbound'); i++) allRetriesMs += Math.min(500 * 1.5 ** i, maxIntervalMs);
  return { maxIntervalMs, allRetriesMs };
}
const RETRY = inboundRetryTimings();

/** components/pubsub.yaml's processingTimeout: how long a message read but not acknowledged waits before it is claimed again. */
function configuredProcessingTimeoutMs(): number {
  type Yaml = { spec: { metadata: Array<{ name: string; value?: string }> } };
  const file = parse(readFileSync(join(ROOT, 'components', 'pubsub.yaml'), 'utf8')) as Yaml;
  return goDurationMs(file.spec.metadata.find((m) => m.name === 'processingTimeout')?.value ?? '60s');
}
/**
 * How soon daprd calls an app that stopped answering its health check unhealthy: daprd's defaults,
 * a probe every 5 s and 3 failures (scripts/devstack/runtime.ts sets neither).
 */
const UNHEALTHY_AFTER_MS = 3 * 5_000;
const SIDECAR_LOG = join(TEST_LOG_DIR, 'pubsub-dapr.log');
/** Lines of this file's sidecar log, from `from` on. */
const sidecarLogLines = (from = 0) => (existsSync(SIDECAR_LOG) ? readFileSync(SIDECAR_LOG, 'utf8').split('\n').slice(from) : []);

let stack: SkeletonStack;
let db: Client;

beforeAll(async () => {
  stack = await startSkeletonStack({ logName: 'pubsub' });
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

/** Publishes through the sidecar with a chosen CloudEvent id. */
async function publish(topic: string, data: unknown, eventId: string) {
  const response = await stack.dapr('POST', `/v1.0/publish/${COMPONENTS.pubsub}/${topic}?metadata.cloudevent.id=${eventId}`, data);
  expect(response.status).toBe(204);
}

describe('pub/sub on a real sidecar', () => {
  it('when an event is published, then its subscriber receives it once with its data and id', async () => {
    const eventId = randomUUID();
    await publish(TOPICS.skeletonGreetings, { greeting: `hello ${eventId}` }, eventId);

    const received = await eventually(
      async () => (await stack.app<Array<{ eventId: string; data: unknown }>>('GET', `/skeleton/received?topic=${TOPICS.skeletonGreetings}`)).body,
      (events) => events.some((e) => e.eventId === eventId),
    );
    expect(received.filter((e) => e.eventId === eventId)).toEqual([{ topic: TOPICS.skeletonGreetings, eventId, data: { greeting: `hello ${eventId}` } }]);
  });

  it('when a subscriber keeps failing, then after the configured retries the event lands in the dead-letter store', async () => {
    const eventId = randomUUID();
    await publish(TOPICS.skeletonAlwaysFails, { order: eventId }, eventId);

    const row = await eventually(
      async () => (await db.query('SELECT * FROM dead_letters WHERE event_id = $1', [eventId])).rows[0],
      // Three times the policy's configured waits in all (about 45 s with today's YAML).
      (r) => r !== undefined, 3 * RETRY.allRetriesMs,
    );
    expect(row).toMatchObject({
      pubsub_name: COMPONENTS.pubsub, topic: TOPICS.skeletonAlwaysFails, dead_letter_topic: TOPICS.skeletonDeadLetters,
      status: 'PENDING', dead_letter_count: 1,
    });
    expect(row.event).toMatchObject({ id: eventId, data: { order: eventId } });

    // One delivery plus the policy's retries, and none after the dead letter.
    const attempts = async () => (await stack.app<Record<string, number>>('GET', '/skeleton/failing-attempts')).body[eventId];
    expect(await attempts()).toBe(1 + configuredMaxRetries(COMPONENTS.pubsub, 'inbound'));
    // Longer than one more retry could wait (maxInterval, +50 % jitter), with a second's slack.
    await new Promise((resolve) => setTimeout(resolve, 1.5 * RETRY.maxIntervalMs + 1_000));
    expect(await attempts()).toBe(1 + configuredMaxRetries(COMPONENTS.pubsub, 'inbound'));
  }, 3 * RETRY.allRetriesMs + 1.5 * RETRY.maxIntervalMs + 30_000);

  // Issue 16's "lost message": when daprd finds its app unhealthy it stops the app's subscriptions.
  // The Redis component's poller of a stopped subscription stayed blocked in XREADGROUP (BLOCK 0,
  // which go-redis does not interrupt) and, being first in Redis's queue of blocked readers, took
  // the topic's next message after the app was back; the message waited in the pending list for
  // processingTimeout (120 s). CI saw it on 2026-12-03 (seed 001, the email after a restart).
  // Fixed by our components-contrib patch (scripts/dapr-patches/1.18.2/components-contrib).
  it('when the subscriber was down long enough for its sidecar to stop its subscriptions, then the first event after it is back is delivered at once, not after processingTimeout', async () => {
    const processingTimeoutMs = configuredProcessingTimeoutMs();
    const logStart = sidecarLogLines().length;
    await stack.killApp();
    // The scenario needs the sidecar to have called the app unhealthy (that is what stops the subscriptions).
    await eventually(async () => sidecarLogLines(logStart).some((l) => l.includes('App entered un-healthy status')), (seen) => seen, 3 * UNHEALTHY_AFTER_MS, 250);
    await stack.startApp();
    await eventually(async () => sidecarLogLines(logStart).some((l) => l.includes('App entered healthy status')), (seen) => seen, 3 * UNHEALTHY_AFTER_MS, 250);

    const eventId = randomUUID();
    await publish(TOPICS.skeletonGreetings, { greeting: `back ${eventId}` }, eventId);
    // Well inside processingTimeout: a message taken by the stopped subscription would arrive only after it.
    const received = await eventually(
      async () => (await stack.app<Array<{ eventId: string }>>('GET', `/skeleton/received?topic=${TOPICS.skeletonGreetings}`)).body,
      (events) => events.some((e) => e.eventId === eventId), processingTimeoutMs / 4, 250,
    );
    expect(received.filter((e) => e.eventId === eventId)).toHaveLength(1);
  }, 6 * UNHEALTHY_AFTER_MS + 120_000);
});
