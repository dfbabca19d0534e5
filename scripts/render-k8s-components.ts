/**
 * components/ is the one source of Holdfast's Dapr resources. The Helm chart's copies in
 * k8s/charts/holdfast/templates/dapr are rendered from it, so the two can differ only where a cluster must:
 * - the `secretstore` component is a secretstores.kubernetes store instead of local.env;
 * - a component's secretKeyRef reads a key of its own Kubernetes Secret, `holdfast-<component>` or
 *   the operator's existing Secret (holdfast-actorstate, holdfast-pubsub): no Secret holds more than
 *   one component's credentials;
 * - each app's Configuration gains Dapr's accessControl (mTLS identities, from Sentry): only the
 *   gateway may invoke the app, on its public routes, and the admin console, on exactly the routes
 *   and methods it calls, as shared/src/invocation-guard.ts enforces locally, where there is no mTLS.
 * - Configurations drop nameResolution: the local SQLite name registry is a file beside the sidecars.
 * - envRef values (the Redis address, the gateway URLs) come from the chart's values
 *   (holdfast.componentEnv in templates/_helpers.tpl), and the Resiliency's policies can be
 *   overridden number by number through values.resiliency.policies.
 *   npm run k8s:render          rewrite k8s/charts/holdfast/templates/dapr
 *   npm run k8s:render -- --check   fail if they are out of date (tests/unit/k8s-components.test.ts)
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
// The apps' invocation lists and the guard's rule parser: files without heavy imports.
import { BOOKING_ADMIN_ROUTES } from '../apps/booking/src/http/invocation';
import { DELIVERY_ADMIN_ROUTES } from '../apps/delivery/src/http/invocation';
import { FULFILLMENT_ADMIN_ROUTES } from '../apps/fulfillment/src/http/invocation';
import { parseRouteRule } from '../shared/src/invocation-guard';
import { APP_IDS } from '../shared/src/dapr-names';

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'components');
/** Where the chart's generated templates go (one file per components/ file). */
export const CHART_DAPR_DIR = join(ROOT, 'k8s', 'charts', 'holdfast', 'templates', 'dapr');

/**
 * What a cluster supplies that components/ cannot know: the chart fills these with Helm expressions,
 * a test with the values it rendered the chart with.
 */
export type Supplied = {
  /** The namespace the apps run in: accessControl names callers with it. */
  namespace: string;
  /** The Secret behind a chart secret id (`actorstate`, `booking-payments-webhook-secret`). */
  secretName: (id: string) => string;
  /** What an envRef of components/ reads (HOLDFAST_REDIS_ADDRESS, HOLDFAST_SMS_GATEWAY_URL, ...). */
  env: (name: string) => string;
};

/** The chart's secret id of a component's Secret (holdfast-<id> unless the operator gives one). */
export const componentSecretId = (component: string) => component;

/** The chart's secret id of one secret an app reads through the secrets API, alone in its Secret. */
export const appSecretId = (appId: string, key: string) => `${appId}-${key.toLowerCase().replace(/_/g, '-')}`;

/**
 * What the gateway may invoke on each app (the apps' invocablePaths in their main.ts); an app
 * missing here takes no invocation at all. `**` matches any depth in Dapr's operation names.
 */
export const K8S_INVOCABLE: Record<string, string[]> = {
  booking: ['/api/**', '/openapi.json', '/healthz', '/readyz'],
  fulfillment: ['/workflows', '/workflows/**', '/healthz', '/readyz'],
  delivery: ['/api/**', '/healthz', '/readyz'],
};

/**
 * What the admin console (APP_IDS.admin) may invoke on each app: exactly the routes it calls, each
 * with its method, read from the apps' own lists (the guard's local rules), so the two cannot part.
 */
export const K8S_ADMIN_INVOCABLE: Record<string, readonly string[]> = {
  booking: BOOKING_ADMIN_ROUTES,
  fulfillment: FULFILLMENT_ADMIN_ROUTES,
  delivery: DELIVERY_ADMIN_ROUTES,
};

/**
 * `METHOD /path/:param` rules as Dapr accessControl operations: `:param` becomes `*` (one
 * segment), and a path named by several rules is one operation with each method in httpVerb.
 */
export function adminOperations(rules: readonly string[]): Array<{ name: string; httpVerb: string[]; action: 'allow' }> {
  const byName = new Map<string, string[]>();
  for (const rule of rules) {
    const { method, segments } = parseRouteRule(rule);
    const name = `/${segments.map((s) => (s.startsWith(':') ? '*' : s)).join('/')}`;
    byName.set(name, [...(byName.get(name) ?? []), method]);
  }
  return [...byName].map(([name, httpVerb]) => ({ name, httpVerb, action: 'allow' as const }));
}

type Resource = { kind: string; metadata: { name: string }; spec: { type?: string; metadata?: Array<Record<string, unknown>>; [key: string]: unknown } };

function accessControlFor(appId: string, namespace: string) {
  return {
    defaultAction: 'deny',
    trustDomain: 'public',
    policies: [
      ...(K8S_INVOCABLE[appId] ? [{ appId: 'gateway', operations: K8S_INVOCABLE[appId].map((name) => ({ name, httpVerb: ['*'], action: 'allow' })) }] : []),
      ...(K8S_ADMIN_INVOCABLE[appId] ? [{ appId: APP_IDS.admin, operations: adminOperations(K8S_ADMIN_INVOCABLE[appId]) }] : []),
    ].map(({ appId: caller, operations }) => ({ appId: caller, defaultAction: 'deny', trustDomain: 'public', namespace, operations })),
  };
}

