/**
 * The container tier's harness: renders the chart, translates it (translate.ts) and starts the
 * containers with testcontainers, host networking only. Every container carries LABELS, so the
 * next run's global setup removes what a crashed run left; stop() removes what this one started.
 * Each container's output streams to LOG_DIR/<run>/<container>.log.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { parse, stringify } from 'yaml';
import { ROOT } from '../../../scripts/devstack/env';
import { parseRendered, serverPorts, translate, type ContainerSpec, type PodPlan, type TierPlan, type TierPorts } from './translate';

// Ryuk (testcontainers' reaper) is an image no registry here serves: the tier removes its own containers.
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
// The daemon runs with --bridge=none (scripts/docker-engine.sh): testcontainers would look up the
// bridge network to find the engine's host; with host networking every container is on 127.0.0.1.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

export const TIER_DIR = join(ROOT, '.data', 'containers');
export const LOG_DIR = join(TIER_DIR, 'logs');
/** What global setup hands the test files (image tag, values file). */
const SETUP_FILE = join(TIER_DIR, 'setup.json');
const CHART = join(ROOT, 'k8s', 'charts', 'holdfast');
/** The namespace the chart is rendered for (RoleBindings name it; daprd gets it as NAMESPACE). */
export const NAMESPACE = 'holdfast';
export const DAPR_IMAGE = `holdfast/dapr:${process.env.DAPR_VERSION ?? '1.18.2'}`;

/** One label per checkout: a second clone's tier is never this one's leftovers. */
export const LABELS = { 'holdfast.tier': 'containers', 'holdfast.checkout': createHash('sha256').update(ROOT).digest('hex').slice(0, 12) };

/**
 * HOLDFAST_CONTAINERS_PORT_BASE moves the tier's block of 230 ports (default 30000; it must stay in
 * 30000-31999, below Linux's ephemeral range 32768-60999 where an outgoing connection's source port
 * can take a listener's port: CI run f2 failed with EADDRINUSE on 36060; docs/ports.md).
 */
export function tierPorts(env: NodeJS.ProcessEnv = process.env): TierPorts {
  const base = Number(env.HOLDFAST_CONTAINERS_PORT_BASE ?? 30000);
  const last = serverPorts({ base }).schedulerEtcdPeer;
  if (!Number.isInteger(base) || base < 30000 || last > 31999) throw new Error(`HOLDFAST_CONTAINERS_PORT_BASE=${base}: the tier's ports (${base}-${last}) must lie in 30000-31999`);
  return { base };
}

export interface TierSetup {
  imageTag: string;
  helm: string;
  /** The values the tier adds to the chart's defaults (image tag, the console's user): a file of ours, mode 0600. */
  valuesFile: string;
}

export function saveSetup(setup: TierSetup): void {
  mkdirSync(TIER_DIR, { recursive: true });
  writeFileSync(SETUP_FILE, JSON.stringify(setup), { mode: 0o600 });
}

export function loadSetup(): TierSetup {
  return JSON.parse(readFileSync(SETUP_FILE, 'utf8')) as TierSetup;
}

/** `helm template` of the chart: its defaults, the tier's values file, then `extra` (a test's own knobs, e.g. delivery.env). */
export function renderChart(setup: TierSetup, extra: Record<string, unknown> = {}, name = 'default'): string {
  const extraFile = join(TIER_DIR, `values-${name}.yaml`);
  writeFileSync(extraFile, stringify(extra), { mode: 0o600 });
  return execFileSync(setup.helm, ['template', 'holdfast', CHART, '--namespace', NAMESPACE, '-f', setup.valuesFile, '-f', extraFile], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** The nameResolution block our local Configurations carry (the rendered ones drop it). */
function localNameResolution(): Record<string, unknown> {
  const config = parse(readFileSync(join(ROOT, 'components', 'config-booking.yaml'), 'utf8')) as { spec: { nameResolution: Record<string, unknown> } };
  return config.spec.nameResolution;
}

export function planTier(rendered: string): TierPlan {
  return translate(parseRendered(rendered), {
    ports: tierPorts(), daprImage: DAPR_IMAGE, daprdPath: '/usr/local/bin/daprd', nameResolution: localNameResolution(), namesDir: '/holdfast/names', namespace: NAMESPACE,
  });
}

/** Removes every container of this checkout's tier (a crashed run's leftovers, or ours after a failure). */
export async function removeTierContainers(): Promise<number> {
  const client = await getContainerRuntimeClient();
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: Object.entries(LABELS).map(([k, v]) => `${k}=${v}`) } });
  await Promise.all(found.map((c) => client.container.dockerode.getContainer(c.Id).remove({ force: true })));
  return found.length;
}

