/**
 * The Helm chart (k8s/charts/holdfast), rendered with helm itself for both values files: lint is
 * clean, every Dapr name the code uses is there, its Dapr resources are components/'s, and each
 * app's pod is the one docs/security.md and docs/images.md describe. The cluster itself (the
 * server's validation) is tests/k8s's job.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { APP_IDS, COMPONENTS } from '../../shared/src/dapr-names';
import { renderForKubernetes, sourceFiles, type Supplied } from '../../scripts/render-k8s-components';
import { ROOT } from '../../scripts/devstack/env';

const CHART = join(ROOT, 'k8s', 'charts', 'holdfast');
const PRODUCTION = join(CHART, 'ci', 'production-values.yaml');
const NAMESPACE = 'holdfast';
const APPS = ['booking', 'fulfillment', 'delivery', 'admin', 'providers'] as const;

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

let helm = '';

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(helm, args, { encoding: 'utf8', cwd: ROOT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function render(...args: string[]): K8sObject[] {
  const { status, stdout, stderr } = run(['template', 'holdfast', CHART, '--namespace', NAMESPACE, ...args]);
  if (status !== 0) throw new Error(`helm template failed: ${stderr}`);
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
}

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const decoded = (secret: K8sObject, key: string) => Buffer.from(secret.data[key], 'base64').toString('utf8');

/** What the chart supplies for components/ with one values file, computed here from its values. */
function suppliedBy(valuesFile?: string): Supplied {
  const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
  const given = valuesFile ? parse(readFileSync(valuesFile, 'utf8')) : {};
  const existing = { ...values.secrets.existing, ...given.secrets?.existing };
  const gateways = { ...values.gateways, ...given.gateways };
  const providers = given.providers?.enabled ?? values.providers.enabled;
  const env: Record<string, string> = {
    HOLDFAST_REDIS_ADDRESS: given.redis?.address ?? values.redis.address,
    HOLDFAST_SMS_GATEWAY_URL: gateways.sms || (providers ? 'http://providers:3001/sms/send' : ''),
    HOLDFAST_REFUND_GATEWAY_URL: gateways.refund || (providers ? 'http://providers:3001/refunds' : ''),
  };
  return {
    namespace: NAMESPACE,
    secretName: (id) => existing[id] || `holdfast-${id}`,
    env: (name) => env[name] ?? `unmapped ${name}`,
  };
}

