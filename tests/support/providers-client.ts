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

export async function setChaos(rules: Record<string, unknown>, seed?: number): Promise<void> {
  const response = await fetch(`${base()}/admin/chaos`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules, ...(seed === undefined ? {} : { seed }) }),
  });
  if (!response.ok) throw new Error(`PUT /admin/chaos: ${response.status} ${await response.text()}`);
}

export async function resetProviders(): Promise<void> {
  await fetch(`${base()}/admin/chaos`, { method: 'DELETE' });
  await fetch(`${base()}/admin/calls`, { method: 'DELETE' });
}

export async function recordedCalls(filter: { domain?: string; operation?: string; idempotencyKey?: string } = {}): Promise<RecordedCall[]> {
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
  const response = await fetch(`${base()}/admin/calls?${query}`);
  return ((await response.json()) as { calls: RecordedCall[] }).calls;
}
