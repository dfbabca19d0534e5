/**
 * From `helm template` output to the containers the tier starts: each Deployment becomes its app
 * container beside a daprd container, as Dapr's injector and the kubelet would run them, and the
 * migration hook Job becomes one run of its container. Pure (no Docker, no files): the harness
 * (platform.ts) writes what `files` holds and starts what `pods` describe.
 *
 * Only what cannot exist outside a cluster changes, each change named in docs/container-tier.md:
 * ports (host networking puts every pod on one host), Service names (rewritten to 127.0.0.1 and the
 * tier's port), secretstores.kubernetes (a local file store holding the Secrets the pod's Role may
 * read), no Sentry mTLS (so no accessControl), name resolution (SQLite, as scripts/dapr-run does),
 * listen addresses (loopback) and the kubernetes-only annotations.
 */
import { parseAllDocuments, stringify } from 'yaml';

// ---------------------------------------------------------------------------------------------
// The Kubernetes shapes we read (only the fields used).

interface Metadata { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> }
export interface K8sObject { apiVersion: string; kind: string; metadata: Metadata; [key: string]: unknown }
interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean }; configMapKeyRef?: { name: string; key: string; optional?: boolean } } }
interface Container {
  name: string; image: string; command?: string[]; args?: string[]; env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  securityContext?: { readOnlyRootFilesystem?: boolean; runAsUser?: number; runAsGroup?: number; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  containers: Container[]; serviceAccountName?: string;
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  volumes?: Array<{ name: string; emptyDir?: { sizeLimit?: string } }>;
}
interface PodTemplate { metadata: Metadata; spec: PodSpec }

/** Every rendered document that is an object with a kind (helm template also emits empty ones). */
export function parseRendered(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => doc.toJSON() as K8sObject | null).filter((o): o is K8sObject => Boolean(o && o.kind));
}

// ---------------------------------------------------------------------------------------------
// What the tier starts.

/** One container to start, as docker would run it with host networking. */
export interface ContainerSpec {
  /** Unique in the tier: `<app>` or `<app>-daprd`. */
  name: string;
  image: string;
  /** Replaces the image's entrypoint (a container's `command`); undefined keeps it. */
  entrypoint?: string[];
  /** The image's CMD replaced (a container's `args`); undefined keeps it. */
  command?: string[];
  env: Record<string, string>;
  /** `uid:gid` from the pod's securityContext; undefined: the image's user. */
  user?: string;
  readOnlyRootfs: boolean;
  /** emptyDir volumes as tmpfs mounts: path -> docker tmpfs options. */
  tmpfs: Record<string, string>;
  /** Files of `TierPlan.files` mounted read-only (relative path in the run folder -> container path). */
  mounts: Array<{ source: string; target: string; writable?: boolean }>;
  dropCapabilities: string[];
  noNewPrivileges: boolean;
}

export interface PodPorts {
  /** The app's ports by container port name (or number when unnamed). */
  app: Record<string, number>;
  /** Further ports the app's env names (`*_PORT`), by env name: e.g. the providers' admin port. */
  env: Record<string, number>;
  daprHttp: number;
  daprGrpc: number;
  daprInternalGrpc: number;
  daprMetrics: number;
}

export interface PodPlan {
  appId: string;
  /** Undefined for a sidecar alone (the gateway: its placeholder container is not started). */
  app?: ContainerSpec;
  /** The app's readiness path and port (its readinessProbe), when it has one. */
  readiness?: { path: string; port: number };
  /** How long the kubelet lets the app start (its startupProbe's periodSeconds x failureThreshold; Kubernetes' defaults 10 x 3). */
  startupSeconds: number;
  sidecar: ContainerSpec;
  ports: PodPorts;
  /** The sidecar's API token (dapr.io/api-token-secret), if any. */
  daprApiToken?: string;
}