beforeAll(() => {
  // Built from its Go module once per machine and cached by version (the first run waits for it).
  helm = execFileSync('bash', [join(ROOT, 'scripts', 'k8s', 'tools.sh'), 'path', 'helm'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}, 40 * 60_000);

describe.each([
  ['the default values', undefined],
  ['the production values', PRODUCTION],
])('the chart with %s', (_label, valuesFile) => {
  const args = valuesFile ? ['-f', valuesFile] : [];
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render(...args);
  });

  it('when helm lints it, then nothing is reported but the icon hint', () => {
    const { status, stdout, stderr } = run(['lint', CHART, '--strict', ...args]);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
  });

  it('when code names a component, then the chart defines it under the same name', () => {
    const names = objects.filter((o) => o.kind === 'Component').map((o) => o.metadata.name).sort();
    expect(names).toEqual(Object.values(COMPONENTS).sort());
  });

  it('when components/ defines a resource, then the chart renders it the same, with only the values\' parts supplied', () => {
    const supplied = suppliedBy(valuesFile);
    const providers = !valuesFile;
    for (const { file, resource } of sourceFiles()) {
      const chart = find(objects, resource.kind, resource.metadata.name);
      if (file === 'config-providers.yaml' && !providers) {
        expect(chart).toBeUndefined();
        continue;
      }
      expect(chart).toBeDefined();
      const { labels, ...metadata } = chart!.metadata;
      expect(labels).toMatchObject({ 'app.kubernetes.io/part-of': 'holdfast' });
      expect({ ...chart, metadata }).toEqual(JSON.parse(JSON.stringify(renderForKubernetes(resource, supplied))));
    }
  });

  it.each(APPS)('when %s runs, then its pod has its Dapr annotations, probes, a non-root user and a read-only root filesystem', (app) => {
    const deployment = find(objects, 'Deployment', app);
    if (app === 'providers' && valuesFile) {
      expect(deployment).toBeUndefined();
      return;
    }
    const pod = deployment!.spec.template;
    expect(pod.metadata.annotations).toMatchObject({
      'dapr.io/enabled': 'true',
      'dapr.io/app-id': app,
      'dapr.io/app-port': String(pod.spec.containers[0].ports[0].containerPort),
      'dapr.io/config': `holdfast-${app}`,
      'dapr.io/api-token-secret': `holdfast-${app}-dapr-api-token`,
      'dapr.io/app-token-secret': `holdfast-${app}-app-api-token`,
      'dapr.io/log-level': expect.any(String),
      'dapr.io/sidecar-cpu-request': expect.any(String),
      'dapr.io/sidecar-memory-request': expect.any(String),
      'dapr.io/sidecar-memory-limit': expect.any(String),
      'dapr.io/enable-metrics': 'true',
      'dapr.io/metrics-port': '9090',
      'dapr.io/disable-builtin-k8s-secret-store': 'true',
    });
    const [container] = pod.spec.containers;
    expect(container.image).toBe('holdfast/app:0.1.0');
    expect(container.args).toEqual([`apps/${app}/src/main.ts`]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.spec.volumes).toContainEqual({ name: 'tmp', emptyDir: expect.any(Object) });
    expect(find(objects, 'Service', app)!.spec.ports[0]).toMatchObject({ name: 'http', targetPort: 'http' });
  });

  it('when clients arrive, then the gateway pod is a sidecar alone with the client credential, non-root and read-only', () => {
    const pod = find(objects, 'Deployment', APP_IDS.gateway)!.spec.template;
    expect(pod.metadata.annotations).toMatchObject({ 'dapr.io/app-id': 'gateway', 'dapr.io/config': 'holdfast-gateway', 'dapr.io/api-token-secret': 'holdfast-client-api-token' });
    expect(pod.metadata.annotations['dapr.io/app-port']).toBeUndefined();
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(pod.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(find(objects, 'Service', 'gateway')!.spec.ports.map((p: { port: number }) => p.port)).toEqual([3500, 50001, 9090]);
  });

  it('when the release is installed or upgraded, then the project\'s migration runner runs first, as a hook Job', () => {
    const job = find(objects, 'Job', 'holdfast-migrate')!;
    expect(job.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const [container] = job.spec.template.spec.containers;
    expect(container.image).toBe('holdfast/migrate:0.1.0');
    // The image's own command (scripts/prisma/schema-engine.mjs deploy), never npx prisma.
    expect(container.command).toBeUndefined();
    expect(container.args).toBeUndefined();
    expect(container.env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'holdfast-migrate', key: 'DATABASE_URL' } } });
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it('when a sidecar reads Secrets through secretstores.kubernetes, then its service account may get exactly those', () => {
    const names = (app: string) => find(objects, 'Role', `holdfast-${app}-secrets`)!.rules[0].resourceNames;
    expect(names('booking')).toEqual(['holdfast-actorstate', 'holdfast-booking-payments-webhook-secret']);
    expect(names('fulfillment')).toEqual(['holdfast-actorstate']);
    expect(names('delivery')).toEqual(['holdfast-pubsub']);
  });
});

describe('the default values', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render();
  });

  it('when nothing is given, then one Secret per app and component holds generated credentials, shared ones equal everywhere', () => {
    const secret = (name: string) => find(objects, 'Secret', name)!;
    const admin = decoded(secret('holdfast-admin'), 'ADMIN_API_TOKEN');
    expect(admin).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(decoded(secret('holdfast-booking'), 'ADMIN_API_TOKEN')).toBe(admin);
    expect(decoded(secret('holdfast-delivery'), 'ADMIN_API_TOKEN')).toBe(admin);
    expect(decoded(secret('holdfast-fulfillment'), 'MANAGER_API_TOKEN')).toBe(decoded(secret('holdfast-admin'), 'MANAGER_API_TOKEN'));
    const webhook = decoded(secret('holdfast-booking-payments-webhook-secret'), 'PAYMENTS_WEBHOOK_SECRET');
    expect(webhook).toMatch(/^whsec_/);
    expect(decoded(secret('holdfast-providers'), 'PAYMENTS_WEBHOOK_SECRET')).toBe(webhook);
    expect(decoded(secret('holdfast-booking-dapr-api-token'), 'token')).not.toBe(decoded(secret('holdfast-delivery-dapr-api-token'), 'token'));
    expect(decoded(secret('holdfast-actorstate'), 'STATE_DATABASE_URL')).toBe('postgresql://holdfast@postgresql:5432/holdfast?search_path=dapr');
  });

  it('when the providers app runs, then the apps and bindings reach it for every gateway', () => {
    expect(find(objects, 'Deployment', 'providers')).toBeDefined();
    const env = (app: string) => find(objects, 'Deployment', app)!.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env('booking')).toContainEqual({ name: 'PROVIDERS_URL', value: 'http://providers:3001' });
    expect(env('delivery')).toContainEqual({ name: 'SENDGRID_API_HOST', value: 'http://providers:3001' });
  });

  it('when an operator sets one resiliency number, then that number changes and every other policy stays components/\'s', () => {
    const before = find(objects, 'Resiliency', 'holdfast-resiliency')!.spec;
    const after = find(render('--set', 'resiliency.policies.retries.providerCall.maxRetries=5'), 'Resiliency', 'holdfast-resiliency')!.spec;
    expect(after.policies.retries.providerCall.maxRetries).toBe(5);
    after.policies.retries.providerCall.maxRetries = before.policies.retries.providerCall.maxRetries;
    expect(after).toEqual(before);
  });

  it('when a value is misspelt, then the schema refuses it', () => {
    const { status, stderr } = run(['template', 'holdfast', CHART, '--set', 'delivery.replica=3']);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/additional properties 'replica' not allowed/);
  });

  it('when the providers app is off and a gateway is not given, then the chart says which', () => {
    const { status, stderr } = run(['template', 'holdfast', CHART, '--set', 'providers.enabled=false', '--set', 'secrets.values.sendgridApiKey=SG.x']);
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/gateways\.\w+ is required when providers.enabled is false/);
  });
});

