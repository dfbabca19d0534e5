/**
 * Carries out the drill's fault schedule (drill/faults.ts) on the drill's platform: SIGKILL and a
 * restart at once, SIGSTOP then SIGCONT, Redis and PostgreSQL restarts through scripts/infra.sh,
 * and provider outages through the providers app's chaos rules. Faults on one target wait for each
 * other (a restart of a stalled PostgreSQL would hang); faults on different targets overlap freely.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault, ProcessTarget } from './faults';
import { describeFault } from './faults';
import { infra, signalServerTree, type DrillPlatform } from './environment';

export interface InjectedFault { fault: Fault; startedAtMs: number; endedAtMs: number; error?: string }

/** The platform's name for a process: `booking`, `booking-dapr`, `placement`, `redis`... */
function processName(target: ProcessTarget | { kind: 'postgres' | 'redis' }): string {
  switch (target.kind) {
    case 'app': return target.appId;
    case 'sidecar': return `${target.appId}-dapr`;
    default: return target.kind;
  }
}

/** Faults on one key wait for each other. */
const targetKey = (fault: Fault) => (fault.type === 'provider-outage' ? `provider ${fault.provider}` : processName(fault.target));

function serverPid(kind: 'redis' | 'postgres'): number | undefined {
  const line = infra('pids').split('\n').find((l) => l.startsWith(`${kind} `));
  return line ? Number(line.split(' ')[1]) : undefined;
}

interface ChaosView { rules: Record<string, unknown>; operations: string[] }

export class FaultInjector {
  private readonly queues = new Map<string, Promise<void>>();
  readonly injected: InjectedFault[] = [];

  constructor(private readonly platform: DrillPlatform, private readonly startedAt: number, private readonly log: (line: string) => void) {}

  /** Runs `fault` once every earlier fault on its target is done; resolves when it is over. */
  inject(fault: Fault): Promise<void> {
    const key = targetKey(fault);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(() => this.carryOut(fault));
    this.queues.set(key, run);
    return run;
  }

  private async carryOut(fault: Fault): Promise<void> {
    const startedAtMs = Date.now() - this.startedAt;
    this.log(`drill: fault at ${(startedAtMs / 1000).toFixed(1)} s: ${describeFault(fault).trim()}`);
    let error: string | undefined;
    try {
      await this.apply(fault);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      this.log(`drill: the fault "${describeFault(fault).trim()}" did not go as planned: ${error}`);
    }
    this.injected.push({ fault, startedAtMs, endedAtMs: Date.now() - this.startedAt, ...(error ? { error } : {}) });
  }

  private process(target: ProcessTarget) {
    const name = processName(target);
    const proc = this.platform.processes.get(name);
    if (!proc) throw new Error(`no process ${name} under drill`);
    return proc;
  }

  private async apply(fault: Fault): Promise<void> {
    switch (fault.type) {
      case 'kill':
        await this.process(fault.target).killAndRestart();
        return;
      case 'restart':
        if (fault.target.kind === 'redis') infra('restart-redis');
        else infra('restart-postgres', fault.target.mode);
        return;
      case 'stall': {
        const target = fault.target;
        if (target.kind === 'redis' || target.kind === 'postgres') {
          const pid = serverPid(target.kind);
          if (!pid) throw new Error(`${target.kind} is not running`);
          signalServerTree(pid, 'SIGSTOP');
          await sleep(fault.forMs);
          signalServerTree(pid, 'SIGCONT');
        } else {
          await this.process(target).stall(fault.forMs);
        }
        return;
      }
      case 'provider-outage':
        await this.outage(fault.provider, fault.forMs);
        return;
    }
  }

  /** Every operation of `provider` answers nothing for a minute (the caller times out), then the rules before it come back. */
  private async outage(provider: string, forMs: number): Promise<void> {
    const chaos = `${this.platform.providersUrl}/admin/chaos`;
    const view = (await (await fetch(chaos)).json()) as ChaosView;
    const operations = view.operations.filter((op) => op.startsWith(`${provider}.`));
    if (operations.length === 0) throw new Error(`the providers app has no operation of ${provider}`);
    const put = async (rules: Record<string, unknown>) => {
      const response = await fetch(chaos, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
      if (!response.ok) throw new Error(`PUT /admin/chaos: ${response.status} ${await response.text()}`);
    };
    await put(Object.fromEntries(operations.map((op) => [op, { outcomes: { timeout: 1 }, timeoutMs: 60_000 }])));
    await sleep(forMs);
    // An operation with no rule before always succeeded: it gets that back explicitly.
    await put(Object.fromEntries(operations.map((op) => [op, view.rules[op] ?? { outcomes: { ok: 1 } }])));
  }

  /** Resolves once every fault injected so far is over (stalls continued, restarts done, outages lifted). */
  async settled(): Promise<void> {
    await Promise.all(this.queues.values());
  }
}