export interface TierPlan {
  pods: Record<string, PodPlan>;
  migration: ContainerSpec;
  /** The migration Job's activeDeadlineSeconds (how long a cluster lets it run; 600 when unset). */
  migrationDeadlineSeconds: number;
  /** Files to write under the run folder before anything starts (relative path -> content). */
  files: Record<string, string>;
  /** The database every app and the migration use, as the tier reaches it. */
  database: { url: string; user: string; password: string; name: string; port: number };
  redis: { password: string; port: number };
  /** A rendered Secret's value (after address rewriting), e.g. the client credential. */
  secret(name: string, key: string): string;
}

export interface TierPorts {
  /** First port of the tier's block: pods take base .. base+199, the servers base+200 .. base+229. */
  base: number;
}

export const PORTS_PER_POD = 20;
export const MAX_PODS = 10;

/** The servers' ports in the tier's block. */
export function serverPorts(ports: TierPorts) {
  const b = ports.base + PORTS_PER_POD * MAX_PODS;
  return {
    postgres: b, redis: b + 1,
    placement: b + 10, placementHealthz: b + 11, placementMetrics: b + 12, placementRaft: b + 13,
    scheduler: b + 20, schedulerHealthz: b + 21, schedulerMetrics: b + 22, schedulerEtcdClient: b + 23, schedulerEtcdPeer: b + 24,
  };
}

export interface TranslateOptions {
  ports: TierPorts;
  /** The daprd image (holdfast/dapr), and its binary's path in it. */
  daprImage: string;
  daprdPath: string;
  /**
   * The nameResolution block of the local Configurations (components/config-*.yaml): the rendered
   * copies drop it (the cluster's DNS applies). Its SQLite file is set to `namesPath`.
   */
  nameResolution: Record<string, unknown>;
  /** Where the sidecars' shared SQLite name registry lives inside their containers. */
  namesDir: string;
  /** The namespace the chart was rendered for (`helm template --namespace`): daprd's NAMESPACE. */
  namespace: string;
}

/** Where the harness mounts each sidecar's inputs. */
export const SIDECAR_PATHS = { resources: '/holdfast/resources', config: '/holdfast/config.yaml', secrets: '/holdfast/secrets.json' };

/** Annotations that only mean something to a cluster (the kubelet, Kubernetes' API): nothing to run here. */
const KUBERNETES_ONLY_ANNOTATIONS = new Set([
  'dapr.io/sidecar-cpu-request', 'dapr.io/sidecar-cpu-limit', 'dapr.io/sidecar-memory-request', 'dapr.io/sidecar-memory-limit',
  'dapr.io/sidecar-liveness-probe-delay-seconds', 'dapr.io/sidecar-liveness-probe-timeout-seconds', 'dapr.io/sidecar-liveness-probe-period-seconds', 'dapr.io/sidecar-liveness-probe-threshold',
  'dapr.io/sidecar-readiness-probe-delay-seconds', 'dapr.io/sidecar-readiness-probe-timeout-seconds', 'dapr.io/sidecar-readiness-probe-period-seconds', 'dapr.io/sidecar-readiness-probe-threshold',
  'dapr.io/sidecar-image', 'dapr.io/sidecar-seccomp-profile-type', 'dapr.io/sidecar-svc-annotations', 'dapr.io/enable-native-sidecar',
  // Standalone daprd has no built-in Kubernetes secret store to disable.
  'dapr.io/disable-builtin-k8s-secret-store',
]);

/** Annotations that become daprd flags one to one (the injector's mapping, pkg/injector/patcher). */
const FLAG_ANNOTATIONS: Record<string, { flag: string; boolean?: boolean }> = {
  'dapr.io/log-level': { flag: '--log-level' },
  'dapr.io/log-as-json': { flag: '--log-as-json', boolean: true },
  'dapr.io/app-protocol': { flag: '--app-protocol' },
  'dapr.io/app-max-concurrency': { flag: '--app-max-concurrency' },
  'dapr.io/enable-app-health-check': { flag: '--enable-app-health-check', boolean: true },
  'dapr.io/app-health-check-path': { flag: '--app-health-check-path' },
  'dapr.io/app-health-probe-interval': { flag: '--app-health-probe-interval' },
  'dapr.io/app-health-probe-timeout': { flag: '--app-health-probe-timeout' },
  'dapr.io/app-health-threshold': { flag: '--app-health-threshold' },
  'dapr.io/max-body-size': { flag: '--max-body-size' },
  'dapr.io/http-max-request-size': { flag: '--dapr-http-max-request-size' },
  'dapr.io/read-buffer-size': { flag: '--read-buffer-size' },
  'dapr.io/http-read-buffer-size': { flag: '--dapr-http-read-buffer-size' },
  'dapr.io/graceful-shutdown-seconds': { flag: '--dapr-graceful-shutdown-seconds' },
  'dapr.io/block-shutdown-duration': { flag: '--dapr-block-shutdown-duration' },
  'dapr.io/enable-api-logging': { flag: '--enable-api-logging', boolean: true },
  'dapr.io/enable-profiling': { flag: '--enable-profiling', boolean: true },
  'dapr.io/actors-disseminate-timeout': { flag: '--actors-disseminate-timeout' },
  'dapr.io/disable-init-endpoints': { flag: '--disable-init-endpoints' },
};

