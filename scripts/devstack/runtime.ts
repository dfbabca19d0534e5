/** Dapr's control plane (placement, scheduler) and sidecars (daprd), started without the Dapr CLI. */
import { homedir } from 'node:os';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type ProcessSpec, type RunningProcess } from './processes';
import { httpOk, waitFor } from './wait';

export const DAPR_BIN = process.env.DAPR_INSTALL_DIR ?? join(homedir(), '.dapr', 'bin');

export interface ControlPlanePorts {
  placement: number;
  placementHealthz: number;
  placementMetrics: number;
  /** Placement's raft peer port (daprd never uses it; two placements on one host must differ). */
  placementRaft: number;
  scheduler: number;
  schedulerHealthz: number;
  schedulerMetrics: number;
  schedulerEtcdClient: number;
  schedulerEtcdPeer: number;
}

/**
 * placement and scheduler keep Dapr's default gRPC ports; their other ports are ours, below Linux's
 * ephemeral range (32768-60999), where an outgoing connection's source port can take them first.
 */
export const DEFAULT_CONTROL_PLANE: ControlPlanePorts = {
  placement: 50005, placementHealthz: 28080, placementMetrics: 28090, placementRaft: 28201,
  scheduler: 50006, schedulerHealthz: 28081, schedulerMetrics: 28091,
  schedulerEtcdClient: 28379, schedulerEtcdPeer: 28380,
};

export interface ControlPlane {
  placement: RunningProcess;
  scheduler: RunningProcess;
  placementAddress: string;
  schedulerAddress: string;
}

/** placement's process, on `ports` (the fault drill restarts it alone, so it has a spec of its own). */
export function placementSpec(ports: ControlPlanePorts, output: string): ProcessSpec {
  return {
    name: 'placement', command: join(DAPR_BIN, 'placement'), output,
    args: ['--port', String(ports.placement), '--healthz-port', String(ports.placementHealthz), '--healthz-listen-address', '127.0.0.1',
      '--metrics-port', String(ports.placementMetrics), '--metrics-listen-address', '127.0.0.1', '--listen-address', '127.0.0.1', '--log-level', 'warn',
      '--initial-cluster', `dapr-placement-0=127.0.0.1:${ports.placementRaft}`],
  };
}

/**
 * How many committed etcd transactions the scheduler's embedded etcd keeps in memory before it
 * snapshots and trims its raft log (HOLDFAST_SCHEDULER_ETCD_SNAPSHOT_COUNT). The scheduler's default,
 * 100,000, keeps up to that many (every reminder, job and workflow step is a transaction), and the
 * scheduler was the largest process after issue 15's 5-minute soak; 10,000 is etcd's own default since 3.6.
 */
export const SCHEDULER_ETCD_SNAPSHOT_COUNT = 10_000;

/**
 * How much key history the scheduler's embedded etcd keeps (periodic compaction;
 * HOLDFAST_SCHEDULER_ETCD_COMPACTION_RETENTION, a Go duration). Every job, reminder and workflow
 * timer written or deleted is a revision; the scheduler's default keeps the last 1,000,000 of them,
 * so its memory grew all through issue 15's soak (+22 to +36 MiB over its second half, 182-214 MiB
 * at the end). One minute of history: +9 MiB and 169 MiB in the same reduced run. Compaction drops
 * old revisions only, never a key's current value: a job due in a day keeps its value. Dapr's
 * scheduler watches its keys live; only a watch a minute behind would meet a compacted revision.
 */
export const SCHEDULER_ETCD_COMPACTION_RETENTION = '1m';

/** The scheduler's process; its embedded etcd keeps reminders, jobs and workflow timers in `dataDir`. */
export function schedulerSpec(ports: ControlPlanePorts, dataDir: string, output: string): ProcessSpec {
  const snapshotCount = countFromEnv(process.env.HOLDFAST_SCHEDULER_ETCD_SNAPSHOT_COUNT, SCHEDULER_ETCD_SNAPSHOT_COUNT);
  const compactionRetention = durationFromEnv(process.env.HOLDFAST_SCHEDULER_ETCD_COMPACTION_RETENTION, SCHEDULER_ETCD_COMPACTION_RETENTION);
  return {
    name: 'scheduler', command: join(DAPR_BIN, 'scheduler'), output,
    args: ['--port', String(ports.scheduler), '--healthz-port', String(ports.schedulerHealthz), '--healthz-listen-address', '127.0.0.1',
      '--metrics-port', String(ports.schedulerMetrics), '--metrics-listen-address', '127.0.0.1', '--listen-address', '127.0.0.1',
      '--etcd-data-dir', dataDir, '--etcd-client-port', String(ports.schedulerEtcdClient),
      '--etcd-initial-cluster', `dapr-scheduler-server-0=http://127.0.0.1:${ports.schedulerEtcdPeer}`, '--etcd-client-listen-address', '127.0.0.1', '--log-level', 'warn',
      '--etcd-snapshot-count', String(snapshotCount),
      '--etcd-compaction-mode', 'periodic', '--etcd-compaction-retention', compactionRetention],
  };
}

