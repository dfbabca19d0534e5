/**
 * A running tier for one test file and the client's view of it: calls through the gateway sidecar
 * with the client credential (the chart's client path), the credentials the chart rendered, the
 * providers' record, and the database.
 */
import { Client } from 'pg';
import { call } from '../app-stack';
import { providersAdmin, type ProvidersAdmin } from './providers';
import { loadSetup, planTier, renderChart, Tier } from './tier';
import { showRequest } from '../delivery-fixtures';

export interface World {
  tier: Tier;
  providers: ProvidersAdmin;
  db: Client;
  /** Service invocation through the gateway, with the client credential (plus `headers`, e.g. a bearer token). */
  invoke<T = unknown>(appId: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  admin: Record<string, string>;
  manager: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Renders the chart (its defaults, the tier's values, then `values`), starts PostgreSQL, Redis,
 * placement and scheduler, runs the migration Job, then the pods named (all at once, as a
 * Deployment rollout would).
 */
export async function startWorld(name: string, pods: string[], values: Record<string, unknown> = {}): Promise<World> {
  const tier = new Tier(planTier(renderChart(loadSetup(), values, name)), name);
  let db: Client | undefined;
  try {
    await tier.startServers();
    await tier.migrate();
    await Promise.all(pods.map((p) => tier.startPod(p)));
    db = new Client({ connectionString: tier.plan.database.url });
    await db.connect();
  } catch (error) {
    await tier.stop();
    throw error;
  }
  const env = (appId: string, key: string) => {
    const value = tier.pod(appId).app?.env[key];
    if (!value) throw new Error(`the ${appId} pod has no ${key}`);
    return value;
  };
  const gateway = tier.pod('gateway');
  return {
    tier, db, providers: providersAdmin(tier.plan),
    invoke: (appId, method, path, body, headers = {}) =>
      call(`http://127.0.0.1:${gateway.ports.daprHttp}/v1.0/invoke/${appId}/method${path}`, method, { ...headers, 'dapr-api-token': gateway.daprApiToken ?? '' }, body),
    admin: { authorization: `Bearer ${env('booking', 'ADMIN_API_TOKEN')}` },
    manager: { authorization: `Bearer ${env('fulfillment', 'MANAGER_API_TOKEN')}` },
    stop: async () => {
      await db?.end().catch(() => undefined);
      await tier.stop();
    },
  };
}

/** A show tomorrow with `rows` rows of 50 seats (FLOOR-A-1 ...), as tests/support/delivery-fixtures.ts makes them. */
export async function createShow(world: World, title: string, rows = 2): Promise<string> {
  const created = await world.invoke<{ showId: string }>('booking', 'POST', '/api/admin/shows', showRequest(title, rows), world.admin);
  if (created.status !== 201) throw new Error(`creating the show: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.showId;
}

export interface ConfirmedBooking { bookingId: string; tickets: Array<{ seatId: string; qrPayload: string }> }

/** Holds seat `i` for customer i and confirms it (tok_visa), through the gateway. */
export async function bookSeat(world: World, showId: string, i: number): Promise<ConfirmedBooking> {
  const seat = `FLOOR-${'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(i / 50)]}-${(i % 50) + 1}`;
  const hold = await world.invoke<{ holdId: string }>('booking', 'POST', `/api/shows/${showId}/holds`, { seatIds: [seat], customerId: `cust-${i}`, customerEmail: `customer${i}@example.com` });
  if (hold.status !== 201) throw new Error(`hold: ${hold.status} ${JSON.stringify(hold.body)}`);
  const confirmed = await world.invoke<ConfirmedBooking>('booking', 'POST', `/api/holds/${hold.body.holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': `confirm-${hold.body.holdId}` });
  if (confirmed.status !== 201) throw new Error(`confirm: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return confirmed.body;
}

export const ticketKey = (bookingId: string) => `booking-${bookingId}-ticket-email`;

/** A Go duration of the rendered Resiliency (10s, 1m30s) in milliseconds. */
export function resiliencyTimeoutMs(world: World, policy: string): number {
  const file = Object.entries(world.tier.plan.files).find(([path, content]) => path.startsWith('resources/') && content.includes('kind: Resiliency'));
  const match = new RegExp(`\\n\\s+${policy}: (\\S+)`).exec(file?.[1] ?? '');
  if (!match) throw new Error(`the rendered Resiliency has no timeout ${policy}`);
  let total = 0;
  match[1]!.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n: string, unit: string) => String((total += Number(n) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit]!)));
  return total;
}
