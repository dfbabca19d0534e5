/**
 * The outbox relay: publishes rows of outbox_events (written in the same transaction as the change
 * they announce) to Dapr pub/sub, at least once, one aggregate's events in the order they were
 * written. A row is marked published only after the sidecar accepted it, so a relay killed at any
 * point republishes what it was doing; subscribers de-duplicate on the event id, which is the row's.
 *
 * One relay publishes at a time, whichever process holds a PostgreSQL advisory lock on its own
 * connection: two relays would race and could reorder one aggregate's events. When the leader's
 * connection dies the lock goes with it and another replica takes over within `standbyPollMs`.
 * Latency: an idle relay looks every `pollIntervalMs` (100 ms), over a partial index of unpublished rows.
 *
 * An aggregate with one event in a round (most of them: one booking, one confirmation) goes out in
 * a bulk request per topic, up to BULK_PUBLISH_MAX events each (issue 15: one sidecar exchange per
 * event cost the relay and daprd more than the event's own publish). An aggregate with several
 * events in the round publishes them one by one, in order, as bulk publishing promises no order.
 */
import { Client } from 'pg';
import type { Logger } from 'pino';
import { BULK_PUBLISH_MAX, publishCloudEvent, publishCloudEvents, toCloudEvent } from './publisher';
import type { SidecarSettings } from './sidecar';

export interface OutboxRelayOptions {
  databaseUrl: string;
  sidecar: SidecarSettings;
  pubsubName: string;
  /** CloudEvent `source` of everything it publishes. */
  source: string;
  logger: Logger;
  pollIntervalMs?: number;
  standbyPollMs?: number;
  batchSize?: number;
  /** Aggregates published at once (each aggregate's own events one after another). */
  concurrency?: number;
  /** For metrics: one published event, and how long after its commit it went out. */
  onPublished?: (topic: string, lagMs: number) => void;
  onPublishFailed?: (topic: string) => void;
}

export interface OutboxRelay {
  isLeader(): boolean;
  stop(): Promise<void>;
}

interface OutboxRow {
  id: string;
  seq: string;
  aggregate_id: string;
  type: string;
  payload: Record<string, unknown>;
  correlation_id: string | null;
  created_at: Date;
}

/**
 * A round's publishing plan: each topic's events of aggregates with one event in the round (bulk,
 * at most `maxBulk` a request), and the aggregates with several, each in its own order (one by one).
 */
export function planRelay<T extends { aggregate_id: string; type: string }>(rows: T[], maxBulk: number): { bulk: T[][]; ordered: T[][] } {
  const bulk: T[][] = [];
  const ordered: T[][] = [];
  const byTopic = new Map<string, T[]>();
  for (const group of groupByAggregate(rows)) {
    if (group.length > 1) {
      ordered.push(group);
      continue;
    }
    const row = group[0]!;
    let open = byTopic.get(row.type);
    if (!open || open.length >= maxBulk) {
      open = [];
      byTopic.set(row.type, open);
      bulk.push(open);
    }
    open.push(row);
  }
  return { bulk, ordered };
}

/** Every relay of every app contends for this one lock. */
const RELAY_LOCK = "hashtext('holdfast:outbox-relay')";

/** Groups rows (already in seq order) by aggregate, each group keeping that order. */
export function groupByAggregate<T extends { aggregate_id: string }>(rows: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.aggregate_id);
    if (group) group.push(row);
    else groups.set(row.aggregate_id, [row]);
  }
  return [...groups.values()];
}

