/**
 * Starts and stops the platform's processes (apps, sidecars, placement, scheduler). Each child runs
 * in its own process group so stopping it also stops what it spawned (npm -> sh -> node), and
 * nothing of ours outlives the launcher or a test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ProcessSpec {
  name: string;
  command: string;
  args?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where output goes: a file path, or 'inherit' to prefix each line with the name on our stdout. */
  output: string | 'inherit';
}

export interface RunningProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group: a crash, as far as the process can tell. */
  kill(): Promise<void>;
}

const live = new Set<RunningProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  // No pid means the spawn failed: never signal "-undefined" or, worse, -1 (every process we may signal).
  if (child.pid === undefined || child.pid <= 1) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function pipePrefixed(stream: NodeJS.ReadableStream, prefix: string, target: NodeJS.WriteStream) {
  let pending = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) target.write(`${prefix} ${line}\n`);
  });
  stream.on('end', () => pending && target.write(`${prefix} ${pending}\n`));
}

export function startProcess(spec: ProcessSpec): RunningProcess {
  const child = spawn(spec.command, spec.args ?? [], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (spec.output === 'inherit') {
    const prefix = `[${spec.name}]`.padEnd(22);
    pipePrefixed(child.stdout!, prefix, process.stdout);
    pipePrefixed(child.stderr!, prefix, process.stderr);
  } else {
    mkdirSync(dirname(spec.output), { recursive: true });
    const file = createWriteStream(spec.output, { flags: 'a' });
    // Two sources into one file: a plain pipe() ends the file when the FIRST of them ends, and the
    // other's last lines then throw "write after end" (an uncaught error that failed a CI run). The
    // file ends once the child's stdio is closed, both streams drained.
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.on('close', () => file.end());
    // A log that cannot be written (disk full, folder removed) must not take the launcher down.
    file.on('error', (error) => process.stderr.write(`[${spec.name}] cannot write its log ${spec.output}: ${error.message}\n`));
  }
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running = false;
      // Whatever the leader left behind in its group goes with it.
      signalGroup(child, 'SIGKILL');
      resolve(code);
    });
    child.on('error', (error) => {
      running = false;
      live.delete(handle);
      if (spec.output === 'inherit') process.stderr.write(`[${spec.name}] could not start: ${error.message}\n`);
      resolve(null);
    });
  });
  const handle: RunningProcess = {
    name: spec.name,
    pid: child.pid ?? 0,
    exited,
    isRunning: () => running,
    async stop(graceMs = 10_000) {
      if (running) {
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(handle);
    },
    async kill() {
      signalGroup(child, 'SIGKILL');
      await exited;
      live.delete(handle);
    },
  };
  live.add(handle);
  return handle;
}

/** Stops every process this module started, all at once, each with its grace period. */
export async function stopAll(graceMs?: number): Promise<void> {
  await Promise.all([...live].map((proc) => proc.stop(graceMs)));
}

/** SIGKILL to every process this module started: the second Ctrl-C. */
export function killAll(): void {
  for (const proc of live) {
    if (proc.pid <= 1) continue;
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

// Last resort if our own process exits without stopping its children (an uncaught error, say).
process.on('exit', killAll);