/** GenericContainer plus what a pod's securityContext asks that testcontainers has no method for. */
class PodContainer extends GenericContainer {
  withReadOnlyRootfs(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this;
  }
}

/** The uid the pod runs as (10001 in the chart): the files its sidecar reads must be its own. */
const uidOf = (user: string | undefined) => (user ? Number(user.split(':')[0]) : undefined);

export interface Running {
  spec: ContainerSpec;
  container: StartedTestContainer;
}

/** One run of the tier in one test file: servers, the migration, then the pods it asks for. */
export class Tier {
  readonly runDir: string;
  readonly logDir: string;
  private readonly running = new Map<string, Running>();

  constructor(readonly plan: TierPlan, readonly name: string) {
    this.runDir = join(TIER_DIR, 'run', name);
    this.logDir = join(LOG_DIR, name);
    rmSync(this.runDir, { recursive: true, force: true });
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    const asRoot = process.getuid?.() === 0;
    const podUid = uidOf(Object.values(plan.pods)[0]?.sidecar.user) ?? 10001;
    for (const [path, content] of Object.entries(plan.files)) {
      const file = join(this.runDir, path);
      mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
      const secret = path.startsWith('secrets/');
      writeFileSync(file, content, { mode: secret ? 0o600 : 0o644 });
      // The sidecar (uid 10001) reads its secrets file, which only it may read.
      if (secret && asRoot) chownSync(file, podUid, podUid);
    }
    // The sidecars' shared name registry (SQLite), written by each of them.
    mkdirSync(join(this.runDir, 'names'), { recursive: true, mode: 0o755 });
    if (asRoot) chownSync(join(this.runDir, 'names'), podUid, podUid);
  }

