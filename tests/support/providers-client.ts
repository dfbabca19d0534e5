/** The providers app's control surface, as the tests use it. */
import { loadTestRun } from './test-env';

export interface RecordedCall {
  domain: string;
  operation: string;
  idempotencyKey: string | null;
  outcome: string;
  status: number;
  replayed: boolean;
  request: unknown;
}

const base = () => loadTestRun().providersUrl;

/**
 * fetch, sent once more if the first try fails before any answer: undici may reuse a keep-alive
 * socket the providers app is closing ("other side closed"). Every control call here is idempotent.
 */
async function fetch(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await globalThis.fetch(url, init);
  } catch {
    return globalThis.fetch(url, init);
  }
}

export async function setChaos(rules: Record<string, unknown>, seed?: number): Promise<void> {
  const response = await fetch(`${base()}/admin/chaos`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules, ...(seed === undefined ? {} : { seed }) }),
  });
  await expectOk('PUT /admin/chaos', response);
}

/** Throws with the providers app's answer unless it is 2xx: a failed control call must not leak chaos or calls into the next test. */
async function expectOk(what: string, response: Response): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return response;
}

export async function resetProviders(): Promise<void> {
  await expectOk('DELETE /admin/chaos', await fetch(`${base()}/admin/chaos`, { method: 'DELETE' }));
  await expectOk('DELETE /admin/calls', await fetch(`${base()}/admin/calls`, { method: 'DELETE' }));
}

/**
 * The payment provider's recorded calls about the given holds or bookings (their ids are in every
 * payment key: hold-<id>-authorize, booking-<id>-refund...), plus any call without a key. Never the
 * whole record: a hold left by an earlier test file can expire in this file's booking app and
 * replay its own payment calls (CI saw hold-<another id>-authorize in seed 004's count).
 */
export async function paymentCallsAbout(filter: { operation?: string }, ...ids: string[]): Promise<RecordedCall[]> {
  if (ids.length === 0) throw new Error('paymentCallsAbout: name the holds or bookings the calls are about');
  return (await recordedCalls({ domain: 'payment', ...filter })).filter((c) => c.idempotencyKey === null || ids.some((id) => c.idempotencyKey!.includes(id)));
}

export async function recordedCalls(filter: { domain?: string; operation?: string; idempotencyKey?: string } = {}): Promise<RecordedCall[]> {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
  const response = await expectOk('GET /admin/calls', await fetch(`${base()}/admin/calls?${query}`));
  return ((await response.json()) as { calls: RecordedCall[] }).calls;
}

/**
 * The calls a provider accepted, per idempotency key: what "sent once" is judged by. A replayed
 * key's remembered answer is not a second send, a failed call is not a send at all.
 */
export async function acceptedByKey(domain: string, operation: string): Promise<Map<string, RecordedCall[]>> {
  const byKey = new Map<string, RecordedCall[]>();
  for (const call of await recordedCalls({ domain, operation })) {
    if (call.outcome !== 'ok' || call.replayed || !call.idempotencyKey) continue;
    byKey.set(call.idempotencyKey, [...(byKey.get(call.idempotencyKey) ?? []), call]);
  }
  return byKey;
}

export interface ProviderResource {
  id: string;
  kind: 'authorization' | 'capture' | 'refund' | 'reservation' | 'label' | 'notification' | 'stock_release';
  status: string;
  reference: string | null;
  amount?: number;
  /** A capture's authorization, a refund's capture. */
  parentId?: string;
  progress?: number;
  history: Array<{ status: string; at: string }>;
}

/** What the providers hold for a reference (an order or hold id): authorizations, captures, reservations, labels... */
export async function providerResources(reference: string): Promise<ProviderResource[]> {
  const response = await expectOk('GET /admin/resources', await fetch(`${base()}/admin/resources?reference=${encodeURIComponent(reference)}`));
  return ((await response.json()) as { resources: ProviderResource[] }).resources;
}