/** Annotations the translation below handles itself. */
const HANDLED_ANNOTATIONS = new Set([
  'dapr.io/enabled', 'dapr.io/app-id', 'dapr.io/app-port', 'dapr.io/config', 'dapr.io/api-token-secret', 'dapr.io/app-token-secret', 'dapr.io/env',
  'dapr.io/enable-metrics', 'dapr.io/metrics-port', 'dapr.io/sidecar-listen-addresses', 'dapr.io/app-channel-address',
]);

// ---------------------------------------------------------------------------------------------

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A Secret's keys and values (data is base64, stringData plain; stringData wins as the API server merges it). */
export function secretValues(secret: K8sObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  const stringData = (secret.stringData ?? {}) as Record<string, string>;
  return {
    ...Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v ?? '', 'base64').toString('utf8')])),
    ...Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, String(v ?? '')])),
  };
}

/** Kubernetes quantities as docker's tmpfs size (128Mi -> 128m). */
function tmpfsSize(quantity: string | undefined): string {
  if (!quantity) return 'rw';
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`emptyDir sizeLimit ${quantity}: not a quantity the tier understands`);
  const unit = { Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] ?? ''] ?? '';
  return `rw,size=${match[1]}${unit}`;
}

/**
 * Rewrites in-cluster addresses (`service:port`, also `service.ns`, `.svc`, `.svc.cluster.local`)
 * to 127.0.0.1 and the tier's port, in a string.
 */
export function rewriteAddresses(text: string, addresses: Map<string, number>, namespace: string): string {
  let out = text;
  for (const [hostPort, port] of addresses) {
    const [host, servicePort] = hostPort.split(':') as [string, string];
    const escaped = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const ns = namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(^|[/@,=\\s])${escaped}(?:\\.${ns}(?:\\.svc(?:\\.cluster\\.local)?)?)?:${servicePort}(?!\\d)`, 'g');
    out = out.replace(pattern, `$1127.0.0.1:${port}`);
  }
  return out;
}

/** Applies `rewrite` to every string inside a JSON-like value. */
function mapStrings<T>(value: T, rewrite: (s: string) => string): T {
  if (typeof value === 'string') return rewrite(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, rewrite)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, rewrite)])) as T;
  return value;
}

interface Deployment { name: string; template: PodTemplate }

function deployments(objects: K8sObject[]): Deployment[] {
  return byKind(objects, 'Deployment')
    .map((d) => ({ name: d.metadata.name, template: (d.spec as { template: PodTemplate }).template }))
    .filter((d) => d.template.metadata.annotations?.['dapr.io/enabled'] === 'true')
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The pod's tier ports: a block of PORTS_PER_POD per pod, in the order of the pods' names. */
function podPorts(ports: TierPorts, index: number, app: Container | undefined): PodPorts {
  if (index >= MAX_PODS) throw new Error(`more than ${MAX_PODS} pods: widen the tier's port block`);
  const base = ports.base + index * PORTS_PER_POD;
  const appPorts: Record<string, number> = {};
  (app?.ports ?? []).forEach((p, i) => {
    appPorts[p.name ?? String(p.containerPort)] = base + i;
  });
  const env: Record<string, number> = {};
  let extra = 5;
  for (const variable of app?.env ?? []) {
    if (!variable.name.endsWith('_PORT') || variable.value === undefined || !/^\d+$/.test(variable.value)) continue;
    const declared = (app?.ports ?? []).findIndex((p) => String(p.containerPort) === variable.value);
    if (declared >= 0) env[variable.name] = base + declared;
    else if (!variable.name.startsWith('DAPR_')) env[variable.name] = base + extra++;
  }
  if (extra > 10) throw new Error('too many *_PORT variables in one pod for its port block');
  return { app: appPorts, env, daprHttp: base + 10, daprGrpc: base + 11, daprInternalGrpc: base + 12, daprMetrics: base + 13 };
}

/** The Secrets a pod's ServiceAccount may read (its Roles' resourceNames): what secretstores.kubernetes could fetch for it. */
function readableSecrets(objects: K8sObject[], serviceAccount: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!serviceAccount) return names;
  for (const binding of byKind(objects, 'RoleBinding')) {
    const subjects = (binding.subjects ?? []) as Array<{ kind: string; name: string }>;
    if (!subjects.some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount)) continue;
    const roleName = (binding.roleRef as { kind: string; name: string }).name;
    const role = byKind(objects, 'Role').find((r) => r.metadata.name === roleName);
    for (const rule of (role?.rules ?? []) as Array<{ resources?: string[]; verbs?: string[]; resourceNames?: string[] }>) {
      if (!rule.resources?.includes('secrets') || !rule.verbs?.includes('get')) continue;
      if (!rule.resourceNames) throw new Error(`Role ${roleName} grants every Secret: the tier only mirrors named ones`);
      rule.resourceNames.forEach((n) => names.add(n));
    }
  }
  return names;
}

