/**
 * The fault drill's own platform (issue 16): its own PostgreSQL and Redis (scripts/infra.sh with a
 * data folder and ports of its own), its own placement and scheduler, and every app of dapr.yaml
 * beside its own daprd, on a block of ports nothing else uses (27000-27399, below Linux's
 * ephemeral range). Nothing is shared with `npm start` or `npm test`, so faults that restart Redis
 * or PostgreSQL hit the drill alone, and the short drill can run beside the integration tier.
 *
 * Each process is a ManagedProcess the injector can kill, stall and start again on the same ports,
 * the way a supervisor (Kubernetes, systemd) would restart it. The admin console is left out: it
 * only calls the other apps on a person's behalf, and the workload is the clients' and admins' API.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, stopAll, type ProcessSpec, type RunningProcess } from '../scripts/devstack/processes';
import { placementSpec, schedulerSpec, startSidecar, untilReady, waitForSidecar, type ControlPlanePorts, type SidecarSpec } from '../scripts/devstack/runtime';
import { appProcessEnv, readConnections, ROOT, runTokens, sidecarProcessEnv, type Connections, type Tokens } from '../scripts/devstack/env';
import { readRunFile, type ResolvedApp } from '../scripts/devstack/run-file';
import { httpOk } from '../scripts/devstack/wait';

export const DRILL_DIR = process.env.HOLDFAST_DRILL_DIR ?? join(ROOT, '.data', 'drill');
export const DRILL_LOG_DIR = join(DRILL_DIR, 'logs');
/** The apps under drill, in start order: the outside world first, the gateway last. */
export const DRILL_APPS = ['providers', 'booking', 'fulfillment', 'delivery', 'gateway'] as const;

const BASE = Number(process.env.HOLDFAST_DRILL_BASE_PORT ?? 27000);
/** Per app i: app BASE+20i, sidecar HTTP +1, gRPC +2, internal gRPC +3, metrics +4. */
const appPorts = (index: number) => ({ app: BASE + 20 * index, http: BASE + 20 * index + 1, grpc: BASE + 20 * index + 2, internal: BASE + 20 * index + 3, metrics: BASE + 20 * index + 4 });
export const DRILL_CONTROL_PLANE: ControlPlanePorts = {
  placement: BASE + 200, placementHealthz: BASE + 201, placementMetrics: BASE + 202, placementRaft: BASE + 203,
  scheduler: BASE + 210, schedulerHealthz: BASE + 211, schedulerMetrics: BASE + 212, schedulerEtcdClient: BASE + 213, schedulerEtcdPeer: BASE + 214,
};
export const DRILL_PG_PORT = BASE + 300;
export const DRILL_REDIS_PORT = BASE + 301;

/**
 * Settings that make every flow end within a drill: undecided orders time out after 20 s, a show
 * with more than 4 tickets sold refunds them all when cancelled (so both sides of the threshold
 * occur with a few bookings per show). Everything else is the apps' defaults, the sweeper's too.
 */
export const DRILL_APP_SETTINGS: Record<string, Record<string, string>> = {
  booking: { SHOW_CANCEL_REFUND_THRESHOLD: '4' },
  fulfillment: { APPROVAL_TIMEOUT_SECONDS: '20' },
  delivery: {},
  providers: {},
};

/** infra.sh for the drill's own servers: the user's DATABASE_URL/REDIS_HOST never reach it (the drill restarts its servers). */
export function infraEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOLDFAST_DATA_DIR: DRILL_DIR, HOLDFAST_PG_PORT: String(DRILL_PG_PORT), HOLDFAST_REDIS_PORT: String(DRILL_REDIS_PORT) };
  for (const key of ['DATABASE_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD', 'HOLDFAST_PG_DIR', 'TEST_DATABASE_URL']) delete env[key];
  return env;
}

