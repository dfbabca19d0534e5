/**
 * The Helm chart against a real kube-apiserver 1.34 (scripts/k8s/apiserver.sh): for the chart's
 * default values and ci/production-values.yaml, lint, install, read every object back from the
 * server, upgrade one resiliency number and the delivery replicas, uninstall. No kubelet and no
 * controller manager: the server validates, defaults and stores; nothing runs
 * (docs/kubernetes-validation.md). The migration Job is a pre-install/pre-upgrade hook, and helm
 * waits for a hook Job to complete, which never happens here: install and upgrade run with
 * --no-hooks, and the hook Job is checked by a server-side dry-run like every other object.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { KubeApi, type KubeObject } from './kube-api';

const REPO = path.resolve(__dirname, '../..');
// HOLDFAST_K8S_CHART checks another chart folder (a chart in the making, a fork).
const CHART = path.resolve(REPO, process.env.HOLDFAST_K8S_CHART ?? 'k8s/charts/holdfast');
const RELEASE = 'holdfast';
// The values the upgrade changes, through the paths the chart documents (k8s/charts/holdfast/values.yaml:
// resiliency.policies is merged over components/resiliency.yaml's policies).
const UPGRADE = {
  resiliency: { set: 'resiliency.policies.retries.providerCall.maxRetries', value: 7, stored: ['policies', 'retries', 'providerCall', 'maxRetries'] },
  deliveryReplicas: { set: 'delivery.replicas', value: 3 },
};
// Kinds each values file must have the server store (a kind the chart skips, for instance on a
// missing capability, fails the test).
const DAPR_AND_CORE = ['Deployment', 'Service', 'PodDisruptionBudget', 'Component', 'Configuration', 'Resiliency'];
const CASES = [
  { name: 'default values', namespace: 'holdfast-default', values: [] as string[], kinds: DAPR_AND_CORE },
  {
    name: 'ci/production-values.yaml',
    namespace: 'holdfast-production',
    values: ['-f', path.join(CHART, 'ci/production-values.yaml')],
    kinds: [...DAPR_AND_CORE, 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Ingress', 'ServiceMonitor'],
  },
];
const FIRST_RUN_BUILDS = 45 * 60_000; // a fresh machine builds kube-apiserver (15-25 min), etcd and helm
const HELM_STEP = 5 * 60_000;

function run(command: string, args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

const parseManifests = (text: string): KubeObject[] =>
  YAML.parseAllDocuments(text).map((doc) => doc.toJSON()).filter((doc): doc is KubeObject => Boolean(doc?.kind));

/** The Secrets the objects name (env, envFrom, volumes, Dapr token annotations, Dapr secretKeyRefs) that they do not create. */
function referencedSecrets(objects: KubeObject[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (name: unknown, key?: unknown) => {
    if (typeof name !== 'string') return;
    const keys = found.get(name) ?? new Set<string>();
    if (typeof key === 'string') keys.add(key);
    found.set(name, keys);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, any>;
    if (record.secretKeyRef) add(record.secretKeyRef.name, record.secretKeyRef.key);
    if (record.secretRef) add(record.secretRef.name);
    if (record.secret?.secretName) add(record.secret.secretName);
    for (const annotation of ['dapr.io/api-token-secret', 'dapr.io/app-token-secret']) add(record.annotations?.[annotation], 'token');
    Object.values(record).forEach(walk);
  };
  walk(objects);
  for (const object of objects) if (object.kind === 'Secret') found.delete(object.metadata.name);
  return found;
}

const at = (object: unknown, keys: string[]): unknown => keys.reduce<any>((node, key) => node?.[key], object);

let api: KubeApi;
let helm: string;
let kubeconfig: string;

beforeAll(() => {
  const started = Date.now();
  helm = run('bash', ['scripts/k8s/tools.sh', 'path', 'helm']).stdout.trim();
  kubeconfig = run('bash', ['scripts/k8s/apiserver.sh', 'start']).stdout.trim();
  api = new KubeApi(kubeconfig);
  console.log(`kube-apiserver and CRDs ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, FIRST_RUN_BUILDS);

afterAll(() => {
  run('bash', ['scripts/k8s/apiserver.sh', 'stop']);
});

describe.each(CASES)('the chart with $name on a real kube-apiserver', ({ namespace, values, kinds }) => {
  const helmIn = (...args: string[]) => run(helm, [...args, '--namespace', namespace, '--kubeconfig', kubeconfig]);
  let installed: KubeObject[] = [];

  test('helm lint reports no warning or error', () => {
    const { stdout } = run(helm, ['lint', CHART, ...values]);
    expect(stdout.split('\n').filter((line) => /^\[(WARNING|ERROR)\]/.test(line))).toEqual([]);
  });

  test('the server accepts every rendered object, the migration hook Job included (strict, dry run)', async () => {
    // 409: already there, from an earlier run on a cluster of your own (KUBECONFIG); ours starts empty.
    expect([201, 409]).toContain((await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, undefined)).status);
    // The Secrets the values expect to exist (production: existingSecret everywhere), with placeholders.
    const offline = parseManifests(run(helm, ['template', RELEASE, CHART, ...values, '--namespace', namespace, '--api-versions', 'monitoring.coreos.com/v1']).stdout);
    for (const [name, keys] of referencedSecrets(offline)) {
      const stringData = Object.fromEntries([...keys].map((key) => [key, `placeholder-${key.toLowerCase()}`]));
      const reply = await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', stringData }, namespace);
      expect({ name, created: [201, 409].includes(reply.status) }).toEqual({ name, created: true });
    }
    // Rendered as helm install would, against this server's capabilities, hooks included.
    const release = JSON.parse(helmIn('install', RELEASE, CHART, ...values, '--dry-run=server', '--output', 'json').stdout);
    const hooks = (release.hooks as { manifest: string }[]).flatMap((hook) => parseManifests(hook.manifest));
    const migration = hooks.filter((hook) => hook.kind === 'Job');
    expect(migration).toHaveLength(1);
    expect(String((migration[0]!.metadata.annotations as Record<string, string>)['helm.sh/hook']).split(',').sort()).toEqual(['pre-install', 'pre-upgrade']);
    const refused: string[] = [];
    for (const object of [...parseManifests(release.manifest), ...hooks]) {
      const reply = await api.create(object, namespace, { dryRun: true });
      if (reply.status !== 201 && reply.status !== 200) refused.push(`${object.kind}/${object.metadata.name}: ${reply.status} ${reply.body?.message ?? reply.body}`);
    }
    expect(refused).toEqual([]);
  }, HELM_STEP);

  test('helm install stores every object, each kind the values enable', async () => {
    const { stderr } = helmIn('install', RELEASE, CHART, ...values, '--no-hooks');
    expect(stderr).not.toMatch(/unknown field|skipp/i);
    installed = parseManifests(helmIn('get', 'manifest', RELEASE).stdout);
    expect([...new Set(installed.map((object) => object.kind))]).toEqual(expect.arrayContaining(kinds));
    const missing: string[] = [];
    for (const object of installed) {
      const reply = await api.get(object, namespace);
      const stored = reply.body?.metadata?.annotations?.['meta.helm.sh/release-name'];
      if (reply.status !== 200 || stored !== RELEASE) missing.push(`${object.kind}/${object.metadata.name}: ${reply.status}`);
    }
    expect(missing).toEqual([]);
  }, HELM_STEP);

  test('helm upgrade changes a resiliency number and the delivery replicas in the stored objects, and keeps the credentials', async () => {
    const resiliency = installed.find((object) => object.kind === 'Resiliency')!;
    const delivery = installed.find((object) => object.kind === 'Deployment' && object.metadata.name === 'delivery')!;
    expect(at((await api.get(resiliency, namespace)).body.spec, UPGRADE.resiliency.stored)).not.toBe(UPGRADE.resiliency.value);
    expect((await api.get(delivery, namespace)).body.spec.replicas).not.toBe(UPGRADE.deliveryReplicas.value);
    // The chart generates missing credentials at install and reads them back (lookup) on upgrade:
    // only a real server shows that an upgrade does not rotate them.
    const secrets = installed.filter((object) => object.kind === 'Secret');
    const secretData = async () =>
      Promise.all(secrets.map(async (secret) => {
        const reply = await api.get(secret, namespace);
        return { name: secret.metadata.name, status: reply.status, data: reply.body.data };
      }));
    const credentialsBefore = await secretData();

    helmIn('upgrade', RELEASE, CHART, ...values, '--no-hooks',
      '--set', `${UPGRADE.resiliency.set}=${UPGRADE.resiliency.value}`,
      '--set', `${UPGRADE.deliveryReplicas.set}=${UPGRADE.deliveryReplicas.value}`);

    expect(at((await api.get(resiliency, namespace)).body.spec, UPGRADE.resiliency.stored)).toBe(UPGRADE.resiliency.value);
    expect((await api.get(delivery, namespace)).body.spec.replicas).toBe(UPGRADE.deliveryReplicas.value);
    expect(await secretData()).toEqual(credentialsBefore);
  }, HELM_STEP);

  test('helm uninstall removes every object it installed', async () => {
    expect(installed.length).toBeGreaterThan(0);
    helmIn('uninstall', RELEASE, '--no-hooks');
    const left: string[] = [];
    for (const object of installed) {
      const reply = await api.get(object, namespace);
      if (reply.status !== 404) left.push(`${object.kind}/${object.metadata.name}: ${reply.status}`);
    }
    expect(left).toEqual([]);
    expect(helmIn('list', '--all', '--short').stdout.trim()).toBe('');
  }, HELM_STEP);
});