  private logTo(name: string) {
    return (stream: Readable) => stream.pipe(createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' }));
  }

  /** Starts one container from its spec (host networking, labels, its log to a file). */
  async start(spec: ContainerSpec, configure: (c: PodContainer) => PodContainer = (c) => c): Promise<StartedTestContainer> {
    let container = new PodContainer(spec.image)
      .withNetworkMode('host').withLabels({ ...LABELS, 'holdfast.run': this.name, 'holdfast.container': spec.name })
      .withEnvironment(spec.env).withLogConsumer(this.logTo(spec.name));
    if (spec.entrypoint) container = container.withEntrypoint(spec.entrypoint);
    if (spec.command) container = container.withCommand(spec.command);
    // Not root: run as ourselves, so the sidecar can read the files we wrote (docs/container-tier.md).
    const user = process.getuid?.() === 0 ? spec.user : `${process.getuid?.()}:${process.getgid?.()}`;
    if (user) container = container.withUser(user);
    if (spec.readOnlyRootfs) container = container.withReadOnlyRootfs();
    if (Object.keys(spec.tmpfs).length > 0) container = container.withTmpFs(spec.tmpfs);
    if (spec.dropCapabilities.length > 0) container = container.withDroppedCapabilities(...spec.dropCapabilities);
    if (spec.noNewPrivileges) container = container.withSecurityOpt('no-new-privileges');
    if (spec.mounts.length > 0) {
      container = container.withBindMounts(spec.mounts.map((m) => ({ source: join(this.runDir, m.source), target: m.target, mode: m.writable ? 'rw' as const : 'ro' as const })));
    }
    const started = await configure(container).start();
    this.running.set(spec.name, { spec, container: started });
    return started;
  }

  /** PostgreSQL, Redis, placement and scheduler, from our images, on the tier's ports. */
  async startServers(): Promise<void> {
    const p = serverPorts(tierPorts());
    const { database, redis } = this.plan;
    const server = (name: string, image: string, env: Record<string, string>, command?: string[], entrypoint?: string[]): ContainerSpec => ({
      name, image, env, command, entrypoint, readOnlyRootfs: false, tmpfs: { '/tmp': 'rw' }, mounts: [], dropCapabilities: [], noNewPrivileges: true,
    });
    await Promise.all([
      this.start(server('postgres', 'holdfast/postgres:15', {
        PGPORT: String(p.postgres), PGDATA: '/tmp/pgdata', POSTGRES_LISTEN_ADDRESSES: '127.0.0.1', POSTGRES_USER: database.user, POSTGRES_DB: database.name,
        // The chart's default URL has no password (a development server that trusts its network): so does this one.
        ...(database.password ? { POSTGRES_PASSWORD: database.password } : { POSTGRES_HOST_AUTH_METHOD: 'trust' }),
      }), (c) => c.withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/)).withStartupTimeout(120_000)),
      this.start(server('redis', 'holdfast/redis:7', { REDIS_PORT: String(p.redis), REDIS_BIND: '127.0.0.1', ...(redis.password ? { REDIS_PASSWORD: redis.password } : {}) }),
        (c) => c.withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/)).withStartupTimeout(60_000)),
      // The control plane as scripts/devstack/runtime.ts starts it, on the tier's ports.
      this.start(server('placement', DAPR_IMAGE, {}, [
        '--port', String(p.placement), '--healthz-port', String(p.placementHealthz), '--healthz-listen-address', '127.0.0.1',
        '--metrics-port', String(p.placementMetrics), '--metrics-listen-address', '127.0.0.1', '--listen-address', '127.0.0.1', '--log-level', 'info',
        '--initial-cluster', `dapr-placement-0=127.0.0.1:${p.placementRaft}`,
      ], ['/usr/local/bin/placement'])),
      this.start(server('scheduler', DAPR_IMAGE, {}, [
        '--port', String(p.scheduler), '--healthz-port', String(p.schedulerHealthz), '--healthz-listen-address', '127.0.0.1',
        '--metrics-port', String(p.schedulerMetrics), '--metrics-listen-address', '127.0.0.1', '--listen-address', '127.0.0.1',
        '--etcd-data-dir', '/tmp/scheduler', '--etcd-client-port', String(p.schedulerEtcdClient),
        '--etcd-initial-cluster', `dapr-scheduler-server-0=http://127.0.0.1:${p.schedulerEtcdPeer}`, '--etcd-client-listen-address', '127.0.0.1', '--log-level', 'info',
      ], ['/usr/local/bin/scheduler'])),
    ]);
    await Promise.all([
      this.untilReady('placement', () => httpOk(`http://127.0.0.1:${p.placementHealthz}/healthz`), 60_000),
      this.untilReady('scheduler', () => httpOk(`http://127.0.0.1:${p.schedulerHealthz}/healthz`), 60_000),
    ]);
  }

  /** The chart's migration hook Job, run once to its end (exit 0), as a pre-install hook would be. */
  async migrate(): Promise<void> {
    // As long as the Job's activeDeadlineSeconds lets it run in a cluster.
    await this.start(this.plan.migration, (c) => c.withWaitStrategy(Wait.forOneShotStartup()).withStartupTimeout(this.plan.migrationDeadlineSeconds * 1000));
  }

  pod(appId: string): PodPlan {
    const pod = this.plan.pods[appId];
    if (!pod) throw new Error(`no pod ${appId} in the rendering (${Object.keys(this.plan.pods).join(', ')})`);
    return pod;
  }

  /**
   * Starts a pod's app and daprd together, as the kubelet does, and waits until both are ready:
   * three times the startup window the chart gives the app.
   */
  async startPod(appId: string): Promise<void> {
    const pod = this.pod(appId);
    await Promise.all([pod.app ? this.start(pod.app) : undefined, this.start(pod.sidecar)]);
    await this.untilPodReady(appId, this.readyTimeoutMs(appId));
  }

  readyTimeoutMs(appId: string): number {
    return 3 * this.pod(appId).startupSeconds * 1000;
  }

  /** Stops and removes one pod's containers. */
  async stopPod(appId: string): Promise<void> {
    const pod = this.pod(appId);
    const names = [pod.sidecar.name, ...(pod.app ? [pod.app.name] : [])];
    const stopping = names.map((n) => this.running.get(n)).filter((r): r is Running => Boolean(r));
    names.forEach((n) => this.running.delete(n));
    await Promise.all(stopping.map(({ container }) => container.stop({ timeout: 10_000, remove: true })));
  }

  async untilPodReady(appId: string, readyTimeoutMs: number): Promise<void> {
    const pod = this.pod(appId);
    const headers: Record<string, string> = pod.daprApiToken ? { 'dapr-api-token': pod.daprApiToken } : {};
    await this.untilReady(pod.sidecar.name, () => httpOk(`http://127.0.0.1:${pod.ports.daprHttp}/v1.0/healthz`, headers), readyTimeoutMs);
    if (pod.app && pod.readiness) await this.untilReady(pod.app.name, () => httpOk(`http://127.0.0.1:${pod.readiness!.port}${pod.readiness!.path}`), readyTimeoutMs);
  }

  /** Polls `probe`, failing at once (with the container's last log lines) if the container exits first. */
  async untilReady(name: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const running = this.running.get(name);
    if (!running) throw new Error(`${name} was not started`);
    const client = await getContainerRuntimeClient();
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const state = (await client.container.dockerode.getContainer(running.container.getId()).inspect()).State;
      if (!state.Running) throw new Error(`${name} exited (code ${state.ExitCode}) before it was ready; ${join(this.logDir, `${name}.log`)} ends:\n${this.tail(name)}`);
      try {
        if (await probe()) return;
        last = 'not ready';
      } catch (error) {
        last = String(error);
      }
      if (Date.now() > deadline) throw new Error(`${name}: not ready after ${timeoutMs} ms (${last}); ${join(this.logDir, `${name}.log`)} ends:\n${this.tail(name)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private tail(name: string): string {
    try {
      return readFileSync(join(this.logDir, `${name}.log`), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGKILL to a pod's app container: it dies mid-work, as in a crash (its sidecar keeps running). */
  async killApp(appId: string): Promise<void> {
    const name = this.pod(appId).app!.name;
    const client = await getContainerRuntimeClient();
    await client.container.dockerode.getContainer(this.running.get(name)!.container.getId()).kill({ signal: 'SIGKILL' });
  }

  /** The killed container started again (the kubelet's restart), its new output appended to its log. */
  async restartApp(appId: string): Promise<void> {
    const { container, spec } = this.running.get(this.pod(appId).app!.name)!;
    const since = Math.floor(Date.now() / 1000);
    await container.restart();
    this.logTo(spec.name)(await container.logs({ since }));
    await this.untilPodReady(appId, this.readyTimeoutMs(appId));
  }

  /** Stops and removes everything this run started (also after a failure: call it from afterAll). */
  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.allSettled(all.map(({ container }) => container.stop({ timeout: 10_000, remove: true })));
  }

  sidecarUrl(appId: string): string {
    return `http://127.0.0.1:${this.pod(appId).ports.daprHttp}`;
  }
}

async function httpOk(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
  return response.ok;
}