function securityOf(pod: PodSpec, container: Container) {
  const uid = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  const gid = container.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup;
  const tmpfs: Record<string, string> = {};
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume?.emptyDir) throw new Error(`container ${container.name} mounts ${mount.name}, not an emptyDir: the tier has no such volume`);
    tmpfs[mount.mountPath] = tmpfsSize(volume.emptyDir.sizeLimit);
  }
  return {
    user: uid === undefined ? undefined : `${uid}:${gid ?? uid}`,
    readOnlyRootfs: container.securityContext?.readOnlyRootFilesystem === true,
    tmpfs,
    dropCapabilities: container.securityContext?.capabilities?.drop ?? [],
    noNewPrivileges: container.securityContext?.allowPrivilegeEscalation === false,
  };
}

/** Translates a whole rendering. Throws on anything it would otherwise have to guess. */
export function translate(objects: K8sObject[], options: TranslateOptions): TierPlan {
  const { namespace } = options;
  const servers = serverPorts(options.ports);
  const secrets = new Map(byKind(objects, 'Secret').map((s) => [s.metadata.name, secretValues(s)]));
  const pods = deployments(objects);
  const portsByPod = new Map(pods.map((d, i) => {
    const app = d.template.metadata.annotations?.['dapr.io/app-port'] ? d.template.spec.containers[0] : undefined;
    return [d.name, podPorts(options.ports, i, app)] as const;
  }));

  // Service name:port -> the tier's port of the pod its selector picks.
  const addresses = new Map<string, number>();
  for (const service of byKind(objects, 'Service')) {
    const spec = service.spec as { selector?: Record<string, string>; ports?: Array<{ port: number; targetPort?: number | string }> };
    const pod = pods.find((d) => Object.entries(spec.selector ?? {}).every(([k, v]) => d.template.metadata.labels?.[k] === v));
    if (!pod) continue;
    const ports = portsByPod.get(pod.name)!;
    const annotations = pod.template.metadata.annotations ?? {};
    const container = pod.template.spec.containers[0];
    for (const p of spec.ports ?? []) {
      const target = p.targetPort ?? p.port;
      const declared = container?.ports?.find((c) => c.name === target || c.containerPort === target);
      const byNumber: Record<string, number> = {
        3500: ports.daprHttp, 50001: ports.daprGrpc, [annotations['dapr.io/metrics-port'] ?? '9090']: ports.daprMetrics,
      };
      const tierPort = declared ? ports.app[declared.name ?? String(declared.containerPort)] : byNumber[String(target)];
      if (tierPort === undefined) throw new Error(`Service ${service.metadata.name} port ${p.port} -> ${target}: no container port of pod ${pod.name}`);
      addresses.set(`${service.metadata.name}:${p.port}`, tierPort);
    }
  }

  // PostgreSQL: where the migration Job's DATABASE_URL points. Redis: the pubsub.redis component's redisHost.
  const job = byKind(objects, 'Job')[0];
  if (!job) throw new Error('no migration Job in the rendering');
  const jobPod = (job.spec as { template: PodTemplate }).template;
  const jobContainer = jobPod.spec.containers[0]!;
  const rawEnv = (container: Container) => resolveEnv(container, secrets, (s) => s);
  const databaseUrl = new URL(rawEnv(jobContainer).DATABASE_URL ?? '');
  if (!databaseUrl.hostname) throw new Error('the migration Job has no DATABASE_URL');
  addresses.set(`${databaseUrl.hostname}:${databaseUrl.port || '5432'}`, servers.postgres);
  const redisComponent = byKind(objects, 'Component').find((c) => (c.spec as { type: string }).type === 'pubsub.redis');
  const redisHost = ((redisComponent?.spec as { metadata?: Array<{ name: string; value?: string }> })?.metadata ?? []).find((m) => m.name === 'redisHost')?.value;
  if (redisHost) addresses.set(redisHost.includes(':') ? redisHost : `${redisHost}:6379`, servers.redis);

  const rewrite = (s: string) => rewriteAddresses(s, addresses, namespace);
  const tierSecrets = new Map([...secrets].map(([name, values]) => [name, mapStrings(values, rewrite)]));
  const files: Record<string, string> = {};

  // Components: the secret store becomes a local file store; every address points into the tier.
  for (const component of byKind(objects, 'Component')) {
    let out = mapStrings(clone(component), rewrite);
    const spec = out.spec as { type: string; metadata?: unknown[] };
    if (spec.type === 'secretstores.kubernetes') {
      out = { ...out, spec: { ...spec, type: 'secretstores.local.file', version: 'v1', metadata: [{ name: 'secretsFile', value: SIDECAR_PATHS.secrets }, { name: 'multiValued', value: 'true' }] } };
    }
    files[`resources/${component.metadata.name}.yaml`] = stringify(out);
  }
  for (const resiliency of byKind(objects, 'Resiliency')) files[`resources/${resiliency.metadata.name}.yaml`] = stringify(resiliency);
  // Configurations: no accessControl (without Sentry's mTLS no caller has an identity, so every
  // call would meet the default deny), and the local name resolution instead of the cluster's DNS.
  for (const configuration of byKind(objects, 'Configuration')) {
    const out = clone(configuration) as K8sObject & { spec: Record<string, unknown> };
    delete out.spec.accessControl;
    const nameResolution = clone(options.nameResolution) as { configuration?: Record<string, unknown> };
    nameResolution.configuration = { ...nameResolution.configuration, connectionString: `${options.namesDir}/dapr-names.db` };
    out.spec.nameResolution = nameResolution;
    files[`config/${configuration.metadata.name}.yaml`] = stringify(out);
  }

  const plans: Record<string, PodPlan> = {};
  for (const deployment of pods) {
    const { template } = deployment;
    const annotations = template.metadata.annotations ?? {};
    const unknown = Object.keys(annotations).filter((a) => a.startsWith('dapr.io/') && !KUBERNETES_ONLY_ANNOTATIONS.has(a) && !FLAG_ANNOTATIONS[a] && !HANDLED_ANNOTATIONS.has(a));
    if (unknown.length > 0) throw new Error(`pod ${deployment.name}: the tier does not know ${unknown.join(', ')}: add it to tests/support/containers/translate.ts`);
    const appId = annotations['dapr.io/app-id'] ?? deployment.name;
    const ports = portsByPod.get(deployment.name)!;
    const hasApp = annotations['dapr.io/app-port'] !== undefined;
    const container = template.spec.containers[0]!;
    const token = (secretName: string | undefined) => (secretName ? tierSecrets.get(secretName)?.token : undefined);
    const daprApiToken = token(annotations['dapr.io/api-token-secret']);
    const appApiToken = token(annotations['dapr.io/app-token-secret']);
    if (annotations['dapr.io/api-token-secret'] && daprApiToken === undefined) throw new Error(`pod ${deployment.name}: Secret ${annotations['dapr.io/api-token-secret']} has no key token`);

    let app: ContainerSpec | undefined;
    let readiness: PodPlan['readiness'];
    const startup = (container as Container & { startupProbe?: { periodSeconds?: number; failureThreshold?: number } }).startupProbe;
    const startupSeconds = (startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3);
    if (hasApp) {
      const env = resolveEnv(container, tierSecrets, rewrite);
      for (const [name, port] of Object.entries(ports.env)) env[name] = String(port);
      for (const [name, value] of Object.entries(env)) if (name.endsWith('_HOST') && value === '0.0.0.0') env[name] = '127.0.0.1';
      // What the injector adds to every container of the pod: where its sidecar listens.
      env.DAPR_HTTP_PORT = String(ports.daprHttp);
      env.DAPR_GRPC_PORT = String(ports.daprGrpc);
      app = {
        name: appId, image: container.image, entrypoint: container.command, command: container.args, env,
        ...securityOf(template.spec, container), mounts: [],
      };
      const probe = (container as Container & { readinessProbe?: { httpGet?: { path: string; port: number | string } } }).readinessProbe?.httpGet;
      if (probe) {
        const declared = container.ports?.find((p) => p.name === probe.port || p.containerPort === probe.port);
        if (!declared) throw new Error(`pod ${deployment.name}: readiness port ${probe.port} is not a container port`);
        readiness = { path: probe.path, port: ports.app[declared.name ?? String(declared.containerPort)]! };
      }
    }

    const args = [
      '--mode', 'standalone', '--app-id', appId,
      '--dapr-http-port', String(ports.daprHttp), '--dapr-grpc-port', String(ports.daprGrpc), '--dapr-internal-grpc-port', String(ports.daprInternalGrpc),
      // Loopback only: host networking would otherwise open the sidecar on every interface of the machine.
      '--dapr-listen-addresses', '127.0.0.1', '--dapr-internal-grpc-listen-address', '127.0.0.1',
      '--resources-path', SIDECAR_PATHS.resources,
      '--placement-host-address', `127.0.0.1:${servers.placement}`, '--scheduler-host-address', `127.0.0.1:${servers.scheduler}`,
    ];
    if (annotations['dapr.io/enable-metrics'] !== 'false') args.push('--enable-metrics', '--metrics-port', String(ports.daprMetrics), '--metrics-listen-address', '127.0.0.1');
    if (hasApp) {
      const declared = container.ports?.find((p) => String(p.containerPort) === annotations['dapr.io/app-port']);
      if (!declared) throw new Error(`pod ${deployment.name}: dapr.io/app-port ${annotations['dapr.io/app-port']} is not a container port`);
      args.push('--app-port', String(ports.app[declared.name ?? String(declared.containerPort)]), '--app-channel-address', '127.0.0.1');
    }
    const mounts: ContainerSpec['mounts'] = [{ source: 'resources', target: SIDECAR_PATHS.resources }, { source: 'names', target: options.namesDir, writable: true }];
    const configName = annotations['dapr.io/config'];
    if (configName) {
      if (!files[`config/${configName}.yaml`]) throw new Error(`pod ${deployment.name}: Configuration ${configName} is not in the rendering`);
      args.push('--config', SIDECAR_PATHS.config);
      mounts.push({ source: `config/${configName}.yaml`, target: SIDECAR_PATHS.config });
    }
    for (const [annotation, { flag, boolean }] of Object.entries(FLAG_ANNOTATIONS)) {
      const value = annotations[annotation];
      if (value === undefined) continue;
      if (boolean) {
        if (value === 'true') args.push(flag);
      } else args.push(flag, value);
    }
    // The pod's secrets file: the Secrets its ServiceAccount's Roles name, as secretstores.kubernetes would read them.
    const readable = readableSecrets(objects, template.spec.serviceAccountName);
    files[`secrets/${appId}.json`] = JSON.stringify(Object.fromEntries([...readable].filter((n) => tierSecrets.has(n)).map((n) => [n, tierSecrets.get(n)])));
    mounts.push({ source: `secrets/${appId}.json`, target: SIDECAR_PATHS.secrets });
    const sidecarEnv: Record<string, string> = { NAMESPACE: namespace };
    for (const pair of (annotations['dapr.io/env'] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
      const at = pair.indexOf('=');
      sidecarEnv[pair.slice(0, at)] = rewrite(pair.slice(at + 1));
    }
    if (daprApiToken !== undefined) sidecarEnv.DAPR_API_TOKEN = daprApiToken;
    if (appApiToken !== undefined) sidecarEnv.APP_API_TOKEN = appApiToken;
    const sidecar: ContainerSpec = {
      name: `${appId}-daprd`, image: options.daprImage, entrypoint: [options.daprdPath], command: args, env: sidecarEnv,
      // Dapr's injector runs daprd non-root on a read-only root filesystem: so does the tier.
      user: securityOf(template.spec, container).user, readOnlyRootfs: true, tmpfs: { '/tmp': 'rw,size=64m' }, mounts,
      dropCapabilities: ['ALL'], noNewPrivileges: true,
    };
    plans[appId] = { appId, app, readiness, startupSeconds, sidecar, ports, daprApiToken };
  }

  const migration: ContainerSpec = {
    name: 'migrate', image: jobContainer.image, entrypoint: jobContainer.command, command: jobContainer.args,
    env: resolveEnv(jobContainer, tierSecrets, rewrite), ...securityOf(jobPod.spec, jobContainer), mounts: [],
  };
  const tierDatabaseUrl = new URL(migration.env.DATABASE_URL!);
  return {
    pods: plans, migration, files, migrationDeadlineSeconds: (job.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds ?? 600,
    database: {
      url: tierDatabaseUrl.toString(), user: decodeURIComponent(tierDatabaseUrl.username), password: decodeURIComponent(tierDatabaseUrl.password),
      name: tierDatabaseUrl.pathname.replace(/^\//, ''), port: servers.postgres,
    },
    redis: { password: redisPassword(objects, tierSecrets), port: servers.redis },
    secret: (name, key) => {
      const value = tierSecrets.get(name)?.[key];
      if (value === undefined) throw new Error(`no Secret ${name} with key ${key} in the rendering`);
      return value;
    },
  };
}

/** The redis password the pubsub component reads (its secretKeyRef), empty when none. */
function redisPassword(objects: K8sObject[], secrets: Map<string, Record<string, string>>): string {
  const component = byKind(objects, 'Component').find((c) => (c.spec as { type: string }).type === 'pubsub.redis');
  const entry = ((component?.spec as { metadata?: Array<{ name: string; value?: string; secretKeyRef?: { name: string; key: string } }> })?.metadata ?? []).find((m) => m.name === 'redisPassword');
  if (entry?.value !== undefined) return entry.value;
  return entry?.secretKeyRef ? secrets.get(entry.secretKeyRef.name)?.[entry.secretKeyRef.key] ?? '' : '';
}

/** A container's env as the kubelet resolves it: values as given, secretKeyRef read from the rendered Secrets. */
function resolveEnv(container: Container, secrets: Map<string, Record<string, string>>, rewrite: (s: string) => string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) {
      env[variable.name] = rewrite(variable.value);
      continue;
    }
    const ref = variable.valueFrom?.secretKeyRef;
    if (!ref) throw new Error(`env ${variable.name} of ${container.name}: only values and secretKeyRef are supported`);
    const value = secrets.get(ref.name)?.[ref.key];
    if (value === undefined) {
      // The kubelet refuses to start such a container (CreateContainerConfigError).
      if (ref.optional) continue;
      throw new Error(`env ${variable.name} of ${container.name}: Secret ${ref.name} has no key ${ref.key}`);
    }
    env[variable.name] = value;
  }
  return env;
}