/** A Go duration (`90s`, `1m`, `1h30m`) from the environment, or the default; anything else is an error naming the value. */
function durationFromEnv(raw: string | undefined, fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(raw)) throw new Error(`HOLDFAST_SCHEDULER_ETCD_COMPACTION_RETENTION must be a Go duration such as 1m or 90s (got "${raw}")`);
  return raw;
}

/** A positive whole number from the environment, or the default; anything else is an error naming the value. */
function countFromEnv(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`HOLDFAST_SCHEDULER_ETCD_SNAPSHOT_COUNT must be a positive whole number (got "${raw}")`);
  return Number(raw);
}

/** Output goes to `logDir/<name>.log`, or 'inherit' for prefixed lines on our stdout. */
export async function startControlPlane(ports: ControlPlanePorts, dataDir: string, output: (name: string) => string): Promise<ControlPlane> {
  const placement = startProcess(placementSpec(ports, output('placement')));
  const scheduler = startProcess(schedulerSpec(ports, dataDir, output('scheduler')));
  await Promise.all([
    untilReady(placement, () => httpOk(`http://127.0.0.1:${ports.placementHealthz}/healthz`)),
    untilReady(scheduler, () => httpOk(`http://127.0.0.1:${ports.schedulerHealthz}/healthz`)),
  ]);
  return { placement, scheduler, placementAddress: `127.0.0.1:${ports.placement}`, schedulerAddress: `127.0.0.1:${ports.scheduler}` };
}

/** Waits for `probe`, failing at once (not after the timeout) if the process exits first. */
export function untilReady(proc: RunningProcess, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  return Promise.race([
    waitFor(proc.name, probe, timeoutMs),
    proc.exited.then((code) => {
      throw new Error(`${proc.name} exited with code ${code} before it was ready (see its log)`);
    }),
  ]);
}

export interface SidecarSpec {
  appId: string;
  /** None for a sidecar alone (the client gateway). */
  appPort?: number;
  httpPort: number;
  grpcPort: number;
  /**
   * The port other sidecars call this one on (service invocation), found through mDNS. Fixed, so a
   * restarted sidecar keeps its address and no peer's name cache points at a dead port.
   */
  internalGrpcPort?: number;
  metricsPort: number;
  resourcesPath: string;
  configFilePath?: string;
  /**
   * The environment's run directory (.data for npm start, .data/test for the tests, ...). The sidecar
   * runs there, so the SQLite name registry named relatively in components/config-*.yaml
   * (dapr-names.db) is this environment's own: a second environment's sidecars, even with the same
   * app ids, are never among this one's invocation targets.
   */
  runDir: string;
  /** None: no actors, workflows or reminders on this sidecar (the gateway). */
  placementAddress?: string;
  schedulerAddress?: string;
  logLevel?: string;
  appHealthCheckPath?: string;
  env: NodeJS.ProcessEnv;
  output: string;
}

export function startSidecar(spec: SidecarSpec): RunningProcess {
  const args = [
    '--app-id', spec.appId,
    '--dapr-http-port', String(spec.httpPort), '--dapr-grpc-port', String(spec.grpcPort),
    '--dapr-listen-addresses', '127.0.0.1', '--dapr-internal-grpc-listen-address', '127.0.0.1', '--metrics-port', String(spec.metricsPort), '--metrics-listen-address', '127.0.0.1',
    '--resources-path', spec.resourcesPath, '--log-level', spec.logLevel ?? 'warn',
    // A body over this gets 413 from the sidecar itself (the apps' own limit is 1 MB; actor calls are smaller still).
    '--max-body-size', process.env.HOLDFAST_DAPR_MAX_BODY_SIZE ?? '4Mi',
  ];
  if (spec.internalGrpcPort !== undefined) args.push('--dapr-internal-grpc-port', String(spec.internalGrpcPort));
  if (spec.appPort !== undefined) args.push('--app-port', String(spec.appPort), '--app-channel-address', '127.0.0.1');
  if (spec.placementAddress) args.push('--placement-host-address', spec.placementAddress);
  if (spec.schedulerAddress) args.push('--scheduler-host-address', spec.schedulerAddress);
  if (spec.configFilePath) args.push('--config', spec.configFilePath);
  if (spec.appHealthCheckPath) args.push('--enable-app-health-check', '--app-health-check-path', spec.appHealthCheckPath);
  mkdirSync(spec.runDir, { recursive: true });
  return startProcess({ name: `${spec.appId}-dapr`, command: join(DAPR_BIN, 'daprd'), args, cwd: spec.runDir, env: spec.env, output: spec.output });
}

/**
 * daprd's own health endpoint answers 204 once its components are loaded and the app is reachable.
 * Given the sidecar's process, fails at once if it exits first.
 */
export function waitForSidecar(sidecar: RunningProcess, httpPort: number, apiToken?: string, timeoutMs = 60_000): Promise<void> {
  return untilReady(sidecar, () => httpOk(`http://127.0.0.1:${httpPort}/v1.0/healthz`, apiToken ? { 'dapr-api-token': apiToken } : {}), timeoutMs);
}
