/**
 * The providers app's control surface in the tier: as the chart runs it, /admin is on a port of its
 * own (PROVIDERS_ADMIN_PORT) and needs its token (PROVIDERS_ADMIN_TOKEN). What the tests read to
 * judge "sent once" is the same record tests/support/providers-client.ts reads.
 */
import type { RecordedCall } from '../providers-client';
import type { TierPlan } from './translate';

export interface ProvidersAdmin {
  setChaos(rules: Record<string, unknown>, seed?: number): Promise<void>;
  reset(): Promise<void>;
  calls(filter?: { domain?: string; operation?: string; idempotencyKey?: string }): Promise<RecordedCall[]>;
  /** Accepted sends per idempotency key (a replay or a failure is no send): "sent once" by the provider's record. */
  acceptedByKey(domain: string, operation: string): Promise<Map<string, RecordedCall[]>>;
  resources(reference: string): Promise<Array<{ kind: string; status: string }>>;
}

export function providersAdmin(plan: TierPlan): ProvidersAdmin {
  const pod = plan.pods.providers;
  const port = pod?.ports.env.PROVIDERS_ADMIN_PORT;
  const token = pod?.app?.env.PROVIDERS_ADMIN_TOKEN;
  if (!port || !token) throw new Error('the rendering has no providers pod with PROVIDERS_ADMIN_PORT and PROVIDERS_ADMIN_TOKEN');
  const base = `http://127.0.0.1:${port}/admin`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    });
    if (!response.ok) throw new Error(`${method} /admin${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  const calls = async (filter: Record<string, string | undefined> = {}) => {
    const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
    return ((await call('GET', `/calls?${query}`)) as { calls: RecordedCall[] }).calls;
  };
  return {
    setChaos: async (rules, seed) => void (await call('PUT', '/chaos', { rules, ...(seed === undefined ? {} : { seed }) })),
    reset: async () => {
      await call('DELETE', '/chaos');
      await call('DELETE', '/calls');
    },
    calls,
    acceptedByKey: async (domain, operation) => {
      const byKey = new Map<string, RecordedCall[]>();
      for (const c of await calls({ domain, operation })) {
        if (c.outcome !== 'ok' || c.replayed || !c.idempotencyKey) continue;
        byKey.set(c.idempotencyKey, [...(byKey.get(c.idempotencyKey) ?? []), c]);
      }
      return byKey;
    },
    resources: async (reference) => ((await call('GET', `/resources?reference=${encodeURIComponent(reference)}`)) as { resources: Array<{ kind: string; status: string }> }).resources,
  };
}