export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const standbyPollMs = options.standbyPollMs ?? 1_000;
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 32;
  const log = options.logger.child({ component: 'outbox-relay' });
  let client: Client | undefined;
  let leader = false;
  let running = true;
  let wake: (() => void) | undefined;

  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => { clearTimeout(timer); resolve(); };
  });

  async function connect(): Promise<Client> {
    // Keep-alive and timeouts: on a connection that silently died, a query would otherwise hang
    // for ever and the server would keep our advisory lock (no other replica could take over)
    // until its own TCP keep-alive gave up, two hours by default.
    const fresh = new Client({
      connectionString: options.databaseUrl, application_name: 'holdfast-outbox-relay', keepAlive: true, keepAliveInitialDelayMillis: 10_000,
      query_timeout: 30_000, statement_timeout: 30_000, options: '-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3',
    });
    fresh.on('error', (error) => log.warn({ err: error }, 'relay connection lost'));
    await fresh.connect();
    return fresh;
  }

  const cloudEventOf = (row: OutboxRow) => toCloudEvent({
    id: row.id, type: row.type, subject: row.aggregate_id, source: options.source, time: row.created_at,
    data: row.payload, correlationId: row.correlation_id, extensions: { sequence: row.seq },
  }) as Record<string, unknown> & { id: string };

  /** Publishes one aggregate's events in order; stops at its first failure so none overtakes it. */
  async function publishGroup(rows: OutboxRow[], published: string[]): Promise<void> {
    for (const row of rows) {
      try {
        await publishCloudEvent(options.sidecar, options.pubsubName, row.type, cloudEventOf(row));
        published.push(row.id);
        options.onPublished?.(row.type, Date.now() - row.created_at.getTime());
      } catch (error) {
        options.onPublishFailed?.(row.type);
        log.warn({ err: error, eventId: row.id, topic: row.type, aggregateId: row.aggregate_id, correlationId: row.correlation_id }, 'publish failed: the event and its aggregate\'s later ones wait for the next round');
        return;
      }
    }
  }

  /** Publishes one topic's events in one bulk request; what fails waits for the next round. */
  async function publishBulk(rows: OutboxRow[], published: string[]): Promise<void> {
    const topic = rows[0]!.type;
    let failed: Map<string, string>;
    try {
      ({ failed } = await publishCloudEvents(options.sidecar, options.pubsubName, topic, rows.map(cloudEventOf)));
    } catch (error) {
      failed = new Map(rows.map((row) => [row.id, error instanceof Error ? error.message : String(error)]));
    }
    for (const row of rows) {
      const why = failed.get(row.id);
      if (why === undefined) {
        published.push(row.id);
        options.onPublished?.(row.type, Date.now() - row.created_at.getTime());
      } else {
        options.onPublishFailed?.(row.type);
        log.warn({ err: why, eventId: row.id, topic, aggregateId: row.aggregate_id, correlationId: row.correlation_id }, 'publish failed: the event waits for the next round');
      }
    }
  }

  /** One round: how many events went out, and whether any publish failed. */
  async function relayBatch(db: Client): Promise<{ published: number; failed: boolean }> {
    const { rows } = await db.query<OutboxRow>(
      'SELECT id, seq::text AS seq, aggregate_id, type, payload, correlation_id, created_at FROM outbox_events WHERE published_at IS NULL ORDER BY seq LIMIT $1',
      [batchSize],
    );
    if (rows.length === 0) return { published: 0, failed: false };
    const { bulk, ordered } = planRelay(rows, BULK_PUBLISH_MAX);
    const published: string[] = [];
    const tasks = [...bulk.map((topicRows) => () => publishBulk(topicRows, published)), ...ordered.map((group) => () => publishGroup(group, published))];
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) await tasks[next++]!();
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
    if (published.length > 0) await db.query('UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])', [published]);
    return { published: published.length, failed: published.length < rows.length };
  }

  const done = (async () => {
    while (running) {
      try {
        client ??= await connect();
        if (!leader) {
          const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${RELAY_LOCK}) AS locked`);
          leader = rows[0]?.locked === true;
          if (!leader) {
            await pause(standbyPollMs);
            continue;
          }
          log.info('this process now relays the outbox');
        }
        const round = await relayBatch(client);
        // A failed publish (sidecar down, broker refusing) waits a second rather than hammering;
        // a full batch means more are waiting: go on at once.
        if (round.failed) await pause(1_000);
        else if (round.published < batchSize) await pause(pollIntervalMs);
      } catch (error) {
        if (!running) break;
        log.warn({ err: error }, 'outbox relay round failed; reconnecting');
        leader = false;
        await client?.end().catch(() => undefined);
        client = undefined;
        await pause(1_000);
      }
    }
  })();

  return {
    isLeader: () => leader,
    stop: async () => {
      running = false;
      wake?.();
      await done;
      // Closing the connection also releases the advisory lock.
      await client?.end().catch(() => undefined);
    },
  };
}