export function infra(...args: string[]): string {
  return execFileSync('bash', [join(ROOT, 'scripts', 'infra.sh'), ...args], { env: infraEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Set when the platform stops: its processes' exits are no longer restarted. */
let platformStopping = false;

/** How often a process is started before the drill gives up on it (about two minutes of backoff). */
const START_ATTEMPTS = 15;

/** A process the drill started and may kill, stall and start again; `current` is its latest incarnation. */
export class ManagedProcess {
  current: RunningProcess | undefined;
  /** Exits the drill did not cause (a start-up that gave up, a crash), each restarted as a supervisor would: when, and how long until it was back. */
  readonly unplannedExits: Array<{ at: number; backAt: number; code: number | null }> = [];
  /** The incarnation the drill is killing or has stopped on purpose: its exit is expected. */
  private expectedExit: RunningProcess | undefined;

  constructor(readonly name: string, private readonly launch: () => RunningProcess, private readonly ready: (proc: RunningProcess) => Promise<void>,
    private readonly log: (line: string) => void = () => {}) {}

  /**
   * Watches an incarnation: if it exits and the drill did not kill it, it is started again, as
   * Kubernetes restarts a container whose process ended. long-c: the delivery app, restarted after a
   * kill while its sidecar was down, gave up at start-up ("start-up failed: ... timeout") and
   * exited; nothing started it again, so its daprd (waiting for a healthy app) never got ready.
   */
  private watch(proc: RunningProcess): void {
    void proc.exited.then(async (code) => {
      if (platformStopping || this.expectedExit === proc || this.current !== proc) return;
      const at = Date.now();
      this.log(`drill: ${this.name} exited by itself (code ${code}); starting it again`);
      try {
        await this.start();
      } catch (error) {
        this.log(`drill: ${this.name} could not be started again: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.unplannedExits.push({ at, backAt: Date.now(), code });
    });
  }

  /**
   * Started again until it is ready, 1, 2, 4, 8, then 10 s apart, as Kubernetes restarts a
   * crash-looping container: a daprd started while PostgreSQL is frozen exits at its component's
   * init (long-b: the booking daprd stayed down 72 s, until the next fault on it started it).
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const proc = this.launch();
      this.current = proc;
      try {
        await this.ready(proc);
        this.watch(proc);
        return;
      } catch (error) {
        this.expectedExit = proc;
        await proc.kill();
        if (attempt >= START_ATTEMPTS) throw error;
        const backoffMs = Math.min(1_000 * 2 ** (attempt - 1), 10_000);
        this.log(`drill: ${this.name} did not start (${error instanceof Error ? error.message : String(error)}); again in ${backoffMs / 1000} s`);
        await sleep(backoffMs);
      }
    }
  }

  /** SIGKILL (the whole process group), then started again at once on the same ports. */
  async killAndRestart(): Promise<void> {
    this.expectedExit = this.current;
    await this.current?.kill();
    await this.start();
  }

  /** SIGSTOP to the whole group for `forMs`, then SIGCONT: a long GC pause, a frozen VM. */
  async stall(forMs: number): Promise<void> {
    const pid = this.current?.pid;
    if (!pid || pid <= 1) return;
    signalGroup(pid, 'SIGSTOP');
    await sleep(forMs);
    signalGroup(pid, 'SIGCONT');
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Gone already.
  }
}

/** SIGSTOP/SIGCONT to a server (Redis, PostgreSQL's postmaster) and every child of it: all of PostgreSQL stops, not its postmaster alone. */
export function signalServerTree(pid: number, signal: NodeJS.Signals): void {
  // pgrep exits 1 when there is no child (Redis has none): that is an empty list, not an error.
  let listed = '';
  try {
    listed = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    listed = '';
  }
  const children = listed.split('\n').map((l) => Number(l.trim())).filter((n) => n > 1);
  for (const target of [pid, ...children]) {
    try {
      process.kill(target, signal);
    } catch {
      // Exited meanwhile.
    }
  }
}

export interface DrillPlatform {
  connections: Connections;
  gatewayUrl: string;
  providersUrl: string;
  /** Apps and sidecars by name: `booking`, `booking-dapr`, ..., `gateway-dapr`, `placement`, `scheduler`. */
  processes: Map<string, ManagedProcess>;
  appUrl(appId: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the drill's platform from nothing: servers reset (a fresh database per drill, so the
 * checker reads this drill's records only), migrated, then control plane, apps and sidecars.
 */
export interface PlatformOptions {
  /** Per app, environment over DRILL_APP_SETTINGS (the benchmark's auto-approval, say). */
  settings?: Record<string, Record<string, string>>;
  /** The apps' LOG_LEVEL (default info, as in production). */
  logLevel?: string;
}

export async function startDrillPlatform(log: (line: string) => void, options: PlatformOptions = {}): Promise<DrillPlatform> {
  // The sidecars' run folder (the name registry, the scheduler's etcd) is the drill's own; DRILL_DIR/run
  // is infra.sh's (Redis's pid file and password file): deleting that would lose track of a running Redis.
  const runDir = join(DRILL_DIR, 'platform');
  rmSync(runDir, { recursive: true, force: true });
  rmSync(DRILL_LOG_DIR, { recursive: true, force: true });
  mkdirSync(DRILL_LOG_DIR, { recursive: true });
  infra('reset');
  try {
    return await startOnServers(runDir, log, options);
  } catch (error) {
    // Nothing the drill started may outlive a failed start: it would hold the drill's ports for the next one.
    platformStopping = true;
    await stopAll(5_000);
    try {
      infra('stop');
    } catch {
      // Reported below with the start's own error.
    }
    throw error;
  }
}

async function startOnServers(runDir: string, log: (line: string) => void, options: PlatformOptions): Promise<DrillPlatform> {
  infra('start');
  const connections = readConnections(infraEnv());
  execFileSync('node', [join(ROOT, 'scripts', 'prisma', 'schema-engine.mjs'), 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: connections.DATABASE_URL }, stdio: 'ignore' });
  log('drill: PostgreSQL and Redis of its own started and migrated');

  const schedulerDir = join(runDir, 'scheduler');
  mkdirSync(schedulerDir, { recursive: true });
  const output = (name: string) => join(DRILL_LOG_DIR, `${name}.log`);
  const processes = new Map<string, ManagedProcess>();
  const managed = (name: string, spec: () => ProcessSpec, ready: (proc: RunningProcess) => Promise<void>) => {
    const proc = new ManagedProcess(name, () => startProcess(spec()), ready, log);
    processes.set(name, proc);
    return proc;
  };
  const cp = DRILL_CONTROL_PLANE;
  const placement = managed('placement', () => placementSpec(cp, output('placement')), (p) => untilReady(p, () => httpOk(`http://127.0.0.1:${cp.placementHealthz}/healthz`)));
  const scheduler = managed('scheduler', () => schedulerSpec(cp, schedulerDir, output('scheduler')), (p) => untilReady(p, () => httpOk(`http://127.0.0.1:${cp.schedulerHealthz}/healthz`)));
  await Promise.all([placement.start(), scheduler.start()]);

  const runFile = new Map(readRunFile(join(ROOT, 'dapr.yaml')).map((app) => [app.appID, app]));
  const ports = new Map(DRILL_APPS.map((appId, i) => [appId, appPorts(i)]));
  const providersUrl = `http://127.0.0.1:${ports.get('providers')!.app}`;
  const bookingUrl = `http://127.0.0.1:${ports.get('booking')!.app}`;

  for (const appId of DRILL_APPS) {
    const app: ResolvedApp | undefined = runFile.get(appId);
    if (!app) throw new Error(`drill: dapr.yaml has no app ${appId}`);
    const p = ports.get(appId)!;
    const tokens: Tokens = app.command ? runTokens({ DAPR_API_TOKEN: '', APP_API_TOKEN: '' }) : { daprApiToken: connections.CLIENT_API_TOKEN, appApiToken: '' };
    const appEnv = { ...process.env, ...app.env, ...DRILL_APP_SETTINGS[appId], ...options.settings?.[appId], LOG_LEVEL: options.logLevel ?? 'info', ...(appId === 'providers' ? { PAYMENTS_WEBHOOK_URL: `${bookingUrl}/webhooks/payments` } : {}) };
    if (app.command) {
      const [command, ...args] = app.command;
      const appProcess = managed(appId, () => ({
        name: appId, command: command === 'node' ? process.execPath : command!, args, cwd: app.appDirPath, output: output(appId),
        env: appProcessEnv(appEnv, connections, tokens, { appPort: p.app, daprHTTPPort: p.http, daprGRPCPort: p.grpc }, providersUrl, appId),
      }), (proc) => untilReady(proc, () => httpOk(`http://127.0.0.1:${p.app}/healthz`), 120_000));
      await appProcess.start();
    }
    const sidecarSpec: SidecarSpec = {
      appId, appPort: app.command ? p.app : undefined, httpPort: p.http, grpcPort: p.grpc, internalGrpcPort: p.internal, metricsPort: p.metrics,
      resourcesPath: app.resourcesPath ?? join(ROOT, 'components'), configFilePath: app.configFilePath, runDir,
      placementAddress: app.command ? `127.0.0.1:${cp.placement}` : undefined, schedulerAddress: app.command ? `127.0.0.1:${cp.scheduler}` : undefined,
      logLevel: 'warn', appHealthCheckPath: app.command && app.enableAppHealthCheck ? app.appHealthCheckPath : undefined,
      env: sidecarProcessEnv(appEnv, connections, tokens, providersUrl, appId), output: output(`${appId}-dapr`),
    };
    const sidecar = new ManagedProcess(`${appId}-dapr`, () => startSidecar(sidecarSpec), (proc) => waitForSidecar(proc, p.http, tokens.daprApiToken, 120_000), log);
    processes.set(sidecar.name, sidecar);
    await sidecar.start();
    if (app.command) await untilReady(processes.get(appId)!.current!, () => httpOk(`http://127.0.0.1:${p.app}/readyz`), 120_000);
    log(`drill: ${appId} up (app ${app.command ? p.app : '-'}, sidecar ${p.http})`);
  }

  return {
    connections,
    gatewayUrl: `http://127.0.0.1:${ports.get('gateway')!.http}`,
    providersUrl,
    processes,
    appUrl: (appId) => `http://127.0.0.1:${ports.get(appId as (typeof DRILL_APPS)[number])!.app}`,
    stop: async () => {
      platformStopping = true;
      await stopAll(5_000);
      infra('stop');
    },
  };
}
