/**
 * The fault drill's schedule (issue 16): which fault hits what, and when, drawn from a seed so a
 * run can be replayed exactly (`npm run drill -- --seed S`). Pure: the injector carries it out.
 */
import seedrandom from 'seedrandom';

/** A process of the platform under drill: an app, its sidecar, or a server. */
export type ProcessTarget =
  | { kind: 'app'; appId: string }
  | { kind: 'sidecar'; appId: string }
  | { kind: 'placement' }
  | { kind: 'scheduler' }
  | { kind: 'redis' }
  | { kind: 'postgres' };

export type Fault =
  /** SIGKILL, then start it again at once (the way a supervisor would). */
  | { atMs: number; type: 'kill'; target: ProcessTarget }
  /** Redis or PostgreSQL shut down and started again; PostgreSQL `fast` or `immediate` (no checkpoint: crash recovery at start). */
  | { atMs: number; type: 'restart'; target: { kind: 'redis' } | { kind: 'postgres'; mode: 'fast' | 'immediate' } }
  /** SIGSTOP for `forMs`, then SIGCONT: a long GC pause, a frozen VM. */
  | { atMs: number; type: 'stall'; target: ProcessTarget; forMs: number }
  /** One provider stops answering (its calls hang until the caller's timeout) for `forMs`. */
  | { atMs: number; type: 'provider-outage'; provider: string; forMs: number };

export interface FaultPlanOptions {
  seed: string;
  /** How long the load runs; faults fall between 10 % and 85 % of it, so the last one has time to heal before the load stops. */
  durationMs: number;
  faults: number;
  /** App ids whose app and sidecar may be hit (dapr.yaml's; the gateway has a sidecar only). */
  apps: string[];
  /** App ids that run only a sidecar (the gateway): never an app fault. */
  sidecarOnly?: string[];
  /** The providers app's domains that may stop answering (payment, email, sms, refund, shipping, inventory). */
  providers: string[];
  /** A stall lasts between these (issue 16: 5-30 s). */
  stallMs?: [number, number];
  outageMs?: [number, number];
}

/** How often each fault type is drawn: kills and stalls of any process most, the servers' restarts and outages less. */
const WEIGHTS: Array<[Fault['type'], number]> = [['kill', 4], ['stall', 3], ['restart', 2], ['provider-outage', 1]];

export function planFaults(options: FaultPlanOptions): Fault[] {
  if (options.faults < 0 || !Number.isInteger(options.faults)) throw new Error(`faults must be a whole number >= 0, not ${options.faults}`);
  if (options.apps.length === 0) throw new Error('planFaults: name the apps under drill');
  const random = seedrandom(`holdfast-drill:${options.seed}`);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = ([low, high]: [number, number]) => Math.round(low + random() * (high - low));
  const stallMs = options.stallMs ?? [5_000, 30_000];
  const outageMs = options.outageMs ?? [10_000, 40_000];
  const sidecarOnly = new Set(options.sidecarOnly ?? []);
  const processes: ProcessTarget[] = [
    ...options.apps.filter((appId) => !sidecarOnly.has(appId)).map((appId): ProcessTarget => ({ kind: 'app', appId })),
    ...options.apps.map((appId): ProcessTarget => ({ kind: 'sidecar', appId })),
    { kind: 'placement' }, { kind: 'scheduler' }, { kind: 'redis' }, { kind: 'postgres' },
  ];
  // Redis and PostgreSQL are restarted, not killed: a SIGKILLed PostgreSQL is the `immediate` restart's case.
  const killable = processes.filter((p) => p.kind !== 'redis' && p.kind !== 'postgres');
  const totalWeight = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  const drawType = (): Fault['type'] => {
    let ticket = random() * totalWeight;
    for (const [type, weight] of WEIGHTS) if ((ticket -= weight) < 0) return type;
    return WEIGHTS[0]![0];
  };
  const drawTypeWithout = (excluded: Fault['type']): Fault['type'] => {
    for (;;) {
      const type = drawType();
      if (type !== excluded) return type;
    }
  };

  // One fault per equal slot of the window, at a random moment inside it: spread out, never two at the same instant.
  const start = 0.1 * options.durationMs;
  const slot = (0.85 * options.durationMs - start) / Math.max(1, options.faults);
  const faults: Fault[] = [];
  for (let i = 0; i < options.faults; i++) {
    const atMs = Math.round(start + i * slot + random() * slot);
    const type = options.providers.length === 0 ? drawTypeWithout('provider-outage') : drawType();
    switch (type) {
      case 'kill': faults.push({ atMs, type, target: pick(killable) }); break;
      case 'stall': faults.push({ atMs, type, target: pick(processes), forMs: between(stallMs) }); break;
      case 'restart': faults.push({ atMs, type, target: random() < 0.5 ? { kind: 'redis' } : { kind: 'postgres', mode: random() < 0.5 ? 'fast' : 'immediate' } }); break;
      case 'provider-outage': faults.push({ atMs, type, provider: pick(options.providers), forMs: between(outageMs) }); break;
    }
  }
  return faults;
}

export function describeTarget(target: ProcessTarget | { kind: 'postgres'; mode: string }): string {
  switch (target.kind) {
    case 'app': return `app ${target.appId}`;
    case 'sidecar': return `daprd of ${target.appId}`;
    case 'postgres': return 'mode' in target ? `postgres (${target.mode})` : 'postgres';
    default: return target.kind;
  }
}

/** One line per fault, as the drill prints its schedule before it starts. */
export function describeFault(fault: Fault): string {
  const at = `${(fault.atMs / 1000).toFixed(1).padStart(7)} s`;
  switch (fault.type) {
    case 'kill': return `${at}  kill -9 and restart ${describeTarget(fault.target)}`;
    case 'restart': return `${at}  restart ${describeTarget(fault.target)}`;
    case 'stall': return `${at}  SIGSTOP ${describeTarget(fault.target)} for ${(fault.forMs / 1000).toFixed(1)} s`;
    case 'provider-outage': return `${at}  provider ${fault.provider} stops answering for ${(fault.forMs / 1000).toFixed(1)} s`;
  }
}