describe('the production values', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render('-f', PRODUCTION);
  });

  it('when rendered, then no providers app, two delivery replicas, HPAs, and no Secret with values in it', () => {
    expect(objects.filter((o) => o.metadata.name === 'providers' || o.metadata.name === 'holdfast-providers')).toEqual([]);
    expect(find(objects, 'Deployment', 'delivery')!.spec.replicas).toBe(2);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name).sort()).toEqual(['booking', 'fulfillment', 'gateway']);
    expect(find(objects, 'HorizontalPodAutoscaler', 'booking')!.apiVersion).toBe('autoscaling/v2');
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('when rendered, then the ServiceMonitor, the NetworkPolicies and an Ingress with the console and both webhook paths are there', () => {
    expect(find(objects, 'ServiceMonitor', 'holdfast')!.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort()).toEqual(['admin', 'booking', 'delivery', 'fulfillment', 'gateway']);
    const rules = find(objects, 'Ingress', 'holdfast')!.spec.rules as Array<{ http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }>;
    const paths = rules.flatMap((r) => r.http.paths.map((p) => `${p.path} -> ${p.backend.service.name}`));
    expect(paths).toEqual(['/ -> admin', '/webhooks/payments -> booking', '/webhooks/stripe -> booking']);
  });

  it('when the gateways are real, then the apps and bindings use the given URLs and SendGrid\'s own API', () => {
    const env = (app: string) => find(objects, 'Deployment', app)!.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env('booking')).toContainEqual({ name: 'PROVIDERS_URL', value: 'https://payments.example.com' });
    expect(env('delivery').map((e) => e.name)).not.toContain('SENDGRID_API_HOST');
  });
});
