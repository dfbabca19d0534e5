/**
 * Recovery times of the fault drill (issue 16, item 3): for each fault, the time from the fault to
 * the first success of a flow it affects, grouped by fault kind with p50 and p99. Pure: the runner
 * records when each flow succeeded (a hold placed, a booking confirmed, a saga finished, an email
 * sent...) and which faults it injected when.
 */
import type { Fault, ProcessTarget } from './faults';

/** The flows the drill's workload drives; each success the runner sees is stamped with one. */
export const FLOWS = ['hold', 'confirm', 'cancel', 'order', 'email', 'sms', 'refund'] as const;
export type Flow = (typeof FLOWS)[number];

/** Which app serves each flow (its app and sidecar dying stops the flow), and which provider it needs. */
const FLOW_APP: Record<Flow, string> = { hold: 'booking', confirm: 'booking', cancel: 'booking', order: 'fulfillment', email: 'delivery', sms: 'delivery', refund: 'delivery' };
const FLOW_PROVIDER: Record<Flow, string | undefined> = { hold: undefined, confirm: 'payment', cancel: 'payment', order: 'payment', email: 'email', sms: 'sms', refund: 'refund' };
/** Flows that travel through Redis (pub/sub) after the client's request. */
const MESSAGED: Flow[] = ['email', 'sms', 'refund'];
/** Flows that need the actor placement (holds and bookings are actors) or the scheduler (reminders, workflow timers, jobs). */
const ACTOR_FLOWS: Flow[] = ['hold', 'confirm', 'cancel', 'order'];

/** The kind a fault is reported under: "kill daprd", "stall postgres", "restart redis", "provider outage"... */
export function faultKind(fault: Fault): string {
  const process = (t: ProcessTarget | { kind: string }) => (t.kind === 'sidecar' ? 'daprd' : t.kind);
  switch (fault.type) {
    case 'kill': return `kill ${process(fault.target)}`;
    case 'stall': return `stall ${process(fault.target)}`;
    case 'restart': return fault.target.kind === 'postgres' ? `restart postgres (${fault.target.mode})` : 'restart redis';
    case 'provider-outage': return 'provider outage';
  }
}

/** The flows a fault can interrupt. The gateway carries every client request; PostgreSQL and the scheduler, everything. */
export function affectedFlows(fault: Fault): Flow[] {
  if (fault.type === 'provider-outage') return FLOWS.filter((f) => FLOW_PROVIDER[f] === fault.provider);
  const target = fault.target;
  switch (target.kind) {
    case 'app':
    case 'sidecar':
      return target.appId === 'gateway' ? [...FLOWS] : FLOWS.filter((f) => FLOW_APP[f] === target.appId);
    case 'placement': return ACTOR_FLOWS;
    case 'redis': return MESSAGED;
    default: return [...FLOWS];
  }
}

/** When a fault ends being a fault: a stall and an outage last `forMs`; a kill or restart is over when it happened. */
const faultEndsMs = (fault: Fault) => fault.atMs + (fault.type === 'stall' || fault.type === 'provider-outage' ? fault.forMs : 0);

export interface Recovery { fault: Fault; kind: string; recoveredAfterMs: number | null }

/**
 * For each fault, the first success of any flow it affects at or after the fault (measured from the
 * fault's start, so a 20 s stall recovers in 20 s or more); null when none of them succeeded again
 * before the run ended. `successes` holds each flow's success times (ms from the run's start).
 */
export function recoveries(faults: Fault[], successes: Partial<Record<Flow, number[]>>): Recovery[] {
  const sorted = Object.fromEntries(Object.entries(successes).map(([flow, times]) => [flow, [...times!].sort((a, b) => a - b)])) as Partial<Record<Flow, number[]>>;
  return faults.map((fault) => {
    const ends = faultEndsMs(fault);
    let first: number | null = null;
    for (const flow of affectedFlows(fault)) {
      const next = sorted[flow]?.find((t) => t >= ends);
      if (next !== undefined && (first === null || next < first)) first = next;
    }
    return { fault, kind: faultKind(fault), recoveredAfterMs: first === null ? null : first - fault.atMs };
  });
}

/** The nearest-rank percentile of `values` (p in 0..100); null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface RecoveryRow { kind: string; faults: number; recovered: number; p50Ms: number | null; p99Ms: number | null }

/** One row per fault kind, by kind name. */
export function recoveryTable(list: Recovery[]): RecoveryRow[] {
  const byKind = new Map<string, Recovery[]>();
  for (const r of list) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  return [...byKind.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, rows]) => {
    const times = rows.flatMap((r) => (r.recoveredAfterMs === null ? [] : [r.recoveredAfterMs]));
    return { kind, faults: rows.length, recovered: times.length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
  });
}
