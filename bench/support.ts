/** What the benchmarks share: per-process CPU accounting, resident memory, and a Ctrl-C that stops the stack. */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import globalTeardown from '../tests/support/global-teardown';

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
}

const pids = () => readdirSync('/proc').filter((e) => /^\d+$/.test(e));

export const LOAD_GENERATOR = 'load generator (this process)';

/** The kind of one of our processes, from its command line (and, for an app started as `src/main.ts`, its folder); undefined for the rest of the machine. */
export function kindOf(pid: string, cmd: string): string | undefined {
  if (Number(pid) === process.pid) return LOAD_GENERATOR;
  // tsx's esbuild service beside an app (shared/src/transpiler.ts) is that app's, while it runs.
  if (/esbuild --service/.test(cmd)) {
    try {
      const parent = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]!;
      const kind = kindOf(parent, readFileSync(`/proc/${parent}/cmdline`, 'utf8').replace(/\0/g, ' '));
      return kind?.endsWith(' app') ? kind : undefined;
    } catch {
      return undefined;
    }
  }
  const daprd = cmd.match(/daprd .*--app-id (\S+)/);
  if (daprd) return `daprd (${daprd[1]})`;
  const app = cmd.match(/apps\/(\w+)\/src\/main\.ts/);
  if (app) return `${app[1]} app`;
  if (/src\/main\.ts/.test(cmd)) {
    try {
      return `${basename(readlinkSync(`/proc/${pid}/cwd`))} app`;
    } catch {
      return undefined;
    }
  }
  if (/echo-app/.test(cmd)) return 'echo app';
  if (/\bplacement\b/.test(cmd)) return 'placement';
  if (/\bscheduler\b/.test(cmd)) return 'scheduler';
  if (/postgres/.test(cmd)) return 'PostgreSQL';
  if (/redis-server/.test(cmd)) return 'Redis';
  return undefined;
}

/**
 * A process's CPU seconds so far (USER_HZ 100): its user and system time and its reaped children's.
 * A child that exits moves its time to its parent: PostgreSQL's backends, which come and go with
 * the clients' pools, stay counted with the postmaster. Counting only the living lost every backend
 * that exited within a measured window (bench:all at 8eb2339 listed no PostgreSQL in its email row).
 * Undefined when the process is gone.
 */
export function cpuSecondsOf(pid: string | number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // utime, stime, cutime, cstime: fields 14-17 of proc(5), counted here from the state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by each kind of process. */
export function cpuByProcess(): Map<string, number> {
  const totals = new Map<string, number>();
  for (const pid of pids()) {
    try {
      const kind = kindOf(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
      const seconds = kind ? cpuSecondsOf(pid) : undefined;
      if (kind && seconds !== undefined) totals.set(kind, (totals.get(kind) ?? 0) + seconds);
    } catch {
      // gone
    }
  }
  return totals;
}

/** Runs `work` and says where the CPU went meanwhile: milliseconds per unit of work and kind of process, busiest first. */
export async function cpuDuring<T>(label: string, units: number, unitName: string, work: () => Promise<T>, notes: string[]): Promise<T> {
  const before = cpuByProcess();
  const started = Date.now();
  const result = await work();
  const wall = (Date.now() - started) / 1000;
  const used = [...cpuByProcess()].map(([kind, s]) => [kind, s - (before.get(kind) ?? 0)] as const).filter(([, s]) => s > 0.05).sort((a, b) => b[1] - a[1]);
  const total = used.reduce((sum, [, s]) => sum + s, 0);
  notes.push(`CPU during ${label} (${wall.toFixed(1)} s wall, ${total.toFixed(1)} CPU s, ${((total / units) * 1000).toFixed(1)} CPU ms per ${unitName}): `
    + used.map(([kind, s]) => `${kind} ${((s / units) * 1000).toFixed(2)} ms`).join(', '));
  return result;
}

/** The app started from `entry` listening on `port` (found by its APP_PORT among our processes). */
export function appPid(entry: string, port: number): number {
  for (const pid of pids()) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(entry) && env.includes(`APP_PORT=${port}\0`)) return Number(pid);
    } catch {
      // not ours, or gone
    }
  }
  throw new Error(`${entry} not found on port ${port}`);
}

/** Ctrl-C (or a kill) must not leave the stack a benchmark started running. */
export function stopStackOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void globalTeardown().finally(() => process.exit(130)));
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * How fast this machine's CPU is right now: a fixed loop's time (lower is faster). Shared machines
 * vary (we saw 520-700 ms within minutes), and every CPU-bound figure moves with it: printed with
 * every run so runs can be compared.
 */
export function cpuCalibrationMs(): number {
  const started = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 3e8; i++) x += i % 7;
  if (x < 0) console.log(x); // keeps the loop from being optimized away
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The notes under a benchmark's table, and the machine's speed before and after the run. */
export function printNotes(notes: string[], calibrationBeforeMs: number): void {
  console.log('');
  for (const note of notes) console.log(`- ${note}`);
  console.log(`- CPU calibration (a fixed loop; lower is a faster machine): ${calibrationBeforeMs.toFixed(0)} ms before the run, ${cpuCalibrationMs().toFixed(0)} ms after`);
}