export function renderForKubernetes(resource: Resource, supplied: Supplied): Resource {
  const copy = structuredClone(resource);
  if (copy.kind === 'Configuration') {
    const appId = copy.metadata.name.replace(/^holdfast-/, '');
    if (appId !== 'gateway') copy.spec.accessControl = accessControlFor(appId, supplied.namespace);
    // The local SQLite name registry is a file beside the sidecars; a cluster resolves app ids by its DNS.
    delete copy.spec.nameResolution;
    // In a cluster the secrets API names a Kubernetes Secret, not a key: each allowed secret lives
    // alone in its own Secret, `holdfast-<app>-<key in kebab case>` (k8s/README.md).
    const scopes = (copy.spec.secrets as { scopes?: Array<{ allowedSecrets?: string[] }> } | undefined)?.scopes ?? [];
    for (const scope of scopes) {
      if (scope.allowedSecrets) scope.allowedSecrets = scope.allowedSecrets.map((key) => supplied.secretName(appSecretId(appId, key)));
    }
    return copy;
  }
  if (copy.kind === 'Component' && copy.spec.type?.startsWith('secretstores.')) {
    copy.spec = { type: 'secretstores.kubernetes', version: 'v1', metadata: [] } as Resource['spec'];
    return copy;
  }
  for (const item of copy.spec.metadata ?? []) {
    const ref = item.secretKeyRef as { name: string; key: string } | undefined;
    if (ref) item.secretKeyRef = { name: supplied.secretName(componentSecretId(copy.metadata.name)), key: ref.key };
    if (typeof item.envRef === 'string') {
      item.value = supplied.env(item.envRef);
      delete item.envRef;
    }
  }
  return copy;
}

/** The components/ files a cluster gets: the skeleton is the integration tests' app and never runs there. */
export function sourceFiles(): Array<{ file: string; resource: Resource }> {
  return readdirSync(SOURCE).filter((f) => f.endsWith('.yaml') && f !== 'config-skeleton.yaml').sort()
    .map((file) => ({ file, resource: parse(readFileSync(join(SOURCE, file), 'utf8')) as Resource }));
}

// Helm expressions stand in the YAML as plain markers, then replace them: YAML would quote and escape them.
const MARK = 'HELMEXPR';
const HELM: Supplied = {
  namespace: `${MARK}.Release.Namespace${MARK}`,
  secretName: (id) => `${MARK}include "holdfast.secretName" (list $ "${id}")${MARK}`,
  env: (name) => `${MARK}include "holdfast.componentEnv" (list $ "${name}")${MARK}`,
};

/** A components/ file as a chart template: Helm expressions where values supply, labels, and conditions. */
function chartTemplate(file: string, resource: Resource): string {
  const rendered = renderForKubernetes(resource, HELM);
  const isResiliency = rendered.kind === 'Resiliency';
  const policies = isResiliency ? rendered.spec.policies : undefined;
  rendered.metadata = { name: rendered.metadata.name, labels: `${MARK}LABELS` } as unknown as Resource['metadata'];
  if (isResiliency) rendered.spec = { ...rendered.spec, policies: `${MARK}POLICIES` };
  let body = stringify(rendered, { lineWidth: 0 })
    .replace(`labels: ${MARK}LABELS`, 'labels:\n    {{- include "holdfast.labels" $ | nindent 4 }}')
    .replace(new RegExp(`${MARK}(.+?)${MARK}`, 'g'), (_m, expr: string) => `{{ ${expr} | quote }}`);
  if (isResiliency) {
    // An operator changes one number with --set resiliency.policies.<kind>.<policy>.<field>=...: the
    // values are merged over components/resiliency.yaml's policies (k8s/README.md).
    body = body.replace(`policies: ${MARK}POLICIES`, 'policies:\n    {{- $policies := fromYaml (include "holdfast.resiliencyPolicies" $) }}\n    {{- toYaml (mustMergeOverwrite $policies (deepCopy $.Values.resiliency.policies)) | nindent 4 }}');
    body = `{{- define "holdfast.resiliencyPolicies" }}\n${stringify(policies, { lineWidth: 0 })}{{- end }}\n${body}`;
  }
  const header = `# Rendered from components/${file} by scripts/render-k8s-components.ts: edit that file, then npm run k8s:render.\n`;
  // The providers app's Configuration exists only with the app.
  if (rendered.metadata.name === 'holdfast-providers') return `${header}{{- if .Values.providers.enabled }}\n${body}{{- end }}\n`;
  return header + body;
}

export function renderedFiles(): Map<string, string> {
  return new Map(sourceFiles().map(({ file, resource }) => [file, chartTemplate(file, resource)]));
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, content] of renderedFiles()) {
    const path = join(CHART_DAPR_DIR, file);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // new file
    }
    if (current === content) continue;
    if (check) {
      console.error(`k8s/charts/holdfast/templates/dapr/${file} is out of date: npm run k8s:render`);
      stale++;
    } else {
      mkdirSync(CHART_DAPR_DIR, { recursive: true });
      writeFileSync(path, content);
      console.log(`rendered k8s/charts/holdfast/templates/dapr/${file}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
